package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Config names an optimizer and its hyper-parameters with TF1's constructor
// argument names (learning_rate, beta1, initial_accumulator_value, …).
// Parameters left out take TF1's defaults; required ones without a default
// (such as GradientDescent's learning_rate) must be given.
type Config struct {
	// Optimizer is the TF1 class name, with or without the "Optimizer"
	// suffix, in any letter case: "Adam", "AdamOptimizer", "rmsprop".
	Optimizer string `json:"optimizer"`
	// LearningRate, when > 0, is learning_rate: the typed way to set the
	// one hyper-parameter every optimizer has, as training configurations
	// and command-line flags do. It takes precedence over
	// Params["learning_rate"].
	LearningRate float64 `json:"learning_rate,omitempty"`
	// Params maps argument names to values: numbers (float64, float32, int,
	// json.Number, numeric strings) or bools (use_nesterov, centered).
	Params map[string]any `json:"params,omitempty"`
}

// Label names the configuration for legends and tables: the optimizer,
// with "(nesterov)" or "(centered,momentum)" when those flags are set:
// "Momentum(nesterov)".
func (c Config) Label() string {
	l := c.Optimizer
	switch {
	case c.Params["use_nesterov"] == true:
		l += "(nesterov)"
	case c.Params["centered"] == true:
		l += "(centered,momentum)"
	}
	return l
}

// String writes the configuration as a TF1 constructor call with the
// arguments given, sorted by name: "Adam(learning_rate=0.1)",
// "RMSProp(centered=True, learning_rate=0.01, momentum=0.9)". LearningRate,
// when set, is the learning_rate shown.
func (c Config) String() string {
	args := map[string]string{}
	for k, v := range c.Params {
		switch v := v.(type) {
		case bool:
			args[k] = map[bool]string{true: "True", false: "False"}[v]
		case float64:
			args[k] = strconv.FormatFloat(v, 'g', -1, 64)
		case float32:
			args[k] = strconv.FormatFloat(float64(v), 'g', -1, 32)
		default:
			args[k] = fmt.Sprint(v)
		}
	}
	if c.LearningRate > 0 {
		args["learning_rate"] = strconv.FormatFloat(c.LearningRate, 'g', -1, 64)
	}
	names := make([]string, 0, len(args))
	for k := range args {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		names[i] = k + "=" + args[k]
	}
	return c.Optimizer + "(" + strings.Join(names, ", ") + ")"
}

// WithLearningRate returns a copy of c with LearningRate set to lr and
// learning_rate left out of Params (which are copied, so c's stay as they
// are): the same optimizer at another rate. lr must be positive for the
// copy to resolve to it (see LearningRate).
func (c Config) WithLearningRate(lr float64) Config {
	out := Config{Optimizer: c.Optimizer, LearningRate: lr, Params: map[string]any{}}
	for k, v := range c.Params {
		if k != "learning_rate" {
			out.Params[k] = v
		}
	}
	return out
}

// ParamKind says what kind of value a parameter takes.
type ParamKind int

const (
	// Number is a real-valued hyper-parameter.
	Number ParamKind = iota
	// Bool is a flag such as use_nesterov.
	Bool
	// Ignored parameters (use_locking, name) are accepted for compatibility
	// with TF1 call sites but change nothing here.
	Ignored
)

// Param describes one constructor argument.
type Param struct {
	Name     string
	Kind     ParamKind
	Required bool    // no default in TF1
	Default  float64 // for Bool: 0 or 1; NaN for "None"
	Doc      string
}

// Spec describes one optimizer: its TF1 name, arguments and slot names.
type Spec struct {
	Name   string // canonical TF1 name without the "Optimizer" suffix
	Params []Param
	Slots  []string // slot names, in TF's creation order (RMSProp's "mg" only when centered)
	Doc    string   // one sentence
}

func num(name string, def float64, doc string) Param {
	return Param{Name: name, Default: def, Doc: doc}
}
func req(name, doc string) Param         { return Param{Name: name, Required: true, Doc: doc} }
func flag(name string, doc string) Param { return Param{Name: name, Kind: Bool, Doc: doc} }

