package gomlxopt

import (
	"fmt"
	"maps"
	"math"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/gotl/gotl/helpers/optim"
)

// Optimizer is a TF1 optimizer implementing GoMLX's optimizers.Interface
// (and train.OptimizeWithGradients, for gradient accumulation).
type Optimizer struct {
	spec    optim.Spec
	hyper   optim.Hyper
	scope   string                          // "tf_adam"
	lrScale func(*context.Variable) float64 // per-variable learning-rate factor; nil means 1
}

// WithLearningRateScale makes each variable v step with learning_rate ×
// scale(v) and returns o. Fine-tuning uses it to move pretrained layers more
// slowly than a new final layer: TF1 code does the same with two optimizers
// over different var_lists, whose slots and Adam β powers advance exactly as
// this one optimizer's do.
func (o *Optimizer) WithLearningRateScale(scale func(v *context.Variable) float64) *Optimizer {
	o.lrScale = scale
	return o
}

var _ optimizers.Interface = (*Optimizer)(nil)

// New builds the optimizer cfg describes (TF1 names and defaults, as in
// helpers/optim).
func New(cfg optim.Config) (*Optimizer, error) {
	spec, h, err := cfg.Resolve()
	if err != nil {
		return nil, fmt.Errorf("gomlxopt: %w", err)
	}
	return &Optimizer{spec: spec, hyper: h, scope: "tf_" + strings.ToLower(spec.Name)}, nil
}

// MustNew is New that panics on error.
func MustNew(cfg optim.Config) *Optimizer {
	o, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return o
}

// Name returns the TF1 optimizer name.
func (o *Optimizer) Name() string { return o.spec.Name }

// SlotNames returns the slot names each trainable variable gets.
func (o *Optimizer) SlotNames() []string { return append([]string(nil), o.spec.Slots...) }

func (o *Optimizer) basePath() string {
	return context.ScopeSeparator + optimizers.Scope + context.ScopeSeparator + o.scope
}

// SlotVariable returns the slot variable of v, or nil if it does not exist
// (yet): slots are created by the first UpdateGraph.
func (o *Optimizer) SlotVariable(ctx *context.Context, v *context.Variable, slot string) *context.Variable {
	return ctx.GetVariableByScopeAndName(o.slotScope(v), slot)
}

// StateVariable returns one of the optimizer's non-slot variables ("step",
// and for Adam "beta1_power", "beta2_power"), or nil.
func (o *Optimizer) StateVariable(ctx *context.Context, name string) *context.Variable {
	return ctx.GetVariableByScopeAndName(o.basePath(), name)
}

func (o *Optimizer) slotScope(v *context.Variable) string {
	s := v.Scope()
	if s == context.ScopeSeparator {
		s = ""
	}
	return o.basePath() + s + context.ScopeSeparator + v.Name()
}

// UpdateGraph implements optimizers.Interface.
func (o *Optimizer) UpdateGraph(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	if !loss.Shape().IsScalar() {
		panic(fmt.Sprintf("gomlxopt: %s needs a scalar loss, got shape %s", o.spec.Name, loss.Shape()))
	}
	grads := ctx.BuildTrainableVariablesGradientsGraph(loss)
	o.UpdateGraphWithGradients(ctx, grads, loss.DType())
}

// Clear implements optimizers.Interface: it deletes the slots and state.
func (o *Optimizer) Clear(ctx *context.Context) error {
	return ctx.InAbsPath(o.basePath()).DeleteVariablesInScope()
}

// UpdateGraphWithGradients applies grads, one per trainable variable used
// by the graph, in ctx.IterVariables order (as BuildTrainableVariablesGradientsGraph
// returns them). It implements train.OptimizeWithGradients.
func (o *Optimizer) UpdateGraphWithGradients(ctx *context.Context, grads []*graph.Node, _ dtypes.DType) {
	if len(grads) == 0 {
		panic("gomlxopt: no gradients: are there trainable variables used by the graph?")
	}
	g := grads[0].Graph()
	ctxState := ctx.InAbsPath(o.basePath()).Checked(false)
	stepVar := ctxState.VariableWithValue("step", int64(0)).SetTrainable(false)
	done := stepVar.ValueGraph(g) // steps done before this one
	stepVar.SetValueGraph(graph.Add(done, graph.OnesLike(done)))
	_ = optimizers.IncrementGlobalStepGraph(ctx, g, dtypes.Int64)

	var b1p, b2p *context.Variable
	if o.spec.Name == "Adam" {
		// Non-slot float32 variables starting at β1, β2 (β^t during step t).
		b1p = ctxState.VariableWithValue("beta1_power", float32(o.hyper["beta1"])).SetTrainable(false)
		b2p = ctxState.VariableWithValue("beta2_power", float32(o.hyper["beta2"])).SetTrainable(false)
	}
	i := 0
	for v := range ctx.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) {
			continue
		}
		if i >= len(grads) {
			panic(fmt.Sprintf("gomlxopt: more trainable variables than the %d gradients given", len(grads)))
		}
		o.updateVariable(ctx, g, v, grads[i], done, b1p, b2p)
		i++
	}
	if i != len(grads) {
		panic(fmt.Sprintf("gomlxopt: %d gradients for %d trainable variables used by the graph", len(grads), i))
	}
	if b1p != nil { // Adam's _finish
		b1p.SetValueGraph(graph.Mul(b1p.ValueGraph(g), graph.Scalar(g, dtypes.Float32, float32(o.hyper["beta1"]))))
		b2p.SetValueGraph(graph.Mul(b2p.ValueGraph(g), graph.Scalar(g, dtypes.Float32, float32(o.hyper["beta2"]))))
	}
}

