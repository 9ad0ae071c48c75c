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
// (finetune.LoadImages reads an image folder with retrain.py's split).
func ExampleNew() {
	files, err := zoo.TinyNet()
	if err != nil {
		panic(err)
	}
	g, err := graphrun.Load(files.Frozen)
	if err != nil {
		panic(err)
	}
	cfg := finetune.DefaultConfig()
	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, zoo.TinyNetInfo.Input, zoo.TinyNetInfo.Bottleneck
	cfg.Labels = []string{"ring", "cross"}
	cfg.TopLayers = 1
	cfg.Optimizer = optim.Config{Optimizer: "Adam", LearningRate: 0.001}
	t, err := finetune.New(cfg)
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
