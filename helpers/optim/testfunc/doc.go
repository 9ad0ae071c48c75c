// Package testfunc holds 2-D test functions with analytic gradients and the
// tools to run helpers/optim optimizers on them: trajectories with equal step
// budgets, and a learning-rate sweep that picks each optimizer's best rate so
// that comparisons are fair.
//
// "Best" is defined once, in Sweep: the learning rate whose run ends with the
// lowest final loss, among runs that did not diverge (a run diverges when a
// coordinate or the loss stops being finite or |x| exceeds DivergeNorm);
// ties go to the smaller learning rate.
//
// Functions (see each constructor for its source): Rosenbrock, Beale, Booth,
// Himmelblau, an ill-conditioned rotated quadratic with a chosen condition
// number, and Rastrigin. Rosenbrock and Beale come from
// gonum.org/v1/gonum/optimize/functions.
package testfunc