// slotInits returns the initial value of each slot, as optim creates them.
func (o *Optimizer) slotInits() []float64 {
	h := o.hyper
	switch o.spec.Name {
	case "Adagrad", "ProximalAdagrad":
		return []float64{h["initial_accumulator_value"]}
	case "AdagradDA":
		return []float64{0, h["initial_gradient_squared_accumulator_value"]}
	case "RMSProp":
		if h["centered"] != 0 {
			return []float64{1, 0, 0}
		}
		return []float64{1, 0}
	case "Ftrl":
		return []float64{h["initial_accumulator_value"], 0}
	}
	return make([]float64, len(o.spec.Slots))
}

func filled(shape []int, dtype dtypes.DType, x float64) *tensors.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	switch dtype {
	case dtypes.Float32:
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(x)
		}
		return tensors.FromFlatDataAndDimensions(data, shape...)
	case dtypes.Float64:
		data := make([]float64, n)
		for i := range data {
			data[i] = float64(float32(x)) // hyper-parameters pass through float32 (TF)
		}
		return tensors.FromFlatDataAndDimensions(data, shape...)
	}
	panic(fmt.Sprintf("gomlxopt: variables of dtype %s are not supported (float32 or float64)", dtype))
}

func (o *Optimizer) updateVariable(ctx *context.Context, g *graph.Graph, v *context.Variable, grad, done *graph.Node,
	b1p, b2p *context.Variable) {
	dtype := v.DType()
	if dtype != dtypes.Float32 && dtype != dtypes.Float64 {
		panic(fmt.Sprintf("gomlxopt: %s: variable %s has dtype %s; only float32 and float64 are supported", o.spec.Name, v.ScopeAndName(), dtype))
	}
	if grad.DType() != dtype {
		grad = graph.ConvertDType(grad, dtype)
	}
	ctxSlots := ctx.InAbsPath(o.slotScope(v)).Checked(false)
	dims := v.Shape().Dimensions
	slotVars := make([]*context.Variable, len(o.spec.Slots))
	slots := make([]*graph.Node, len(o.spec.Slots))
	for k, name := range o.spec.Slots {
		slotVars[k] = ctxSlots.VariableWithValue(name, filled(dims, dtype, o.slotInits()[k])).SetTrainable(false)
		slots[k] = slotVars[k].ValueGraph(g)
	}
	h := o.hyper
	if o.lrScale != nil {
		if s := o.lrScale(v); s != 1 {
			h = maps.Clone(o.hyper)
			h["learning_rate"] *= s
		}
	}
	r := &ruleGraph{g: g, dtype: dtype, h: h}
	value := v.ValueGraph(g)
	var newValue *graph.Node
	switch o.spec.Name {
	case "GradientDescent":
		newValue = graph.Sub(value, graph.Mul(grad, r.c("learning_rate")))
	case "Momentum":
		newValue = r.momentum(value, grad, slots)
	case "Adam":
		newValue = r.adam(value, grad, slots, b1p.ValueGraph(g), b2p.ValueGraph(g))
	case "Adagrad":
		newValue = r.adagrad(value, grad, slots)
	case "AdagradDA":
		newValue = r.adagradDA(value, grad, slots, done)
	case "Adadelta":
		newValue = r.adadelta(value, grad, slots)
	case "RMSProp":
		newValue = r.rmsprop(value, grad, slots)
	case "Ftrl":
		newValue = r.ftrl(value, grad, slots)
	case "ProximalAdagrad":
		newValue = r.proximalAdagrad(value, grad, slots)
	case "ProximalGradientDescent":
		newValue = r.proximalGD(value, grad)
	default:
		panic("gomlxopt: no graph rule for " + o.spec.Name)
	}
	v.SetValueGraph(newValue)
	for k := range slotVars {
		slotVars[k].SetValueGraph(slots[k])
	}
}

