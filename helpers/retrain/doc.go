// Package retrain trains a new final layer on bottleneck vectors, with the
// semantics of TensorFlow's retrain.py, and exports the result as a frozen
// graph that TensorFlow's label_image and gotl classify run.
//
// The layer is retrain.py's final_training_ops: weights of shape
// [bottleneck size, classes] drawn from a truncated normal with stddev 0.001,
// zero biases, logits = x·W + b (Wx_plus_b), and final_result = softmax of
// the logits. Training minimises the softmax cross-entropy averaged over the
// batch with any tf.train optimizer from helpers/optim (retrain.py uses
// GradientDescent with learning rate 0.01).
//
// Train takes the bottleneck vectors of an image folder in retrain.py's
// splits (train.Bottlenecks, from bottleneck.Extractor.Splits) and returns
// a result in helpers/train's terms, as helpers/finetune does. Batches are
// drawn as retrain.py draws them: each example picks a class uniformly, then
// an image of that class's split uniformly (with replacement);
// DistortedBatches draws distorted images instead (--flip_left_right,
// --random_crop, …). After the first step, every EvalStepInterval steps and
// after the last step, the training batch's accuracy and cross-entropy and
// the accuracy and cross-entropy on a fresh validation batch
// (ValidationBatchSize, or the whole validation split when negative) are
// recorded, each EvalPoint's Step
// counting the steps taken (retrain.py logs Step-1); after training, the
// test split (TestBatchSize, all when negative) gives the final accuracy
// and the misclassified images.
//
//	data, err := extractor.Splits(folder)          // cached bottlenecks
//	res, err := retrain.Train(data, retrain.DefaultConfig())
//	fmt.Printf("test accuracy %.1f%%\n", 100*res.TestAccuracy)
//	err = res.Layer.SaveCheckpoint("/tmp/_retrain_checkpoint")
//	def, err := retrain.ExportGraph(graphDef, "pool_3/_reshape:0", res.Layer, retrain.ExportOptions{})
//
// Sweep compares optimizers on one task under one budget: every optimizer
// at every learning rate of a grid, once per seed, each keeping the rate
// with the lowest validation cross-entropy over the second half of
// training (a stable rate, not one at the edge of divergence); its Table
// and Notes report the choices, with test accuracies averaged over the seeds
// and whether their differences are within noise (helpers/stats).
//
// The exported graph is the original graph plus retrain.py's nodes, named as
// TensorFlow names them in a frozen retrain.py graph:
// input/BottleneckInputPlaceholder (a PlaceholderWithDefault of the bottleneck
// tensor, so the graph runs from an image or from a fed bottleneck; the scope
// is input_1 when the graph already has a node named input, as in MobileNet),
// final_training_ops/weights/final_weights and
// final_training_ops/biases/final_biases (Const, each with its /read
// Identity), final_training_ops/Wx_plus_b/MatMul,
// final_training_ops/Wx_plus_b/add and final_result (Softmax). A test checks
// the nodes node for node against a graph written by TF for Poets'
// retrain.py.
package retrain
