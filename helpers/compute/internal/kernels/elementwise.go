package kernels

// Op is a float32 elementwise binary operation. Results are those of Go's
// float32 arithmetic: +, -, *, / (IEEE, no fused operations) and the
// built-in max and min (NaN if either operand is NaN).
type Op int

const (
	Add Op = iota
	Sub
	Mul
	Div
	Max
	Min
	numOps
)

var opNames = [numOps]string{"Add", "Sub", "Mul", "Div", "Max", "Min"}

func (o Op) String() string {
	if o < 0 || o >= numOps {
		return "Op?"
	}
	return opNames[o]
}

// Scalar applies o to two float32s: the reference the vector kernels match.
func (o Op) Scalar(a, b float32) float32 {
	switch o {
	case Add:
		return a + b
	case Sub:
		return a - b
	case Mul:
		return a * b
	case Div:
		return a / b
	case Max:
		return max(a, b)
	case Min:
		return min(a, b)
	}
	panic("kernels: bad op")
}

// VV sets out[i] = a[i] o b[i] for i < len(out); a and b must be at least
// as long. out may alias a or b.
func (s *Set) VV(o Op, out, a, b []float32) {
	n := len(out)
	if n == 0 {
		return
	}
	_, _ = a[n-1], b[n-1]
	full := n &^ (s.lanes - 1)
	if full > 0 {
		s.vv[o](&out[0], &a[0], &b[0], full)
	}
	for i := full; i < n; i++ {
		out[i] = o.Scalar(a[i], b[i])
	}
}

// VS sets out[i] = a[i] o c.
func (s *Set) VS(o Op, out, a []float32, c float32) {
	n := len(out)
	if n == 0 {
		return
	}
	_ = a[n-1]
	full := n &^ (s.lanes - 1)
	if full > 0 {
		s.vs[o](&out[0], &a[0], c, full)
	}
	for i := full; i < n; i++ {
		out[i] = o.Scalar(a[i], c)
	}
}

// SV sets out[i] = c o b[i].
func (s *Set) SV(o Op, out []float32, c float32, b []float32) {
	n := len(out)
	if n == 0 {
		return
	}
	_ = b[n-1]
	full := n &^ (s.lanes - 1)
	if full > 0 {
		s.sv[o](&out[0], &b[0], c, full)
	}
	for i := full; i < n; i++ {
		out[i] = o.Scalar(c, b[i])
	}
}
