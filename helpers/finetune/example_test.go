package finetune_test

import (
	"fmt"

	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/zoo"
)

// Fine-tune only the top layer below TinyNet's bottleneck, with a new
// two-class softmax on top; Train would then take preprocessed images
// (finetune.FromFolder reads an image folder with retrain.py's split).
func ExampleNew() {
	files, err := zoo.TinyNet()
	if err != nil {
		panic(err)
	}
	g, err := graphrun.Load(files.Frozen)
	if err != nil {
		panic(err)
	}
	t, err := finetune.New(finetune.Config{
		Graph: g, InputTensor: zoo.TinyNetInput, BottleneckTensor: zoo.TinyNetBottleneck,
		Labels:    []string{"ring", "cross"},
		TopLayers: 1,
		Optimizer: optim.Config{Optimizer: "Adam", Params: map[string]any{"learning_rate": 0.001}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("trainable:", t.TrainableWeights())
	head, err := t.Head()
	if err != nil {
		panic(err)
	}
	fmt.Printf("new layer: %d inputs → %d classes\n", head.Inputs, head.Classes)
	// Output:
	// trainable: [conv4/weights conv4/biases]
	// new layer: 64 inputs → 2 classes
}
