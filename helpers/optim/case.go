package optim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gotl/gotl/helpers/limits"
)

// Case is one reproducible optimizer run, the JSON format of
// "gotl optimize --case":
//
//	{"optimizer": "Ftrl", "params": {"learning_rate": 3.0},
//	 "initial_vars": {"var0": [1, 2]}, "var_shapes": {"var0": [2, 1]},
//	 "grads": {"var0": [0.1, 0.2]}, "grads_mode": "constant", "steps": 10,
//	 "dtype": "float32"}
//
// A gradient is a list of numbers (dense, nesting allowed) or
// {"indices": [...], "values": [[row], ...]} (sparse). With grads_mode
// "per_step" each variable's gradient is a list holding one gradient per
// step. var_shapes defaults to 1-D; dtype to float32.
type Case struct {
	Optimizer   string                     `json:"optimizer"`
	Params      map[string]any             `json:"params"`
	InitialVars map[string]json.RawMessage `json:"initial_vars"`
	VarShapes   map[string][]int           `json:"var_shapes,omitempty"`
	Grads       map[string]json.RawMessage `json:"grads"`
	GradsMode   string                     `json:"grads_mode,omitempty"`
	Steps       *int                       `json:"steps,omitempty"`
	DType       string                     `json:"dtype,omitempty"`
}

// CaseResult is the outcome of a Case: final variables and slots, flattened
// in row-major order. Values are float64 (float32 results converted
// exactly); non-finite values appear as JSON null.
type CaseResult struct {
	Vars  map[string][]float64            `json:"vars"`
	Slots map[string]map[string][]float64 `json:"slots"`
	// DType says how to print the numbers (shortest form for that type).
	DType string `json:"-"`
}

// ParseCase decodes a Case, rejecting unknown fields; name labels errors.
func ParseCase(r io.Reader, name string) (Case, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var c Case
	if err := dec.Decode(&c); err != nil {
		return Case{}, fmt.Errorf("optim: case %s: %w", name, err)
	}
	if dec.More() {
		return Case{}, fmt.Errorf("optim: case %s: trailing data after the JSON object", name)
	}
	return c, nil
}

// maxCaseElements bounds what a case may allocate (values × steps); steps
// themselves are bounded by limits.Steps.
const maxCaseElements = 1 << 26

// RunCase runs c and returns the final state.
func RunCase(c Case) (CaseResult, error) {
	switch c.DType {
	case "", "float32":
		return runCase[float32](c, "float32")
	case "float64":
		return runCase[float64](c, "float64")
	}
	return CaseResult{}, fmt.Errorf("optim: case: dtype %q not supported (float32 or float64)", c.DType)
}

func runCase[T Float](c Case, dtype string) (CaseResult, error) {
	opt, err := New[T](Config{Optimizer: c.Optimizer, Params: c.Params})
	if err != nil {
		return CaseResult{}, err
	}
	if len(c.InitialVars) == 0 {
		return CaseResult{}, fmt.Errorf("optim: case: initial_vars is empty")
	}
	for name := range c.VarShapes {
		if _, ok := c.InitialVars[name]; !ok {
			return CaseResult{}, fmt.Errorf("optim: case: var_shapes names %q, which is not in initial_vars", name)
		}
	}
	names := make([]string, 0, len(c.InitialVars))
	for n := range c.InitialVars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		vals, err := flattenJSON(c.InitialVars[n])
		if err != nil {
			return CaseResult{}, fmt.Errorf("optim: case: initial_vars.%s: %w", n, err)
		}
		if err := opt.AddVar(n, conv[T](vals), c.VarShapes[n]...); err != nil {
			return CaseResult{}, err
		}
	}
	perStep := false
	switch c.GradsMode {
	case "", "constant":
	case "per_step":
		perStep = true
	default:
		return CaseResult{}, fmt.Errorf("optim: case: grads_mode %q (want constant or per_step)", c.GradsMode)
	}
	steps := -1
	if c.Steps != nil {
		steps = *c.Steps
		if steps < 0 {
			return CaseResult{}, fmt.Errorf("optim: case: negative steps %d", steps)
		}
		if err := limits.Steps.Check(int64(steps), "optim: case"); err != nil {
			return CaseResult{}, err
		}
	}
	// schedule[name][step] is the gradient of that step (one entry if constant).
	schedule := map[string][]Grad[T]{}
	for name, raw := range c.Grads {
		i, ok := opt.index[name]
		if !ok {
			return CaseResult{}, fmt.Errorf("optim: case: grads names %q, which is not in initial_vars (have %s)", name, strings.Join(names, ", "))
		}
		var entries []json.RawMessage
		if perStep {
			if err := json.Unmarshal(raw, &entries); err != nil {
				return CaseResult{}, fmt.Errorf("optim: case: grads.%s: per_step wants a list with one gradient per step: %w", name, err)
			}
			if steps < 0 {
				steps = len(entries)
			}
			if len(entries) != steps {
				return CaseResult{}, fmt.Errorf("optim: case: grads.%s has %d per-step gradients for %d steps", name, len(entries), steps)
			}
		} else {
			entries = []json.RawMessage{raw}
		}
		if len(entries)*len(opt.vars[i].value) > maxCaseElements {
			return CaseResult{}, fmt.Errorf("optim: case: grads.%s is too large", name)
		}
		for k, e := range entries {
			g, err := parseGrad[T](e)
			if err != nil {
				where := "grads." + name
				if perStep {
					where += "[" + strconv.Itoa(k) + "]"
				}
				return CaseResult{}, fmt.Errorf("optim: case: %s: %w", where, err)
			}
			if err := checkGrad(opt.vars[i], g); err != nil {
				return CaseResult{}, fmt.Errorf("optim: case: %w", err)
			}
			schedule[name] = append(schedule[name], g)
		}
	}
	if steps < 0 {
		return CaseResult{}, fmt.Errorf("optim: case: steps is missing")
	}
	for s := 0; s < steps; s++ {
		grads := map[string]Grad[T]{}
		for name, gs := range schedule {
			if perStep {
				grads[name] = gs[s]
			} else {
				grads[name] = gs[0]
			}
		}
		if err := opt.Step(grads); err != nil {
			return CaseResult{}, err
		}
	}
	res := CaseResult{Vars: map[string][]float64{}, Slots: map[string]map[string][]float64{}, DType: dtype}
	for _, n := range names {
		res.Vars[n] = toF64(opt.Var(n))
		res.Slots[n] = map[string][]float64{}
		for _, s := range opt.SlotNames() {
			res.Slots[n][s] = toF64(opt.Slot(n, s))
		}
	}
	return res, nil
}

