package optim

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Float is the element type of variables: float32 variables are computed in
// float32 (as TF's float32 kernels do), float64 in float64.
type Float interface{ ~float32 | ~float64 }

// Grad is the gradient of one variable: either Dense (same length as the
// variable) or sparse (Indices of rows plus Values holding len(Indices) rows,
// like TF's IndexedSlices). Rows sharing an index are summed before the
// update, as TF's apply_gradients does.
type Grad[T Float] struct {
	Dense   []T
	Indices []int
	Values  []T
}

// Dense returns a dense gradient.
func Dense[T Float](g []T) Grad[T] { return Grad[T]{Dense: g} }

// Sparse returns a sparse gradient: rows values[i*cols:(i+1)*cols] for the
// variable rows indices[i].
func Sparse[T Float](indices []int, values []T) Grad[T] {
	return Grad[T]{Indices: indices, Values: values}
}

// IsSparse says whether g is a sparse (indexed-rows) gradient.
func (g Grad[T]) IsSparse() bool { return g.Indices != nil }

type variable[T Float] struct {
	name  string
	shape []int
	rows  int // first dimension (1 for scalars)
	cols  int // product of the other dimensions
	value []T
	slots [][]T // in the order of rule.slots()
}

// Optimizer is one TF1 optimizer applied to a set of named variables, stepped
// explicitly. It is not safe for concurrent use.
type Optimizer[T Float] struct {
	spec  Spec
	hyper Hyper
	rule  rule[T]
	vars  []*variable[T]
	index map[string]int
	steps int64
}

// New builds the optimizer cfg describes; see Config and Specs for names,
// parameters and defaults.
func New[T Float](cfg Config) (*Optimizer[T], error) {
	spec, h, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	return &Optimizer[T]{spec: spec, hyper: h, rule: newRule[T](spec.Name, h), index: map[string]int{}}, nil
}

// MustNew is New that panics on error, for examples and literals known good.
func MustNew[T Float](cfg Config) *Optimizer[T] {
	o, err := New[T](cfg)
	if err != nil {
		panic(err)
	}
	return o
}

// Name returns the canonical TF1 optimizer name ("Adam").
func (o *Optimizer[T]) Name() string { return o.spec.Name }

// Hyper returns a copy of the resolved hyper-parameters (defaults filled in).
func (o *Optimizer[T]) Hyper() Hyper {
	c := Hyper{}
	for k, v := range o.hyper {
		c[k] = v
	}
	return c
}

// SetHyper changes one hyper-parameter between steps, keeping variables,
// slots and step counters, as feeding a new value to a TF learning-rate
// tensor does (for Momentum this rescales the whole accumulated velocity,
// see TF_UPDATE_RULES §2). Parameters that decide which slots exist
// (RMSProp's centered) cannot change.
func (o *Optimizer[T]) SetHyper(name string, value any) error {
	params := map[string]any{}
	for k, v := range o.hyper {
		if p, ok := o.param(k); ok && p.Kind == Bool {
			params[k] = v != 0
		} else if k == "beta" && math.IsNaN(v) {
			params[k] = nil
		} else {
			params[k] = v
		}
	}
	params[name] = value
	spec, h, err := Config{Optimizer: o.spec.Name, Params: params}.Resolve()
	if err != nil {
		return err
	}
	if len(spec.Slots) != len(o.spec.Slots) {
		return fmt.Errorf("optim: %s: %s cannot change after creation (it decides the slots)", o.spec.Name, name)
	}
	r := newRule[T](spec.Name, h)
	if old, ok := o.rule.(*adamRule[T]); ok {
		nr := r.(*adamRule[T])
		nr.b1p, nr.b2p = old.b1p, old.b2p // β powers are variables: they keep their values
	}
	o.rule, o.hyper = r, h
	return nil
}

func (o *Optimizer[T]) param(name string) (Param, bool) {
	for _, p := range o.spec.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// SlotNames returns the slot names every variable carries, in TF's order.
func (o *Optimizer[T]) SlotNames() []string { return append([]string(nil), o.spec.Slots...) }

// AddVar registers a variable with its initial value (copied) and creates its
// slots with TF's initial values. shape defaults to 1-D [len(value)]; the
// first dimension is the row dimension of sparse updates.
func (o *Optimizer[T]) AddVar(name string, value []T, shape ...int) error {
	if _, dup := o.index[name]; dup {
		return fmt.Errorf("optim: variable %q added twice", name)
	}
	if len(shape) == 0 {
		shape = []int{len(value)}
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("optim: variable %q: negative dimension in shape %v", name, shape)
		}
		n *= d
	}
	if n != len(value) {
		return fmt.Errorf("optim: variable %q: shape %v holds %d values, got %d", name, shape, n, len(value))
	}
	v := &variable[T]{name: name, shape: append([]int(nil), shape...), value: append([]T(nil), value...), rows: 1, cols: n}
	if len(shape) > 0 {
		v.rows = shape[0]
		if v.rows > 0 {
			v.cols = n / v.rows
		} else {
			v.cols = 0
		}
	}
	for _, init := range o.rule.slotInits() {
		s := make([]T, n)
		if init != 0 {
			for i := range s {
				s[i] = init
			}
		}
		v.slots = append(v.slots, s)
	}
	o.index[name] = len(o.vars)
	o.vars = append(o.vars, v)
	return nil
}

