package bottleneck

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
)

// naiveConvNet recomputes RandomConvNet's bottleneck with plain loops from
// the graph's constants (TF SAME padding for stride 2: pad_total =
// max((ceil(n/2)-1)*2+3-n, 0), pad_before = pad_total/2).
func naiveBottleneck(t *testing.T, consts map[string][]float32, channels []int, img *dataset.FloatImage) []float32 {
	h, w, c := img.Height, img.Width, 3
	x := make([]float64, len(img.Pix))
	for i, v := range img.Pix {
		x[i] = float64(v)
	}
	for k, oc := range channels {
		wts := consts[[]string{"conv_1", "conv_2", "conv_3"}[k]+"/weights"]
		bias := consts[[]string{"conv_1", "conv_2", "conv_3"}[k]+"/biases"]
		oh, ow := (h+1)/2, (w+1)/2
		padH := max((oh-1)*2+3-h, 0) / 2
		padW := max((ow-1)*2+3-w, 0) / 2
		y := make([]float64, oh*ow*oc)
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				for o := 0; o < oc; o++ {
					s := float64(bias[o])
					for di := 0; di < 3; di++ {
						for dj := 0; dj < 3; dj++ {
							yi, xj := i*2+di-padH, j*2+dj-padW
							if yi < 0 || yi >= h || xj < 0 || xj >= w {
								continue
							}
							for ci := 0; ci < c; ci++ {
								s += x[(yi*w+xj)*c+ci] * float64(wts[((di*3+dj)*c+ci)*oc+o])
							}
						}
					}
					y[(i*ow+j)*oc+o] = math.Max(s, 0)
				}
			}
		}
		x, h, w, c = y, oh, ow, oc
	}
	out := make([]float32, c)
	for ch := 0; ch < c; ch++ {
		s := 0.0
		for p := 0; p < h*w; p++ {
			s += x[p*c+ch]
		}
		out[ch] = float32(s / float64(h*w))
	}
	return out
}

func TestGraphModelMatchesNaiveConvNet(t *testing.T) {
	opts := ConvNetOptions{Height: 12, Width: 10, Channels: []int{4, 6}, Seed: 3}
	def, err := RandomConvNet(opts)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string][]float32{}
	for _, n := range def.Node {
		if n.Op == "Const" && n.Attr["dtype"].GetType() == 1 {
			raw := n.Attr["value"].GetTensor().TensorContent
			v := make([]float32, len(raw)/4)
			for i := range v {
				v[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
			}
			consts[n.Name] = v
		}
	}
	m, err := NewGraphModel(def, ConvNetInput, ConvNetBottleneck)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := dataset.Synthetic(dataset.SyntheticOptions{Classes: 2, PerClass: 2, Height: 12, Width: 10, Seed: 1})
	var imgs []*dataset.FloatImage
	for _, im := range set.Images {
		f := dataset.FromImage(im)
		(dataset.Preprocess{Height: 12, Width: 10, Mean: 127.5, Std: 127.5}).Normalize(f)
		imgs = append(imgs, f)
	}
	got, err := m.Bottlenecks(imgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range imgs {
		want := naiveBottleneck(t, consts, opts.Channels, img)
		if len(got[i]) != len(want) {
			t.Fatalf("image %d: %d values, want %d", i, len(got[i]), len(want))
		}
		for j := range want {
			if math.Abs(float64(got[i][j]-want[j])) > 1e-4*(1+math.Abs(float64(want[j]))) {
				t.Errorf("image %d value %d: %v, naive %v", i, j, got[i][j], want[j])
			}
		}
	}
	// A file model has the file's fingerprint; another seed another one.
	data, _ := proto.Marshal(def)
	p := filepath.Join(t.TempDir(), "net.pb")
	os.WriteFile(p, data, 0o644)
	fm, err := LoadGraphModel(p, ConvNetInput, ConvNetBottleneck)
	if err != nil {
		t.Fatal(err)
	}
	if fm.Fingerprint() != Fingerprint(data) {
		t.Error("file model fingerprint is not the file's SHA-256")
	}
	def2, _ := RandomConvNet(ConvNetOptions{Height: 12, Width: 10, Channels: []int{4, 6}, Seed: 4})
	m2, _ := NewGraphModel(def2, ConvNetInput, ConvNetBottleneck)
	if m2.Fingerprint() == m.Fingerprint() {
		t.Error("different weights, same fingerprint")
	}
	if _, err := NewGraphModel(def, ConvNetInput, "nosuchnode:0"); err == nil {
		t.Error("unknown bottleneck tensor accepted")
	}
}

func TestRandomConvNetVariablesFreezeBack(t *testing.T) {
	opts := ConvNetOptions{Height: 8, Width: 8, Channels: []int{3}, Classes: 4, Seed: 9}
	g, values, err := RandomConvNetVariables(opts)
	if err != nil {
		t.Fatal(err)
	}
	frozen, _ := RandomConvNet(opts)
	if len(values) != 4 || len(g.Node) != len(frozen.Node)+4 {
		t.Fatalf("%d variables, %d nodes (frozen %d)", len(values), len(g.Node), len(frozen.Node))
	}
	ops := map[string]string{}
	for _, n := range g.Node {
		ops[n.Name] = n.Op
		if n.Name == "conv_1/Conv2D" && n.Input[1] != "conv_1/weights/read" {
			t.Errorf("conv reads %v", n.Input)
		}
	}
	if ops["conv_1/weights"] != "VariableV2" || ops["conv_1/weights/read"] != "Identity" || values["logits/weights"].Shape[1] != 4 {
		t.Errorf("ops %v", ops)
	}
}

type mapSource map[string]*tensor.Tensor

func (m mapSource) Tensor(name string) (*tensor.Tensor, error) {
	if t, ok := m[name]; ok {
		return t, nil
	}
	return nil, os.ErrNotExist
}

func TestRandomConvNetVariablesFreezeWithGraphfile(t *testing.T) {
	opts := ConvNetOptions{Height: 8, Width: 8, Channels: []int{3}, Classes: 4, Seed: 9}
	def, values, _ := RandomConvNetVariables(opts)
	g, err := graphfile.NewGraph(def)
	if err != nil {
		t.Fatal(err)
	}
	fz, err := graphfile.Freeze(g, mapSource(values), "softmax")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewGraphModel(fz.Def, ConvNetInput, ConvNetBottleneck)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := RandomConvNet(opts)
	m2, _ := NewGraphModel(want, ConvNetInput, ConvNetBottleneck)
	img := dataset.NewFloatImage(8, 8)
	for i := range img.Pix {
		img.Pix[i] = float32(i%7) - 3
	}
	a, err := m.Bottlenecks([]*dataset.FloatImage{img})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m2.Bottlenecks([]*dataset.FloatImage{img})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("frozen-back graph gives %v, frozen original %v", a, b)
	}
}
