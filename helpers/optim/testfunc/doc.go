// Package testfunc holds 2-D test functions with analytic gradients and the
// tools to run helpers/optim optimizers on them: trajectories with equal step
// budgets, and a learning-rate sweep that picks each optimizer's best rate so
// that comparisons are fair.
//
// "Best" is defined once, in Sweep: among stable runs, those that neither
// diverge (a coordinate or the loss stops being finite or |x| exceeds
// DivergeNorm) nor spike (the loss rises above where it started), the
// learning rate whose loss over the second half of the run is lowest at its
// worst; ties go to the smaller learning rate. The final loss alone would
// pick rates at the edge of stability, whose runs bounce across a valley
// and happen to end low.
//
// Outcome says where a run ended (at a global minimum, at another
// stationary point, still moving, diverged), and PathNotes, TableNotes and
// RateNotes turn sweeps into sentences for notebooks, so that what the text
// says about a chart is computed from the runs it draws.
//
// Functions (see each constructor for its source): Rosenbrock, Beale, Booth,
// Himmelblau, an ill-conditioned rotated quadratic with a chosen condition
// number, and Rastrigin. Rosenbrock and Beale come from
// gonum.org/v1/gonum/optimize/functions.
package testfunc
