package plots

import "errors"

// Range is the closed interval [Min, Max] of one axis.
type Range struct{ Min, Max float64 }

// Path is a named sequence of points in the plane, e.g. the iterates of one
// optimizer on a 2-D test function.
type Path struct {
	Name   string
	Points [][2]float64
}

// Trajectories draws f over xRange × yRange as a heat map with contour lines
// and overlays the paths, each with its own colour, a circle at its start, a
// cross at its end, and a legend entry.
//
// When f spans more than three decades above its minimum over the window
// (Rosenbrock-like valleys), colours and contour levels are spaced
// logarithmically in f − min(f); otherwise linearly.
//
// It returns an error for a nil f, an empty or non-finite range, a path
// with no points or a non-finite point, or when f is NaN or infinite
// everywhere on the window.
func Trajectories(title string, f func(x, y float64) float64, xRange, yRange Range, paths ...Path) (*Chart, error) {
	return nil, errors.New("plots: Trajectories: not implemented yet")
}