func toF64[T Float](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func conv[T Float](x []float64) []T {
	if x == nil {
		return nil
	}
	out := make([]T, len(x))
	for i, v := range x {
		out[i] = T(v)
	}
	return out
}

func parseGrad[T Float](raw json.RawMessage) (Grad[T], error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var sp struct {
			Indices []int           `json:"indices"`
			Values  json.RawMessage `json:"values"`
		}
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sp); err != nil {
			return Grad[T]{}, fmt.Errorf("sparse gradient wants {\"indices\": [...], \"values\": [[...]]}: %w", err)
		}
		if sp.Indices == nil {
			sp.Indices = []int{}
		}
		vals, err := flattenJSON(sp.Values)
		if err != nil {
			return Grad[T]{}, fmt.Errorf("values: %w", err)
		}
		return Sparse(sp.Indices, conv[T](vals)), nil
	}
	vals, err := flattenJSON(raw)
	if err != nil {
		return Grad[T]{}, err
	}
	return Dense(conv[T](vals)), nil
}

// flattenJSON reads a number or (nested) list of numbers, row-major.
func flattenJSON(raw json.RawMessage) ([]float64, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	out := []float64{}
	var walk func(any) error
	walk = func(x any) error {
		switch t := x.(type) {
		case json.Number:
			f, err := t.Float64()
			if err != nil {
				return fmt.Errorf("bad number %s", t)
			}
			out = append(out, f)
		case []any:
			for _, e := range t {
				if err := walk(e); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("want numbers or lists of numbers, got %v", x)
		}
		if len(out) > maxCaseElements {
			return fmt.Errorf("too many values")
		}
		return nil
	}
	return out, walk(v)
}

// MarshalJSON writes the result with each number in the shortest form that
// round-trips in the case's dtype, and null for NaN or ±Inf.
func (r CaseResult) MarshalJSON() ([]byte, error) {
	bits := 64
	if r.DType == "" || r.DType == "float32" {
		bits = 32
	}
	var b bytes.Buffer
	list := func(x []float64) {
		b.WriteByte('[')
		for i, v := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b.WriteString("null")
			} else {
				b.WriteString(strconv.FormatFloat(v, 'g', -1, bits))
			}
		}
		b.WriteByte(']')
	}
	key := func(k string) {
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
	}
	b.WriteString(`{"vars":{`)
	for i, n := range sortedKeys(r.Vars) {
		if i > 0 {
			b.WriteByte(',')
		}
		key(n)
		list(r.Vars[n])
	}
	b.WriteString(`},"slots":{`)
	for i, n := range sortedKeys(r.Slots) {
		if i > 0 {
			b.WriteByte(',')
		}
		key(n)
		b.WriteByte('{')
		for j, s := range sortedKeys(r.Slots[n]) {
			if j > 0 {
				b.WriteByte(',')
			}
			key(s)
			list(r.Slots[n][s])
		}
		b.WriteByte('}')
	}
	b.WriteString("}}")
	return b.Bytes(), nil
}
