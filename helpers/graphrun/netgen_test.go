package graphrun

import (
	"testing"

	"github.com/gotl/gotl/internal/netgen"
	"github.com/gotl/gotl/internal/tfdata"
)

// The generated benchmark networks reproduce the published multiply-add
// counts (MobileNet v1 paper: 569 M for 1.0/224, 14 M for 0.25/128;
// Inception v3: 5.71 G), which checks both the generators and MultiplyAdds.
func TestMultiplyAddsOfKnownNetworks(t *testing.T) {
	check := func(name string, g *Graph, fetch string, shape []int, lo, hi int64) {
		t.Helper()
		m, err := NewModel(g, []string{"input:0"}, []string{fetch})
		if err != nil {
			t.Fatal(err)
		}
		n, err := m.MultiplyAdds(shape)
		if err != nil {
			t.Fatal(err)
		}
		if n < lo || n > hi {
			t.Errorf("%s: %d multiply-adds, want %d..%d", name, n, lo, hi)
		}
		shape2 := append([]int{2 * shape[0]}, shape[1:]...)
		if n2, _ := m.MultiplyAdds(shape2); n2 != 2*n {
			t.Errorf("%s: batch 2 has %d multiply-adds, want %d", name, n2, 2*n)
		}
	}
	mn, err := FromGraphDef(netgen.MobileNetV1(1, 224, 1))
	if err != nil {
		t.Fatal(err)
	}
	check("MobileNet v1 1.0/224", mn, "MobilenetV1/Predictions/Softmax:0", []int{1, 224, 224, 3}, 565e6, 572e6)
	inc, err := FromGraphDef(netgen.InceptionV3(1))
	if err != nil {
		t.Fatal(err)
	}
	check("Inception v3", inc, "softmax:0", []int{1, 299, 299, 3}, 5.69e9, 5.73e9)
	if p, err := Load(tfdata.Optional("retrain_poets_mobilenet025_128/retrained_graph.pb")); err == nil {
		check("poets MobileNet 0.25/128", p, "final_result:0", []int{1, 128, 128, 3}, 13e6, 15e6)
	}
}

// TestGeneratedMobileNetRuns runs a small generated MobileNet end to end.
func TestGeneratedMobileNetRuns(t *testing.T) {
	g, err := FromGraphDef(netgen.MobileNetV1(0.25, 64, 2))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(g, []string{"input:0"}, []string{"MobilenetV1/Predictions/Softmax:0"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(syntheticImage(t, 2, 64, 64, 4))
	if err != nil {
		t.Fatal(err)
	}
	p := floats(t, out[0])
	for b := 0; b < 2; b++ {
		s := 0.0
		for _, v := range p[b*1001 : (b+1)*1001] {
			s += float64(v)
		}
		if s < 0.9999 || s > 1.0001 {
			t.Errorf("image %d: softmax sums to %v", b, s)
		}
	}
}
