package gomlxopt

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gotl/gotl/helpers/optim"
)

// Comparison reports how far this package's updates, run on a backend, are
// from helpers/optim's on the same gradients.
type Comparison struct {
	Optimizer string
	Steps     int
	// MaxRelDiff32 and MaxRelDiff64 are the largest |a-b|/max(1,|b|) over
	// every step, element, variable and slot, for a float32 and a float64
	// variable.
	MaxRelDiff32, MaxRelDiff64 float64
}

// Compare runs cfg for steps steps on backend with pseudo-random gradients
// (seeded by seed), on a float32 [2,3] and a float64 [3] variable, and
// compares every step with helpers/optim. Use it to check a backend (for
// example XLA on a GPU, whose kernels may round differently) before trusting
// it for TF-exact training.
func Compare(backend backends.Backend, cfg optim.Config, steps int, seed uint64) (cmp Comparison, err error) {
	defer func() {
		if r := recover(); r != nil { // GoMLX reports graph-building errors by panicking
			err = fmt.Errorf("gomlxopt: compare %s: %v", cfg.Optimizer, r)
		}
	}()
	opt, err := New(cfg)
	if err != nil {
		return cmp, err
	}
	cmp = Comparison{Optimizer: opt.Name(), Steps: steps}
	w0 := []float32{0.5, -1, 1.5, 2, -0.25, 0}
	b0 := []float64{0.1, -0.2, 0.3}
	ref32, err := optim.New[float32](cfg)
	if err != nil {
		return cmp, err
	}
	ref64, _ := optim.New[float64](cfg)
	ref32.AddVar("w", w0, 2, 3)
	ref64.AddVar("b", b0)

	ctx := context.New()
	wVar := ctx.In("compare").VariableWithValue("w", tensors.FromFlatDataAndDimensions(append([]float32(nil), w0...), 2, 3))
	bVar := ctx.In("compare").VariableWithValue("b", append([]float64(nil), b0...))
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, gw, gb *graph.Node) *graph.Node {
		g := gw.Graph()
		_, _ = wVar.ValueGraph(g), bVar.ValueGraph(g)
		opt.UpdateGraphWithGradients(ctx, []*graph.Node{gw, gb}, gw.DType())
		return graph.ReduceAllSum(gw)
	})
	if err != nil {
		return cmp, err
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	diff := func(max *float64, got, want float64) {
		d := math.Abs(got-want) / math.Max(1, math.Abs(want))
		if d > *max || math.IsNaN(d) {
			*max = d
		}
	}
	for step := 0; step < steps; step++ {
		gw := make([]float32, 6)
		for i := range gw {
			gw[i] = float32(rng.NormFloat64())
		}
		gb := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		if _, err := exec.Exec(tensors.FromFlatDataAndDimensions(gw, 2, 3), gb); err != nil {
			return cmp, fmt.Errorf("gomlxopt: compare %s: %w", cfg.Optimizer, err)
		}
		ref32.Step(map[string]optim.Grad[float32]{"w": optim.Dense(gw)})
		ref64.Step(map[string]optim.Grad[float64]{"b": optim.Dense(gb)})
		pairs32 := [][2][]float32{{tensors.MustCopyFlatData[float32](wVar.MustValue()), ref32.Var("w")}}
		pairs64 := [][2][]float64{{tensors.MustCopyFlatData[float64](bVar.MustValue()), ref64.Var("b")}}
		for _, s := range opt.SlotNames() {
			pairs32 = append(pairs32, [2][]float32{tensors.MustCopyFlatData[float32](opt.SlotVariable(ctx, wVar, s).MustValue()), ref32.Slot("w", s)})
			pairs64 = append(pairs64, [2][]float64{tensors.MustCopyFlatData[float64](opt.SlotVariable(ctx, bVar, s).MustValue()), ref64.Slot("b", s)})
		}
		for _, p := range pairs32 {
			for i := range p[1] {
				diff(&cmp.MaxRelDiff32, float64(p[0][i]), float64(p[1][i]))
			}
		}
		for _, p := range pairs64 {
			for i := range p[1] {
				diff(&cmp.MaxRelDiff64, p[0][i], p[1][i])
			}
		}
	}
	return cmp, nil
}
