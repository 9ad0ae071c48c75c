// Package gomlxopt exposes the TF1 optimizers of helpers/optim as GoMLX
// v0.26 optimizers (optimizers.Interface), so models trained with GoMLX's
// train.Trainer step exactly as TensorFlow 1 would:
//
//	opt, err := gomlxopt.New(optim.Config{Optimizer: "Momentum",
//		Params: map[string]any{"learning_rate": 0.01, "momentum": 0.9}})
//	trainer := train.NewTrainer(backend, ctx, modelFn, lossFn, opt, trainMetrics, evalMetrics)
//
// The update of each trainable variable is built from graph operations in
// the variable's dtype, in the same order of operations as helpers/optim,
// with the same float32 rounding of hyper-parameters, so both give the same
// numbers for the same gradients (tested on GoMLX's pure-Go backend).
//
// Slots are non-trainable context variables under
// "/optimizers/tf_<optimizer>/<variable scope>/<variable name>" named with
// TF's slot names ("m", "v", "accumulator", ...); SlotVariable finds them.
// Adam's float32 "beta1_power"/"beta2_power" and the optimizer's own step
// counter "step" (AdagradDA's T is step+1) live in "/optimizers/tf_<optimizer>".
// GoMLX's global_step is incremented as every GoMLX optimizer does.
//
// GoMLX produces dense gradients, so only the dense update rules are used
// here; sparse updates and SyncReplicas are in helpers/optim.
package gomlxopt
