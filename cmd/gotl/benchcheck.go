package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/util"
)

// gotl bench --outputs FILE writes the forward outputs of its fixed input
// (randomImages) through the network's fixed random weights; --reference
// FILE compares a run's outputs with such a file. scripts/gpu_build.sh
// writes the references on the CPU here and scripts/gpu_run.sh checks XLA
// on a GPU against them, where no Go and no second backend are available.

// benchOutputs is the --outputs file.
type benchOutputs struct {
	Model   string        `json:"model"`
	Batch   int           `json:"batch"`
	Backend string        `json:"backend"`
	Tensors []benchTensor `json:"tensors"`
	Note    string        `json:"note,omitempty"`
}

type benchTensor struct {
	Name   string    `json:"name"`
	Shape  []int64   `json:"shape"`
	Values []float32 `json:"values"`
}

// benchCheck is a --reference comparison, part of gotl bench's JSON.
type benchCheck struct {
	Reference        string             `json:"reference"`
	ReferenceBackend string             `json:"reference_backend"`
	Tolerance        float64            `json:"tolerance"` // on RelL2Diff
	Tensors          []benchTensorCheck `json:"tensors"`
	OK               bool               `json:"ok"`
}

type benchTensorCheck struct {
	Name       string  `json:"name"`
	MaxAbsDiff float64 `json:"max_abs_diff"`
	// RelL2Diff is ‖out − ref‖ / ‖ref‖: float32 arithmetic in another order
	// lands far under 1e-3, TensorFloat-32 matrix products near it.
	RelL2Diff float64 `json:"rel_l2_diff"`
	MaxAbsRef float64 `json:"max_abs_ref"`
	NonFinite int     `json:"non_finite"`
	// ArgmaxAgree is the fraction of rows (images) of a [batch, n] tensor
	// whose largest element is at the same index: the classification-level
	// check, which a saturated softmax (Inception's random weights give
	// one-hot outputs) passes or fails as a whole row.
	ArgmaxAgree float64 `json:"argmax_agree"`
}

// benchFetches are the tensors a checked forward run fetches: the forward
// output and the bottleneck (once if they are the same tensor). The
// bottleneck is the stronger check: a softmax over 1001 classes from random
// weights is nearly uniform.
func benchFetches(net benchNet, checked bool) []string {
	if !checked || net.train == net.fetch {
		return []string{net.fetch}
	}
	return []string{net.fetch, net.train}
}

func newBenchOutputs(model string, batch int, backend string, names []string, outs []*tensor.Tensor) (*benchOutputs, error) {
	o := &benchOutputs{Model: model, Batch: batch, Backend: backend,
		Note: "gotl bench's fixed input (PCG(3,4), uniform in [-1,1)) through the network's fixed random weights"}
	for i, t := range outs {
		v, err := t.Float32s()
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", names[i], err)
		}
		o.Tensors = append(o.Tensors, benchTensor{Name: names[i], Shape: slices.Clone(t.Shape), Values: v})
	}
	return o, nil
}

func writeBenchOutputs(path string, o *benchOutputs) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return util.WriteFileAtomic(path, append(data, '\n'), 0o644)
}

func readBenchOutputs(path string) (*benchOutputs, error) {
	data, err := limits.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--reference: %w", err)
	}
	var o benchOutputs
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("--reference %s: not a gotl bench --outputs file: %w", path, err)
	}
	for _, t := range o.Tensors {
		if tensor.NumElements(t.Shape) != int64(len(t.Values)) {
			return nil, fmt.Errorf("--reference %s: tensor %s has %d values for shape %v", path, t.Name, len(t.Values), t.Shape)
		}
	}
	return &o, nil
}

// compareBenchOutputs compares got with the reference ref (read from path).
// A model, batch, tensor name or shape that differs is an error; values that
// differ by more than tol (relative L2) give OK false.
func compareBenchOutputs(path string, ref, got *benchOutputs, tol float64) (*benchCheck, error) {
	if ref.Model != got.Model || ref.Batch != got.Batch {
		return nil, fmt.Errorf("--reference %s holds %s at batch %d, not %s at batch %d", path, ref.Model, ref.Batch, got.Model, got.Batch)
	}
	c := &benchCheck{Reference: path, ReferenceBackend: ref.Backend, Tolerance: tol, OK: true}
	for _, g := range got.Tensors {
		i := slices.IndexFunc(ref.Tensors, func(r benchTensor) bool { return r.Name == g.Name })
		if i < 0 {
			return nil, fmt.Errorf("--reference %s has no tensor %s", path, g.Name)
		}
		r := ref.Tensors[i]
		if !slices.Equal(r.Shape, g.Shape) {
			return nil, fmt.Errorf("--reference %s: tensor %s has shape %v, this run %v", path, g.Name, r.Shape, g.Shape)
		}
		tc := benchTensorCheck{Name: g.Name}
		var diff2, ref2 float64
		for k, v := range g.Values {
			rv, gv := float64(r.Values[k]), float64(v)
			if math.IsNaN(gv) || math.IsInf(gv, 0) {
				tc.NonFinite++
				continue
			}
			d := math.Abs(gv - rv)
			tc.MaxAbsDiff = math.Max(tc.MaxAbsDiff, d)
			tc.MaxAbsRef = math.Max(tc.MaxAbsRef, math.Abs(rv))
			diff2 += d * d
			ref2 += rv * rv
		}
		// An all-zero reference gives a huge (but JSON-encodable) ratio
		// unless the outputs are zero too.
		tc.RelL2Diff = math.Sqrt(diff2) / math.Max(math.Sqrt(ref2), 1e-30)
		tc.ArgmaxAgree = argmaxAgreement(g.Shape, g.Values, r.Values)
		if tc.NonFinite > 0 || !(tc.RelL2Diff <= tol) {
			c.OK = false
		}
		c.Tensors = append(c.Tensors, tc)
	}
	return c, nil
}

// argmaxAgreement returns the fraction of rows of a rank-2 tensor whose
// argmax is the same in a and b (1 for other ranks or no rows).
func argmaxAgreement(shape []int64, a, b []float32) float64 {
	if len(shape) != 2 || shape[0] == 0 || shape[1] == 0 {
		return 1
	}
	rows, n := int(shape[0]), int(shape[1])
	agree := 0
	for i := range rows {
		if argmax(a[i*n:(i+1)*n]) == argmax(b[i*n:(i+1)*n]) {
			agree++
		}
	}
	return float64(agree) / float64(rows)
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