var ignoredParams = []Param{
	{Name: "use_locking", Kind: Ignored, Doc: "accepted and ignored (no concurrency here)"},
	{Name: "name", Kind: Ignored, Doc: "accepted and ignored"},
}

var specs = []Spec{
	{Name: "GradientDescent", Params: []Param{req("learning_rate", "step size")},
		Doc: "Plain gradient descent: var -= lr·g."},
	{Name: "Momentum", Params: []Param{req("learning_rate", "step size"), req("momentum", "decay of the accumulated gradient"),
		flag("use_nesterov", "TF's Nesterov approximation")},
		Slots: []string{"momentum"},
		Doc:   "Accumulates a = momentum·a + g and steps by lr·a (Nesterov: lr·g + lr·momentum·a)."},
	{Name: "Adam", Params: []Param{num("learning_rate", 0.001, "step size α"), num("beta1", 0.9, "first-moment decay"),
		num("beta2", 0.999, "second-moment decay"), num("epsilon", 1e-8, "ε̂, added to sqrt(v) (not the bias-corrected v̂)")},
		Slots: []string{"m", "v"},
		Doc:   "Bias-corrected moving averages of g and g², step α_t·m/(sqrt(v)+ε̂)."},
	{Name: "Adagrad", Params: []Param{req("learning_rate", "step size"), num("initial_accumulator_value", 0.1, "start of the sum of squares (> 0)")},
		Slots: []string{"accumulator"},
		Doc:   "Divides the step by the root of the running sum of squared gradients."},
	{Name: "AdagradDA", Params: []Param{req("learning_rate", "step size"),
		num("initial_gradient_squared_accumulator_value", 0.1, "start of the sum of squares (> 0)"),
		num("l1_regularization_strength", 0, "L1"), num("l2_regularization_strength", 0, "L2"),
		{Name: "global_step", Kind: Ignored, Doc: "TF passes a tensor; here the optimizer's own step counter is used (T = steps done + 1)"}},
		Slots: []string{"gradient_accumulator", "gradient_squared_accumulator"},
		Doc:   "Dual averaging: var is a closed form of the gradient sum and the sum of squares."},
	{Name: "Adadelta", Params: []Param{num("learning_rate", 0.001, "scale (Zeiler's paper: 1.0)"), num("rho", 0.95, "decay"), num("epsilon", 1e-8, "conditioning")},
		Slots: []string{"accum", "accum_update"},
		Doc:   "Scales g by RMS(previous updates)/RMS(gradients), needing no global learning rate."},
	{Name: "RMSProp", Params: []Param{req("learning_rate", "step size"), num("decay", 0.9, "ρ, mean-square decay"),
		num("momentum", 0, "momentum of the step"), num("epsilon", 1e-10, "added inside the sqrt"),
		flag("centered", "divide by the estimated variance instead of the mean square")},
		Slots: []string{"rms", "momentum", "mg"},
		Doc:   "Divides g by the root of a moving mean square (rms starts at 1), with optional momentum and centering."},
	{Name: "Ftrl", Params: []Param{req("learning_rate", "step size"), num("learning_rate_power", -0.5, "≤ 0; -0.5 is Adagrad-like, 0 a fixed rate"),
		num("initial_accumulator_value", 0.1, "start of the sum of squares (≥ 0)"),
		num("l1_regularization_strength", 0, "L1 (≥ 0)"), num("l2_regularization_strength", 0, "L2 (≥ 0)"),
		num("l2_shrinkage_regularization_strength", 0, "L2 on the weights added to the gradient (≥ 0)"),
		{Name: "beta", Default: math.NaN(), Doc: "None means 0; folded into l2 as beta/(2·lr)"},
		{Name: "accum_name", Kind: Ignored, Doc: "accepted and ignored"}, {Name: "linear_name", Kind: Ignored, Doc: "accepted and ignored"}},
		Slots: []string{"accum", "linear"},
		Doc:   "Follow-the-regularized-leader (FTRL-Proximal): var is a closed form of the linear term z and the accumulator n."},
	{Name: "ProximalAdagrad", Params: []Param{req("learning_rate", "step size"), num("initial_accumulator_value", 0.1, "start of the sum of squares (> 0)"),
		num("l1_regularization_strength", 0, "L1"), num("l2_regularization_strength", 0, "L2")},
		Slots: []string{"accumulator"},
		Doc:   "An Adagrad step followed by the L1 soft-threshold and L2 shrink (FOBOS)."},
	{Name: "ProximalGradientDescent", Params: []Param{req("learning_rate", "step size"),
		num("l1_regularization_strength", 0, "L1"), num("l2_regularization_strength", 0, "L2")},
		Doc: "A gradient-descent step followed by the L1 soft-threshold and L2 shrink."},
}

