package checkpoint_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/tensor"
)

// The classic listing script: every variable with its dtype and shape,
// then one tensor's values.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	w, _ := tensor.FromFloat32s([]int64{2, 2}, []float32{1, 2, 3, 4})
	b, _ := tensor.FromFloat32s([]int64{2}, []float32{0.5, -0.5})
	step, _ := tensor.FromInt64s(nil, []int64{1000})
	prefix := filepath.Join(dir, "model.ckpt-1000")
	if err := checkpoint.Write(prefix, map[string]*tensor.Tensor{"dense/kernel": w, "dense/bias": b, "global_step": step}); err != nil {
		log.Fatal(err)
	}

	r, err := checkpoint.Open(prefix)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	shapes, dtypes := r.VariableToShapeMap(), r.VariableToDTypeMap()
	for _, name := range r.Names() {
		fmt.Println(name, dtypes[name], shapes[name])
	}
	kernel, err := r.Tensor("dense/kernel")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := kernel.Float32s()
	fmt.Println(v)
	_, err = r.Tensor("dense/kernels")
	fmt.Println(err != nil)
	// Output:
	// dense/bias DT_FLOAT [2]
	// dense/kernel DT_FLOAT [2 2]
	// global_step DT_INT64 []
	// [1 2 3 4]
	// true
}

// Saving a checkpoint the way tf.train.Saver does: the tensors, then the
// `checkpoint` state file that tf.train.latest_checkpoint reads.
func ExampleWriteState() {
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	x, _ := tensor.FromFloat32s([]int64{3}, []float32{1, 2, 3})
	prefix := filepath.Join(dir, "model.ckpt-1")
	if err := checkpoint.Write(prefix, map[string]*tensor.Tensor{"x": x}); err != nil {
		log.Fatal(err)
	}
	if err := checkpoint.WriteState(dir, prefix, nil); err != nil {
		log.Fatal(err)
	}
	state, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
	fmt.Print(string(state))
	latest, _ := checkpoint.LatestCheckpoint(dir)
	fmt.Println(filepath.Base(latest))
	// Output:
	// model_checkpoint_path: "model.ckpt-1"
	// all_model_checkpoint_paths: "model.ckpt-1"
	// model.ckpt-1
}