// VarNames returns the variable names in the order they were added.
func (o *Optimizer[T]) VarNames() []string {
	n := make([]string, len(o.vars))
	for i, v := range o.vars {
		n[i] = v.name
	}
	return n
}

// Var returns the current value of a variable (a view: do not modify), or
// nil if there is none by that name.
func (o *Optimizer[T]) Var(name string) []T {
	if i, ok := o.index[name]; ok {
		return o.vars[i].value
	}
	return nil
}

// Shape returns a variable's shape.
func (o *Optimizer[T]) Shape(name string) []int {
	if i, ok := o.index[name]; ok {
		return append([]int(nil), o.vars[i].shape...)
	}
	return nil
}

// SetVar overwrites a variable's value (for example to restart a trajectory);
// slots are left as they are.
func (o *Optimizer[T]) SetVar(name string, value []T) error {
	i, ok := o.index[name]
	if !ok {
		return fmt.Errorf("optim: no variable %q", name)
	}
	if len(value) != len(o.vars[i].value) {
		return fmt.Errorf("optim: variable %q has %d values, got %d", name, len(o.vars[i].value), len(value))
	}
	copy(o.vars[i].value, value)
	return nil
}

// Slot returns the named slot of a variable (a view: do not modify), or nil.
func (o *Optimizer[T]) Slot(varName, slot string) []T {
	i, ok := o.index[varName]
	if !ok {
		return nil
	}
	for k, s := range o.spec.Slots {
		if s == slot {
			return o.vars[i].slots[k]
		}
	}
	return nil
}

// Steps returns how many times Step ran: TF's global_step when it is passed
// to apply_gradients.
func (o *Optimizer[T]) Steps() int64 { return o.steps }

// NonSlot returns the optimizer's non-slot state after the last step:
// Adam's "beta1_power" and "beta2_power", "global_step" for every optimizer.
func (o *Optimizer[T]) NonSlot() map[string]float64 {
	m := map[string]float64{"global_step": float64(o.steps)}
	for k, v := range o.rule.nonSlot() {
		m[k] = v
	}
	return m
}

// Step applies one apply_gradients call: every variable named in grads gets
// its update (variables without a gradient are skipped, as TF skips None),
// then the step counter advances. Everything is validated before anything is
// changed, so an error leaves the state untouched.
func (o *Optimizer[T]) Step(grads map[string]Grad[T]) error {
	names := make([]string, 0, len(grads))
	for n := range grads {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		i, ok := o.index[n]
		if !ok {
			return fmt.Errorf("optim: gradient for unknown variable %q (known: %s)", n, strings.Join(o.VarNames(), ", "))
		}
		if err := checkGrad(o.vars[i], grads[n]); err != nil {
			return err
		}
	}
	o.rule.prepare(o.steps)
	for _, v := range o.vars {
		g, ok := grads[v.name]
		if !ok {
			continue
		}
		if g.IsSparse() {
			o.rule.sparse(v, g.Indices, g.Values)
		} else {
			o.rule.dense(v.value, g.Dense, v.slots)
		}
	}
	o.rule.finish()
	o.steps++
	return nil
}

func checkGrad[T Float](v *variable[T], g Grad[T]) error {
	if g.IsSparse() {
		if g.Dense != nil {
			return fmt.Errorf("optim: variable %q: gradient is both dense and sparse", v.name)
		}
		if len(v.shape) == 0 {
			return fmt.Errorf("optim: variable %q is a scalar and cannot take a sparse gradient", v.name)
		}
		if len(g.Values) != len(g.Indices)*v.cols {
			return fmt.Errorf("optim: variable %q: sparse gradient has %d values for %d rows of %d", v.name, len(g.Values), len(g.Indices), v.cols)
		}
		for _, r := range g.Indices {
			if r < 0 || r >= v.rows {
				return fmt.Errorf("optim: variable %q: sparse gradient index %d out of range [0,%d)", v.name, r, v.rows)
			}
		}
		return nil
	}
	if len(g.Dense) != len(v.value) {
		return fmt.Errorf("optim: variable %q: gradient has %d values, variable %d", v.name, len(g.Dense), len(v.value))
	}
	return nil
}

// dedup sums rows that share an index, keeping the order of first
// appearance (TF's unique + unsorted_segment_sum).
func dedup[T Float](indices []int, values []T, cols int) ([]int, []T) {
	seen := make(map[int]int, len(indices))
	var outIdx []int
	var outVal []T
	for i, r := range indices {
		row := values[i*cols : (i+1)*cols]
		if k, ok := seen[r]; ok {
			dst := outVal[k*cols : (k+1)*cols]
			for j := range dst {
				dst[j] += row[j]
			}
			continue
		}
		seen[r] = len(outIdx)
		outIdx = append(outIdx, r)
		outVal = append(outVal, row...)
	}
	return outIdx, outVal
}

// hp converts a hyper-parameter the way TF does: a Python float becomes a
// float32 tensor, then is cast to the variable's dtype.
func hp[T Float](x float64) T { return T(float32(x)) }

func sqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }

func pow[T Float](x, y T) T { return T(math.Pow(float64(x), float64(y))) }

func sign[T Float](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func abs[T Float](x T) T {
	if x < 0 {
		return -x
	}
	return x
}
