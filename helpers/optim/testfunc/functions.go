package testfunc

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/optimize/functions"
)

// Function is a differentiable function of two variables with what plots
// and runs need to know about it.
type Function struct {
	Name   string
	F      func(x []float64) float64
	Grad   func(grad, x []float64) // writes ∇F(x) into grad
	Start  []float64               // conventional starting point
	Minima [][]float64             // global minimisers
	Min    float64                 // global minimum value
	Bounds [4]float64              // xmin, xmax, ymin, ymax: a window for contour plots
	Source string                  // where the function comes from
}

// At is F at (x, y): the surface a contour plot draws (plots.Trajectories
// takes fn.At).
func (f Function) At(x, y float64) float64 { return f.F([]float64{x, y}) }

// Rosenbrock is f = (1-x)² + 100(y-x²)², the banana valley, from the
// classic start (-1.2, 1); minimum 0 at (1, 1). H. H. Rosenbrock, "An
// automatic method for finding the greatest or least value of a function",
// The Computer Journal 3(3), 1960. Computed by gonum's ExtendedRosenbrock.
func Rosenbrock() Function {
	r := functions.ExtendedRosenbrock{}
	return Function{Name: "rosenbrock", F: r.Func, Grad: r.Grad, Start: []float64{-1.2, 1},
		Minima: [][]float64{{1, 1}}, Bounds: [4]float64{-2, 2, -1, 3},
		Source: "Rosenbrock (1960), The Computer Journal 3(3); gonum optimize/functions.ExtendedRosenbrock"}
}

// Beale is f = (1.5-x+xy)² + (2.25-x+xy²)² + (2.625-x+xy³)², minimum 0 at
// (3, 0.5), started at (1, 1). E. M. L. Beale, "On an iterative method of
// finding a local minimum of a function of more than one variable", 1958;
// computed by gonum's Beale.
func Beale() Function {
	b := functions.Beale{}
	return Function{Name: "beale", F: b.Func, Grad: b.Grad, Start: []float64{1, 1},
		Minima: [][]float64{{3, 0.5}}, Bounds: [4]float64{-4.5, 4.5, -4.5, 4.5},
		Source: "Beale (1958); gonum optimize/functions.Beale"}
}

// Booth is f = (x+2y-7)² + (2x+y-5)², a convex quadratic with minimum 0 at
// (1, 3), started at (-5, -5). M. Jamil and X.-S. Yang, "A literature survey
// of benchmark functions for global optimization problems", Int. J.
// Mathematical Modelling and Numerical Optimisation 4(2), 2013 (function 24).
func Booth() Function {
	return Function{Name: "booth",
		F: func(x []float64) float64 {
			a, b := x[0]+2*x[1]-7, 2*x[0]+x[1]-5
			return a*a + b*b
		},
		Grad: func(g, x []float64) {
			a, b := x[0]+2*x[1]-7, 2*x[0]+x[1]-5
			g[0] = 2*a + 4*b
			g[1] = 4*a + 2*b
		},
		Start: []float64{-5, -5}, Minima: [][]float64{{1, 3}}, Bounds: [4]float64{-10, 10, -10, 10},
		Source: "Jamil & Yang (2013), IJMMNO 4(2), Booth function"}
}

// Himmelblau is f = (x²+y-11)² + (x+y²-7)², four minima of value 0, started
// at (0, 0). D. M. Himmelblau, Applied Nonlinear Programming, McGraw-Hill,
// 1972.
func Himmelblau() Function {
	return Function{Name: "himmelblau",
		F: func(x []float64) float64 {
			a, b := x[0]*x[0]+x[1]-11, x[0]+x[1]*x[1]-7
			return a*a + b*b
		},
		Grad: func(g, x []float64) {
			a, b := x[0]*x[0]+x[1]-11, x[0]+x[1]*x[1]-7
			g[0] = 4*a*x[0] + 2*b
			g[1] = 2*a + 4*b*x[1]
		},
		Start:  []float64{0, 0},
		Minima: [][]float64{{3, 2}, {-2.805118, 3.131312}, {-3.779310, -3.283186}, {3.584428, -1.848126}},
		Bounds: [4]float64{-5, 5, -5, 5}, Source: "Himmelblau (1972), Applied Nonlinear Programming"}
}

// Quadratic is f = ½(u² + κ·v²) in coordinates (u, v) rotated by 30° from
// (x, y), so the condition number of the Hessian is κ and its axes are not
// the coordinate axes (which would favour per-coordinate methods such as
// Adam). Minimum 0 at the origin, started at (2, 1).
func Quadratic(condition float64) Function {
	c, s := math.Cos(math.Pi/6), math.Sin(math.Pi/6)
	uv := func(x []float64) (float64, float64) { return c*x[0] + s*x[1], -s*x[0] + c*x[1] }
	return Function{Name: "quadratic:" + strconv.FormatFloat(condition, 'g', -1, 64),
		F: func(x []float64) float64 {
			u, v := uv(x)
			return 0.5 * (u*u + condition*v*v)
		},
		Grad: func(g, x []float64) {
			u, v := uv(x)
			g[0] = c*u - s*condition*v
			g[1] = s*u + c*condition*v
		},
		Start: []float64{2, 1}, Minima: [][]float64{{0, 0}}, Bounds: [4]float64{-2.5, 2.5, -2.5, 2.5},
		Source: fmt.Sprintf("rotated quadratic with condition number %g", condition)}
}

// Rastrigin is f = 20 + Σ (x_i² - 10 cos 2πx_i), highly multimodal with the
// global minimum 0 at the origin, started at (-2.2, 3.1). L. A. Rastrigin,
// Systems of Extremal Control, 1974; Jamil & Yang (2013).
func Rastrigin() Function {
	return Function{Name: "rastrigin",
		F: func(x []float64) float64 {
			f := 20.0
			for _, xi := range x {
				f += xi*xi - 10*math.Cos(2*math.Pi*xi)
			}
			return f
		},
		Grad: func(g, x []float64) {
			for i, xi := range x {
				g[i] = 2*xi + 20*math.Pi*math.Sin(2*math.Pi*xi)
			}
		},
		Start: []float64{-2.2, 3.1}, Minima: [][]float64{{0, 0}}, Bounds: [4]float64{-5.12, 5.12, -5.12, 5.12},
		Source: "Rastrigin (1974); Jamil & Yang (2013), IJMMNO 4(2)"}
}

// Names lists the names ByName accepts.
func Names() []string {
	n := []string{"rosenbrock", "beale", "booth", "himmelblau", "quadratic", "rastrigin"}
	sort.Strings(n)
	return n
}

// ByName returns a function by name: rosenbrock, beale, booth, himmelblau,
// rastrigin, or quadratic (condition number 100) / quadratic:K.
func ByName(name string) (Function, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case n == "rosenbrock":
		return Rosenbrock(), nil
	case n == "beale":
		return Beale(), nil
	case n == "booth":
		return Booth(), nil
	case n == "himmelblau":
		return Himmelblau(), nil
	case n == "rastrigin":
		return Rastrigin(), nil
	case n == "quadratic":
		return Quadratic(100), nil
	case strings.HasPrefix(n, "quadratic:"):
		k, err := strconv.ParseFloat(strings.TrimPrefix(n, "quadratic:"), 64)
		if err != nil || !(k >= 1) || math.IsInf(k, 0) {
			return Function{}, fmt.Errorf("testfunc: %q: condition number must be a number ≥ 1", name)
		}
		return Quadratic(k), nil
	}
	return Function{}, fmt.Errorf("testfunc: unknown function %q (valid: %s, quadratic:K)", name, strings.Join(Names(), ", "))
}