// Specs returns the descriptions of every optimizer, in a fixed order.
func Specs() []Spec {
	out := make([]Spec, len(specs))
	for i, s := range specs {
		s.Params = append(append([]Param(nil), s.Params...), ignoredParams...)
		out[i] = s
	}
	return out
}

// Names returns the canonical optimizer names, in the order of Specs.
func Names() []string {
	n := make([]string, len(specs))
	for i, s := range specs {
		n[i] = s.Name
	}
	return n
}

// Lookup finds an optimizer's Spec by name ("Adam", "AdamOptimizer",
// "adam"); the error lists the valid names.
func Lookup(name string) (Spec, error) {
	key := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "Optimizer"))
	key = strings.TrimSuffix(key, "optimizer")
	key = strings.NewReplacer("_", "", "-", "").Replace(key)
	for _, s := range Specs() {
		if strings.ToLower(s.Name) == key {
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("optim: unknown optimizer %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// Hyper holds resolved hyper-parameters: every parameter of the optimizer,
// defaults filled in, as float64 (bools as 0 or 1, beta=None as NaN).
type Hyper map[string]float64

// Resolve validates cfg against the optimizer's Spec and TF1's argument
// checks and returns the canonical name and the full parameter set.
func (cfg Config) Resolve() (Spec, Hyper, error) {
	spec, err := Lookup(cfg.Optimizer)
	if err != nil {
		return Spec{}, nil, err
	}
	h := Hyper{}
	byName := map[string]Param{}
	for _, p := range spec.Params {
		byName[p.Name] = p
		if p.Kind != Ignored && !p.Required {
			h[p.Name] = p.Default
		}
	}
	keys := make([]string, 0, len(cfg.Params))
	for k := range cfg.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, ok := byName[k]
		if !ok {
			return Spec{}, nil, fmt.Errorf("optim: %s has no parameter %q (valid: %s)", spec.Name, k, paramNames(spec))
		}
		if p.Kind == Ignored {
			continue
		}
		v, err := toFloat(cfg.Params[k], p.Kind)
		if err != nil {
			return Spec{}, nil, fmt.Errorf("optim: %s parameter %s: %w", spec.Name, k, err)
		}
		h[k] = v
	}
	if lr := cfg.LearningRate; lr != 0 {
		if !(lr > 0) || math.IsInf(lr, 0) {
			return Spec{}, nil, fmt.Errorf("optim: %s: LearningRate must be a positive number, got %v", spec.Name, lr)
		}
		h["learning_rate"] = lr
	}
	for _, p := range spec.Params {
		if p.Required {
			if _, ok := h[p.Name]; !ok {
				return Spec{}, nil, fmt.Errorf("optim: %s needs parameter %s (no default in TF1)", spec.Name, p.Name)
			}
		}
	}
	if err := validate(spec.Name, h); err != nil {
		return Spec{}, nil, err
	}
	if spec.Name == "RMSProp" && h["centered"] == 0 {
		spec.Slots = []string{"rms", "momentum"}
	}
	return spec, h, nil
}

func paramNames(s Spec) string {
	n := make([]string, len(s.Params))
	for i, p := range s.Params {
		n[i] = p.Name
	}
	return strings.Join(n, ", ")
}

func toFloat(v any, kind ParamKind) (float64, error) {
	if kind == Bool {
		switch b := v.(type) {
		case bool:
			if b {
				return 1, nil
			}
			return 0, nil
		case string:
			pb, err := strconv.ParseBool(b)
			if err != nil {
				return 0, fmt.Errorf("want true or false, got %q", b)
			}
			if pb {
				return 1, nil
			}
			return 0, nil
		}
		return 0, fmt.Errorf("want true or false, got %v (%T)", v, v)
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return 0, fmt.Errorf("want a number, got %q", x)
		}
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, fmt.Errorf("want a number, got %q", x)
		}
	case nil:
		return math.NaN(), nil // Python None (only meaningful for Ftrl's beta)
	default:
		return 0, fmt.Errorf("want a number, got %v (%T)", v, v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("want a finite number, got %v", f)
	}
	return f, nil
}

// validate applies the argument checks TF1's constructors (and CPU kernels)
// make.
func validate(name string, h Hyper) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("optim: %s: "+format, append([]any{name}, a...)...)
	}
	if v, ok := h["learning_rate"]; ok && math.IsNaN(v) {
		return bad("learning_rate is None")
	}
	switch name {
	case "Adagrad", "ProximalAdagrad":
		if h["initial_accumulator_value"] <= 0 {
			return bad("initial_accumulator_value must be positive: %v", h["initial_accumulator_value"])
		}
		if name == "ProximalAdagrad" {
			if h["learning_rate"] <= 0 {
				return bad("learning_rate must be positive: %v", h["learning_rate"])
			}
			if h["l1_regularization_strength"] < 0 || h["l2_regularization_strength"] < 0 {
				return bad("regularization strengths must be non-negative")
			}
		}
	case "AdagradDA":
		if h["initial_gradient_squared_accumulator_value"] <= 0 {
			return bad("initial_gradient_squared_accumulator_value must be positive: %v", h["initial_gradient_squared_accumulator_value"])
		}
	case "Ftrl":
		if h["initial_accumulator_value"] < 0 {
			return bad("initial_accumulator_value %v needs to be positive or zero", h["initial_accumulator_value"])
		}
		if h["learning_rate_power"] > 0 {
			return bad("learning_rate_power %v needs to be negative or zero", h["learning_rate_power"])
		}
		for _, k := range []string{"l1_regularization_strength", "l2_regularization_strength", "l2_shrinkage_regularization_strength"} {
			if h[k] < 0 {
				return bad("%s %v needs to be positive or zero", k, h[k])
			}
		}
	case "ProximalGradientDescent":
		if h["l1_regularization_strength"] < 0 || h["l2_regularization_strength"] < 0 {
			return bad("regularization strengths must be non-negative")
		}
	}
	return nil
}

// Arguments writes the constructor's arguments as TF1's signature reads,
// leaving out those ignored here: "learning_rate (required), momentum
// (required), use_nesterov=False".
func (s Spec) Arguments() string {
	var args []string
	for _, p := range s.Params {
		switch {
		case p.Kind == Ignored:
		case p.Required:
			args = append(args, p.Name+" (required)")
		case p.Kind == Bool && p.Default != 0:
			args = append(args, p.Name+"=True")
		case p.Kind == Bool:
			args = append(args, p.Name+"=False")
		case math.IsNaN(p.Default):
			args = append(args, p.Name+"=None")
		default:
			args = append(args, fmt.Sprintf("%s=%g", p.Name, p.Default))
		}
	}
	return strings.Join(args, ", ")
}

// RequiresLearningRate reports whether TF1's constructor has no default
// learning rate, so that New refuses a Config without one.
func (s Spec) RequiresLearningRate() bool {
	for _, p := range s.Params {
		if p.Name == "learning_rate" {
			return p.Required
		}
	}
	return false
}
