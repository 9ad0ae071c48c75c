package graphrun

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// syntheticImage returns a deterministic [n, h, w, 3] float image in [-1, 1].
func syntheticImage(t testing.TB, n, h, w int, seed uint64) *tensor.Tensor {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	v := make([]float32, n*h*w*3)
	for i := range v {
		y := (i / (w * 3)) % h
		x := (i / 3) % w
		c := i % 3
		v[i] = float32(math.Sin(float64(x*(c+1))/9+float64(y)/13+float64(seed))*0.8 + 0.2*(r.Float64()*2-1))
	}
	tt, err := tensor.FromFloat32s([]int64{int64(n), int64(h), int64(w), 3}, v)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func floats(t testing.TB, x *tensor.Tensor) []float32 {
	t.Helper()
	v, err := x.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRetrainedMobileNet(t *testing.T) {
	g, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"input:0"}, []string{"final_result:0"})
	if err != nil {
		t.Fatal(err)
	}
	img := syntheticImage(t, 2, 128, 128, 1)
	out, err := m.Run(img)
	if err != nil {
		t.Fatal(err)
	}
	p := floats(t, out[0])
	if got := out[0].Shape; len(got) != 2 || got[0] != 2 || got[1] != 6 {
		t.Fatalf("shape %v, want [2 6]", got)
	}
	for b := 0; b < 2; b++ {
		sum := 0.0
		for _, v := range p[b*6 : b*6+6] {
			if v < 0 || v > 1 {
				t.Errorf("probability %v out of [0,1]", v)
			}
			sum += float64(v)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("image %d: probabilities sum to %v", b, sum)
		}
	}
	t.Logf("batch of 2: %v", p)
	// Batch of 2 equals two batches of 1.
	all := floats(t, img)
	half := len(all) / 2
	for b := 0; b < 2; b++ {
		one, _ := tensor.FromFloat32s([]int64{1, 128, 128, 3}, all[b*half:(b+1)*half])
		o, err := m.Run(one)
		if err != nil {
			t.Fatal(err)
		}
		q := floats(t, o[0])
		for i := range q {
			if d := math.Abs(float64(q[i] - p[b*6+i])); d > 1e-5 {
				t.Errorf("image %d class %d: batch-of-1 %v vs batch-of-2 %v", b, i, q[i], p[b*6+i])
			}
		}
	}
}
