package tensor_test

import (
	"fmt"

	tfpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	"github.com/gotl/gotl/helpers/tensor"
)

// A Const node's value often stores fewer values than elements: TensorFlow
// repeats the last one.
func ExampleFromProto() {
	p := &tfpb.TensorProto{
		Dtype:       tensor.Float,
		TensorShape: tensor.ShapeToProto([]int64{2, 2}),
		FloatVal:    []float32{0.5},
	}
	t, err := tensor.FromProto(p)
	if err != nil {
		panic(err)
	}
	v, _ := t.Float32s()
	fmt.Println(t.DType, t.Shape, v)
	// Output: DT_FLOAT [2 2] [0.5 0.5 0.5 0.5]
}
