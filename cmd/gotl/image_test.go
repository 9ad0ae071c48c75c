package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/tfjpeg"
	"github.com/gotl/gotl/internal/tfdata"
)

func TestImagePixels(t *testing.T) {
	img := filepath.Join(t.TempDir(), "test.jpg")
	writeTestJPEG(t, img)
	data, _ := os.ReadFile(img)
	for _, c := range []struct {
		args []string
		opts tfjpeg.Options
	}{
		{nil, tfjpeg.Options{}},
		{[]string{"--dct_method", "INTEGER_ACCURATE", "--ratio", "2", "--channels", "1"}, tfjpeg.Options{DCTMethod: tfjpeg.IntegerAccurate, Ratio: 2, Channels: 1}},
	} {
		code, out, errOut := runGotl(t, append([]string{"image", img, "--json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		got, err := tensor.FromJSON([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		want, err := tfjpeg.Decode(data, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got.DType != tensor.Uint8 || len(got.Shape) != 3 || got.Shape[0] != int64(want.Height) ||
			got.Shape[1] != int64(want.Width) || got.Shape[2] != int64(want.Channels) || !bytes.Equal(got.Data, want.Pix) {
			t.Errorf("%v: got %s %v, want TensorFlow's %dx%dx%d pixels", c.args, got.DType, got.Shape, want.Height, want.Width, want.Channels)
		}
	}
	code, out, _ := runGotl(t, "image", img)
	if code != 0 || !strings.Contains(out, "uint8 [") {
		t.Errorf("summary: exit %d, %q", code, out)
	}
	for _, bad := range [][]string{{"image"}, {"image", img, "--size", "12"}, {"image", img, "--dct_method", "FLOAT"}} {
		if code, _, errOut := runGotl(t, bad...); code == 0 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, %q", bad, code, errOut)
		}
	}
}

// TestImageFeedsRetrainedGraph: the normalised tensor of gotl image, fed to
// a retrain.py graph with gotl run, gives exactly gotl classify's scores.
func TestImageFeedsRetrainedGraph(t *testing.T) {
	dir := tfdata.Path(t, "retrain_poets_mobilenet025_128")
	tmp := t.TempDir()
	img := filepath.Join(tmp, "test.jpg")
	writeTestJPEG(t, img)
	graph := filepath.Join(dir, "retrained_graph.pb")
	code, out, errOut := runGotl(t, "image", img, "--size", "128x128", "--mean", "127.5", "--std", "127.5", "--json")
	if code != 0 {
		t.Fatalf("image: exit %d: %s", code, errOut)
	}
	x := writeFile(t, tmp, "x.json", out)
	code, out, errOut = runGotl(t, "run", graph, "--feed", "input:0="+x, "--fetch", "final_result:0", "--json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	var ran runOutput
	if err := json.Unmarshal([]byte(out), &ran); err != nil {
		t.Fatal(err)
	}
	scores := ran.Outputs["final_result:0"].Values
	code, out, errOut = runGotl(t, "classify", "--graph", graph, "--labels", filepath.Join(dir, "retrained_labels.txt"),
		"--image", img, "--input_height", "128", "--input_width", "128", "--input_mean", "127.5", "--input_std", "127.5", "--top", "6", "--json")
	if code != 0 {
		t.Fatalf("classify: exit %d: %s", code, errOut)
	}
	var cl classification
	if err := json.Unmarshal([]byte(out), &cl); err != nil {
		t.Fatal(err)
	}
	if len(scores) != 6 || len(cl.Top) != 6 {
		t.Fatalf("%d scores from run, %d from classify", len(scores), len(cl.Top))
	}
	for _, p := range cl.Top {
		if math.Float32bits(float32(scores[p.Index])) != math.Float32bits(p.Score) {
			t.Errorf("%s: run gives %v, classify %v", p.Label, scores[p.Index], p.Score)
		}
	}
}
