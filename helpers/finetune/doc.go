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
// Train runs the loop on the splits LoadImages reads from an image folder
// (retrain.py's split, the same helpers/retrain uses), with evaluations and
// a result in helpers/train's terms, as retrain's; it writes V2 checkpoints
// every Config.CheckpointEvery steps, and Export writes a frozen
// output_graph.pb + labels that `gotl classify` runs.
//
// Resuming follows TensorFlow's MonitoredTrainingSession and Estimator:
// Train restores the checkpoint that Config.CheckpointDir's `checkpoint`
// state file names, and Config.Steps is the total number of steps, resumed
// ones included (max_steps): resumed at step 30 with Steps 40, it trains 10
// more; resumed at or past Steps, it trains none ("Skipping training since
// max_steps has already saved"). A directory that does not exist or holds
// no checkpoint is a fresh start; any other state that cannot be resumed
// (a state file that does not parse or names missing files, checkpoints
// without a state file, a damaged checkpoint or one of another network) is
// an error wrapping ErrCannotResume, never a silent restart, unless
// Config.StartOver asks for one.
//
// Nothing non-finite comes out of training: a NaN or infinite cross-entropy
// stops Train at its step, images holding NaN are refused before it starts,
// and checkpoints and exports check every weight before they write a byte.
//
// Each step costs a full forward and backward pass, which is what GPUs are for:
// with GOMLX_BACKEND=xla:cuda the same code runs there (see helpers/compute).
// On the pure-Go backend, use small networks (helpers/zoo's TinyNet) or few
// trainable layers.
//
//	images, err := finetune.LoadImages(folder, prep, nb.Bars) // *train.Images
//	cfg := finetune.DefaultConfig()                          // Momentum 0.9 at 0.002, 100 steps of 32
//	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, "input:0", "pool_3:0"
//	cfg.Labels = images.Labels
//	cfg.Optimizer.LearningRate = 0.01
//	t, err := finetune.New(cfg)
//	res, err := t.Train(images)
//	fmt.Println(res.TestAccuracy, res.Misclassified)
package finetune