// ruleGraph builds the update formulas of helpers/optim (rules.go) with
// graph operations, in the same order. Each method overwrites slots[k]
// with the slot's new value and returns the variable's new value.
type ruleGraph struct {
	g     *graph.Graph
	dtype dtypes.DType
	h     optim.Hyper
}

// c is a hyper-parameter as a scalar of the variable dtype, through float32.
func (r *ruleGraph) c(name string) *graph.Node { return r.k(r.h[name]) }

// k is a constant, rounded through float32 like a TF hyper-parameter.
func (r *ruleGraph) k(x float64) *graph.Node {
	return graph.Scalar(r.g, r.dtype, float64(float32(x)))
}

func (r *ruleGraph) one() *graph.Node  { return graph.ScalarOne(r.g, r.dtype) }
func (r *ruleGraph) zero() *graph.Node { return graph.ScalarZero(r.g, r.dtype) }

func rsqrt(x *graph.Node) *graph.Node { return graph.Reciprocal(graph.Sqrt(x)) }

func (r *ruleGraph) momentum(v, g *graph.Node, s []*graph.Node) *graph.Node {
	lr, mu := r.c("learning_rate"), r.c("momentum")
	a := graph.Add(graph.Mul(s[0], mu), g)
	s[0] = a
	if r.h["use_nesterov"] != 0 {
		return graph.Sub(v, graph.Add(graph.Mul(g, lr), graph.Mul(graph.Mul(a, mu), lr)))
	}
	return graph.Sub(v, graph.Mul(a, lr))
}

func (r *ruleGraph) adam(v, g *graph.Node, s []*graph.Node, b1p, b2p *graph.Node) *graph.Node {
	lr, b1, b2, eps := r.c("learning_rate"), r.c("beta1"), r.c("beta2"), r.c("epsilon")
	b1pT, b2pT := graph.ConvertDType(b1p, r.dtype), graph.ConvertDType(b2p, r.dtype)
	alpha := graph.Div(graph.Mul(lr, graph.Sqrt(graph.Sub(r.one(), b2pT))), graph.Sub(r.one(), b1pT))
	m := graph.Add(s[0], graph.Mul(graph.Sub(g, s[0]), graph.Sub(r.one(), b1)))
	vv := graph.Add(s[1], graph.Mul(graph.Sub(graph.Mul(g, g), s[1]), graph.Sub(r.one(), b2)))
	s[0], s[1] = m, vv
	return graph.Sub(v, graph.Div(graph.Mul(m, alpha), graph.Add(graph.Sqrt(vv), eps)))
}

func (r *ruleGraph) adagrad(v, g *graph.Node, s []*graph.Node) *graph.Node {
	acc := graph.Add(s[0], graph.Mul(g, g))
	s[0] = acc
	return graph.Sub(v, graph.Mul(graph.Mul(g, r.c("learning_rate")), rsqrt(acc)))
}

func (r *ruleGraph) adagradDA(v, g *graph.Node, s []*graph.Node, done *graph.Node) *graph.Node {
	lr, l1, l2 := r.c("learning_rate"), r.c("l1_regularization_strength"), r.c("l2_regularization_strength")
	// T = global_step + 1, converted to float32 as the kernel does.
	t := graph.ConvertDType(graph.ConvertDType(graph.Add(done, graph.OnesLike(done)), dtypes.Float32), r.dtype)
	den0 := graph.Mul(graph.Mul(t, l2), lr)
	ga := graph.Add(s[0], g)
	gg := graph.Add(s[1], graph.Mul(g, g))
	s[0], s[1] = ga, gg
	den := graph.Add(den0, graph.Sqrt(gg))
	negLR := graph.Mul(r.k(-1), lr)
	if r.h["l1_regularization_strength"] > 0 {
		shrunk := graph.Max(graph.Sub(graph.Abs(ga), graph.Mul(t, l1)), graph.ZerosLike(ga))
		return graph.Div(graph.Mul(graph.Mul(negLR, graph.Sign(ga)), shrunk), den)
	}
	_ = v // AdagradDA's new value does not depend on the old one
	return graph.Div(graph.Mul(negLR, ga), den)
}

func (r *ruleGraph) adadelta(v, g *graph.Node, s []*graph.Node) *graph.Node {
	lr, rho, eps := r.c("learning_rate"), r.c("rho"), r.c("epsilon")
	omr := graph.Sub(r.one(), rho)
	acc := graph.Add(graph.Mul(s[0], rho), graph.Mul(graph.Mul(g, g), omr))
	u := graph.Mul(graph.Mul(graph.Sqrt(graph.Add(s[1], eps)), rsqrt(graph.Add(acc, eps))), g)
	au := graph.Add(graph.Mul(s[1], rho), graph.Mul(graph.Mul(u, u), omr))
	s[0], s[1] = acc, au
	return graph.Sub(v, graph.Mul(u, lr))
}

