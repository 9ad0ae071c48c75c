package compute_test

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/gotl/gotl/helpers/compute"
)

// A TensorFlow Conv2D with SAME padding and stride 2 on a 4x4 image of ones
// and a 3x3 kernel of ones: TF pads one row/column at the bottom/right only,
// so the top-left output sees 9 pixels and the bottom-right 4. Then the
// gradient of the sum with respect to the image, computed on the pure-Go
// backend (which stock GoMLX v0.26.0 cannot do for convolutions).
func Example() {
	backend, err := compute.Backend()
	if err != nil {
		panic(err)
	}
	exec, err := graph.NewExec(backend, func(image *graph.Node) (*graph.Node, *graph.Node) {
		kernel := graph.Ones(image.Graph(), shapes.Make(dtypes.Float32, 3, 3, 1, 1))
		out, err := compute.Conv2D(image, kernel, compute.ConvAttrs{Strides: []int{1, 2, 2, 1}, Padding: "SAME"})
		if err != nil {
			panic(err)
		}
		grad := graph.Gradient(graph.ReduceAllSum(out), image)[0]
		return graph.Reshape(out, 2, 2), graph.Reshape(grad, 4, 4)
	})
	if err != nil {
		panic(err)
	}
	image := tensors.FromFlatDataAndDimensions([]float32{
		1, 1, 1, 1,
		1, 1, 1, 1,
		1, 1, 1, 1,
		1, 1, 1, 1}, 1, 4, 4, 1)
	results, err := exec.Exec(image)
	if err != nil {
		panic(err)
	}
	fmt.Println("conv:", results[0].Value())
	fmt.Println("d sum/d image:", results[1].Value())
	// Output:
	// conv: [[9 6] [6 4]]
	// d sum/d image: [[1 1 2 1] [1 1 2 1] [2 2 4 2] [1 1 2 1]]
}

// AvgPool divides by the number of real pixels in each window, as
// TensorFlow does: the corner of a 3x3 SAME average over 1…9 is
// (1+2+4+5)/4 = 3.
func ExampleAvgPool() {
	backend := compute.MustBackend()
	exec, err := graph.NewExec(backend, func(x *graph.Node) *graph.Node {
		out, err := compute.AvgPool(x, compute.PoolAttrs{Ksize: []int{1, 3, 3, 1}, Strides: []int{1, 1, 1, 1}, Padding: "SAME"})
		if err != nil {
			panic(err)
		}
		return graph.Reshape(out, 3, 3)
	})
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1)
	out, err := exec.Exec1(x)
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Value())
	// Output: [[3 3.5 4] [4.5 5 5.5] [6 6.5 7]]
}

func ExampleDescribe() {
	b, err := compute.NewBackend("go")
	if err != nil {
		panic(err)
	}
	fmt.Println(compute.IsPureGo(b), compute.IsGPU(b))
	// Output: true false
}
