// Package finetune trains a pretrained TensorFlow network end to end — TF1's
// "fine-tune a model" recipe — where helpers/retrain trains only a new final
// layer on cached bottlenecks.
//
// A Tuner loads the pretrained graph (a frozen .pb, or a graph with variables
// plus its .ckpt), cuts it at the bottleneck tensor, and puts a new softmax
// layer "final_training_ops" on top (random, or initialised from a retrained
// layer). Then every step runs the whole network forward and backward on a
// batch of images:
//
//   - the pretrained weights chosen by Config.Trainable / Config.TopLayers move,
//     with the learning rate scaled by Config.PretrainedLearningRateScale (0.1
//     by default: they are already good, the new layer is not);
//   - batch-norm statistics (the mean and variance inputs of FusedBatchNorm and
//     BatchNormWithGlobalNormalization) stay frozen, as they should with small
//     fine-tuning batches;
//   - any helpers/optim optimizer applies the updates, TF-exact.
//
// Train runs the loop with retrain.py-style evaluations, writes V2
// checkpoints every Config.CheckpointEvery steps (and resumes from the
// latest one), and Export writes a frozen output_graph.pb + labels that `gotl
// classify` runs.
//
// Each step costs a full forward and backward pass, which is what GPUs are for:
// with GOMLX_BACKEND=xla:cuda the same code runs there (see helpers/compute).
// On the pure-Go backend, use small networks (helpers/zoo's TinyNet) or few
// trainable layers.
//
//	t, err := finetune.New(finetune.Config{
//		Graph: g, InputTensor: "input:0", BottleneckTensor: "pool_3:0",
//		Labels: labels, Optimizer: optim.Config{Optimizer: "Momentum",
//			Params: map[string]any{"learning_rate": 0.01, "momentum": 0.9}},
//	})
//	res, err := t.Train(train, validation, test)
package finetune
