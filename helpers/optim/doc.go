// Package optim implements every TensorFlow 1 (tf.train) optimizer exactly as
// TensorFlow's C++ kernels compute it, one step at a time, with the optimizer
// state (slots such as "m", "v", "accumulator", "linear") inspectable after
// each step.
//
// The optimizers are GradientDescent, Momentum (optionally Nesterov), Adam,
// Adagrad, AdagradDA, Adadelta, RMSProp (optionally with momentum and
// centered), Ftrl (with l1, l2, l2 shrinkage, learning-rate power and beta),
// ProximalAdagrad and ProximalGradientDescent, plus the SyncReplicas wrapper
// that averages the gradients of several replicas. They are built from a
// Config that uses TF1's constructor argument names and defaults:
//
//	opt, err := optim.New[float64](optim.Config{
//		Optimizer: "Adam",
//		Params:    map[string]any{"learning_rate": 0.01},
//	})
//	err = opt.AddVar("w", []float64{1, 2})
//	err = opt.Step(map[string]optim.Grad[float64]{"w": optim.Dense([]float64{0.1, 0.2})})
//	m := opt.Slot("w", "m")
//
// Semantics follow the specification in the gotl repository
// (shared/optimizers/TF_UPDATE_RULES.md), which documents the kernels in
// tensorflow/core/kernels/training_ops.cc and the wrappers in
// tensorflow/python/training:
//
//   - Hyper-parameters pass through float32 before being used, as TF turns
//     Python floats into float32 tensors; float64 variables therefore see
//     float64(float32(lr)).
//   - float32 variables are computed in float32; float64 in float64.
//   - Each update uses the kernel's order of operations (for example
//     m + (1-β1)·(g-m) for Adam).
//   - Sparse gradients (row indices plus rows) touch only the listed rows,
//     after rows sharing an index are summed; Adam's sparse update decays
//     every row, as TF's Python composite does.
//   - Step counts like TF's global_step passed to apply_gradients: AdagradDA
//     uses T = global_step + 1 and Adam keeps float32 β powers.
//
// Package testfunc holds 2-D test functions and trajectory tools; package
// gomlxopt exposes the same optimizers as GoMLX optimizers.
package optim