func (r *ruleGraph) rmsprop(v, g *graph.Node, s []*graph.Node) *graph.Node {
	lr, rho, mu, eps := r.c("learning_rate"), r.c("decay"), r.c("momentum"), r.c("epsilon")
	omr := graph.Sub(r.one(), rho)
	ms := graph.Add(s[0], graph.Mul(graph.Sub(graph.Mul(g, g), s[0]), omr))
	s[0] = ms
	var den *graph.Node
	if r.h["centered"] != 0 {
		mg := graph.Add(s[2], graph.Mul(graph.Sub(g, s[2]), omr))
		s[2] = mg
		den = graph.Add(graph.Sub(ms, graph.Mul(mg, mg)), eps)
	} else {
		den = graph.Add(ms, eps)
	}
	mom := graph.Add(graph.Mul(s[1], mu), graph.Div(graph.Mul(g, lr), graph.Sqrt(den)))
	s[1] = mom
	return graph.Sub(v, mom)
}

func (r *ruleGraph) ftrl(v, g *graph.Node, s []*graph.Node) *graph.Node {
	h := r.h
	lr, l1 := r.c("learning_rate"), r.c("l1_regularization_strength")
	beta := h["beta"]
	if math.IsNaN(beta) {
		beta = 0
	}
	// ftrl.py folds beta into l2 with float32 arithmetic.
	l2f := float32(h["l2_regularization_strength"]) + float32(beta)/(2*max(float32(h["learning_rate"]), float32(1e-36)))
	twoL2 := graph.Mul(graph.Scalar(r.g, r.dtype, 2), graph.Scalar(r.g, r.dtype, float64(l2f)))
	n, z := s[0], s[1]
	gs := g
	if h["l2_shrinkage_regularization_strength"] > 0 {
		gs = graph.Add(g, graph.Mul(graph.Mul(graph.Scalar(r.g, r.dtype, 2), r.c("l2_shrinkage_regularization_strength")), v))
	}
	n1 := graph.Add(n, graph.Mul(g, g))
	var sigma, q *graph.Node
	if float32(h["learning_rate_power"]) == -0.5 {
		sigma = graph.Div(graph.Sub(graph.Sqrt(n1), graph.Sqrt(n)), lr)
		q = graph.Add(graph.Div(graph.Sqrt(n1), lr), twoL2)
	} else {
		p := graph.Neg(r.c("learning_rate_power"))
		sigma = graph.Div(graph.Sub(graph.Pow(n1, p), graph.Pow(n, p)), lr)
		q = graph.Add(graph.Div(graph.Pow(n1, p), lr), twoL2)
	}
	z = graph.Add(z, graph.Sub(gs, graph.Mul(sigma, v)))
	s[0], s[1] = n1, z
	pre := graph.Div(graph.Sub(graph.Mul(graph.Sign(z), l1), z), q)
	return graph.Where(graph.GreaterThan(graph.Abs(z), graph.BroadcastToShape(l1, z.Shape())), pre, graph.ZerosLike(z))
}

func (r *ruleGraph) proximalAdagrad(v, g *graph.Node, s []*graph.Node) *graph.Node {
	lr, l1, l2 := r.c("learning_rate"), r.c("l1_regularization_strength"), r.c("l2_regularization_strength")
	acc := graph.Add(s[0], graph.Mul(g, g))
	s[0] = acc
	eta := graph.Mul(rsqrt(acc), lr)
	p := graph.Sub(v, graph.Mul(g, eta))
	den := graph.Add(graph.Mul(eta, l2), r.one())
	if r.h["l1_regularization_strength"] > 0 {
		shrunk := graph.Max(graph.Sub(graph.Abs(p), graph.Mul(eta, l1)), graph.ZerosLike(p))
		return graph.Div(graph.Mul(graph.Sign(p), shrunk), den)
	}
	return graph.Div(p, den)
}

func (r *ruleGraph) proximalGD(v, g *graph.Node) *graph.Node {
	lr, l1, l2 := r.c("learning_rate"), r.c("l1_regularization_strength"), r.c("l2_regularization_strength")
	p := graph.Sub(v, graph.Mul(g, lr))
	den := graph.Add(r.one(), graph.Mul(lr, l2))
	if r.h["l1_regularization_strength"] > 0 {
		shrunk := graph.Max(graph.Sub(graph.Abs(p), graph.Mul(lr, l1)), graph.ZerosLike(p))
		return graph.Div(graph.Mul(graph.Sign(p), shrunk), den)
	}
	return graph.Div(p, den)
}
