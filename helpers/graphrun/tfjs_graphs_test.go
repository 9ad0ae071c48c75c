package graphrun

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// Whole tfdata graphs executed by TensorFlow.js's graph executor
// (tools/tfjsref/gen_graphs.js): graphrun must agree with it.
type tfjsGraphFixture struct {
	Outputs map[string]json.RawMessage `json:"outputs"`
}

func loadGraphFixture(t *testing.T, name string) *tfjsGraphFixture {
	t.Helper()
	data, err := os.ReadFile("testdata/tfjs_graphs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	fx := &tfjsGraphFixture{}
	if err := json.Unmarshal(data, fx); err != nil {
		t.Fatal(err)
	}
	return fx
}

// formulaImage is gen_graphs.js's image(n, h, w):
// 0.9·sin(0.37x + 0.23y + 1.7c + 0.5b) rounded to float32.
func formulaImage(t *testing.T, n, h, w int) *tensor.Tensor {
	v := make([]float32, 0, n*h*w*3)
	for b := 0; b < n; b++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for c := 0; c < 3; c++ {
					v = append(v, float32(0.9*math.Sin(0.37*float64(x)+0.23*float64(y)+1.7*float64(c)+0.5*float64(b))))
				}
			}
		}
	}
	tt, err := tensor.FromFloat32s([]int64{int64(n), int64(h), int64(w), 3}, v)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func TestRetrainedMobileNetMatchesTFJS(t *testing.T) {
	g, err := Load(tfdata.Path(t, "retrain_poets_mobilenet025_128/retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	fx := loadGraphFixture(t, "retrain_mobilenet.json")
	fetches := []string{"final_result:0", "MobilenetV1/Predictions/Reshape:0"}
	m, err := NewModel(g, []string{"input:0"}, fetches)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := m.Run(formulaImage(t, 1, 128, 128))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fetches {
		compareTensors(t, f, outs[i], mustJSONTensor(t, fx.Outputs[f]), 1e-5, 1e-3)
	}
}

func TestLSTMMatchesTFJS(t *testing.T) {
	fx := loadGraphFixture(t, "lstm.json")
	_, _, _, outs := runLSTM(t)
	compareTensors(t, "output:0", outs[0], mustJSONTensor(t, fx.Outputs["output:0"]), 1e-4, 1e-4)
}
