package main

import (
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotl/gotl/internal/tfdata"
)

const tinyGraph = `
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "two" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } } }
node { name: "y" op: "Mul" input: "x" input: "two" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "s" op: "Sum" input: "y" input: "axes" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "axes" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 0 } } } }
node { name: "bad" op: "FancyOp" input: "x" }
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	g := writeFile(t, dir, "tiny.pbtxt", tinyGraph)
	x := writeFile(t, dir, "x.json", `{"dtype":"float32","shape":[2,2],"values":[1,2,3,-4.5]}`)
	code, out, errOut := runGotl(t, "run", g, "--feed", "x:0="+x, "--fetch", "y:0", "--fetch", "s", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res runOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	y, s := res.Outputs["y:0"], res.Outputs["s"]
	if y.DType != "float32" || len(y.Shape) != 2 || jsonString(y.Values) != "[2,4,6,-9]" {
		t.Errorf("y = %+v", y)
	}
	if len(s.Shape) != 1 || s.Shape[0] != 2 || s.Values[0] != 8 || s.Values[1] != -5 {
		t.Errorf("s = %+v, want [8 -5]", s)
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	g := writeFile(t, dir, "tiny.pbtxt", tinyGraph)
	x := writeFile(t, dir, "x.json", `{"dtype":"float32","shape":[2],"values":[1,2]}`)
	badJSON := writeFile(t, dir, "bad.json", `{"dtype":"float32","shape":[3],"values":[1,2]}`)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", g, "--feed", "x:0=" + x}, 2, "--fetch"},
		{[]string{"run", "--fetch", "y"}, 2, "GRAPH"},
		{[]string{"run", g, "--feed", "x:0", "--fetch", "y"}, 2, "NAME=FILE"},
		{[]string{"run", g, "--feed", "x:0=" + badJSON, "--fetch", "y"}, 1, "needs 3 values"},
		{[]string{"run", g, "--fetch", "y"}, 1, "placeholder"},
		{[]string{"run", g, "--feed", "x:0=" + x, "--fetch", "bad"}, 1, "FancyOp (bad)"},
		{[]string{"run", g, "--feed", "x:0=" + x, "--fetch", "nope"}, 1, `no node "nope"`},
	} {
		code, _, errOut := runGotl(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || !strings.HasPrefix(errOut, "gotl run: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

func TestRunSavedModel(t *testing.T) {
	sm := tfdata.Path(t, "serving_half_plus_two_tf1/00000123")
	x := writeFile(t, t.TempDir(), "x.json", `{"dtype":"float32","shape":[3,1],"values":[1,2,3]}`)
	code, out, errOut := runGotl(t, "run", sm, "--feed", "x:0="+x, "--fetch", "y:0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := `{"outputs":{"y:0":{"dtype":"float32","shape":[3,1],"values":[2.5,3,3.5]}}}`; strings.TrimSpace(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

// The TF2 half_plus_two SavedModel runs its signatures through
// StatefulPartitionedCall into the function library.
func TestRunSavedModelTF2(t *testing.T) {
	sm := tfdata.Path(t, "serving_half_plus_two_tf2/00000123")
	x := writeFile(t, t.TempDir(), "x.json", `{"dtype":"float32","shape":[1],"values":[3]}`)
	code, out, errOut := runGotl(t, "run", sm, "--feed", "serving_default_x:0="+x, "--fetch", "StatefulPartitionedCall_5:0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := `{"outputs":{"StatefulPartitionedCall_5:0":{"dtype":"float32","shape":[1],"values":[3.5]}}}`; strings.TrimSpace(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func writeTestJPEG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for y := 0; y < 150; y++ {
		for x := 0; x < 200; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8((x * y) % 256), 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
}

func TestClassifyRetrainedMobileNet(t *testing.T) {
	dir := tfdata.Path(t, "retrain_poets_mobilenet025_128")
	img := filepath.Join(t.TempDir(), "test.jpg")
	writeTestJPEG(t, img)
	args := []string{"classify", "--graph", filepath.Join(dir, "retrained_graph.pb"),
		"--labels", filepath.Join(dir, "retrained_labels.txt"), "--image", img,
		"--input_height", "128", "--input_width", "128", "--input_mean", "127.5", "--input_std", "127.5"}
	code, out, errOut := runGotl(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res classification
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Top) != 5 {
		t.Fatalf("%d predictions, want 5", len(res.Top))
	}
	sum := float32(0)
	for i, p := range res.Top {
		if i > 0 && p.Score > res.Top[i-1].Score {
			t.Errorf("not sorted: %+v", res.Top)
		}
		if !strings.HasPrefix(p.Label, "61326 ") {
			t.Errorf("label %q is not from the labels file", p.Label)
		}
		sum += p.Score
	}
	if sum > 1.0001 || sum < 0.9 {
		t.Errorf("top-5 scores sum to %v", sum)
	}
	code, text, _ := runGotl(t, args...)
	if code != 0 || len(strings.Split(strings.TrimSpace(text), "\n")) != 5 || !strings.HasPrefix(text, res.Top[0].Label+" ") {
		t.Errorf("text output %q", text)
	}
	// Wrong label count is caught.
	labels := writeFile(t, t.TempDir(), "labels.txt", "a\nb\n")
	args[4] = labels
	if code, _, errOut := runGotl(t, args...); code != 1 || !strings.Contains(errOut, "2 labels") {
		t.Errorf("label mismatch: exit %d, %s", code, errOut)
	}
}

func TestRunDecodeJpegFeed(t *testing.T) {
	dir := t.TempDir()
	g := writeFile(t, dir, "front.pbtxt", `
node { name: "DecodeJpeg/contents" op: "Placeholder" attr { key: "dtype" value { type: DT_STRING } } }
node { name: "DecodeJpeg" op: "DecodeJpeg" input: "DecodeJpeg/contents" attr { key: "channels" value { i: 3 } } }
node { name: "Cast" op: "Cast" input: "DecodeJpeg" attr { key: "DstT" value { type: DT_FLOAT } } }
node { name: "axes" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 0 int_val: 1 } } } }
node { name: "mean" op: "Mean" input: "Cast" input: "axes" attr { key: "T" value { type: DT_FLOAT } } }
`)
	img := filepath.Join(dir, "img.jpg")
	writeTestJPEG(t, img)
	code, out, errOut := runGotl(t, "run", g, "--feed", "DecodeJpeg/contents:0="+img, "--fetch", "mean:0", "--fetch", "DecodeJpeg:0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res runOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	dec, mean := res.Outputs["DecodeJpeg:0"], res.Outputs["mean:0"]
	if dec.DType != "uint8" || jsonString(dec.Shape) != "[150,200,3]" {
		t.Fatalf("decoded image %s %v", dec.DType, dec.Shape)
	}
	// The mean of the decoded pixels, recomputed here from the decoded values.
	for c := 0; c < 3; c++ {
		s := 0.0
		for i := c; i < len(dec.Values); i += 3 {
			s += dec.Values[i]
		}
		if want := s / float64(150*200); mean.Values[c] < want-0.01 || mean.Values[c] > want+0.01 {
			t.Errorf("channel %d mean %v, want %v", c, mean.Values[c], want)
		}
	}
}

func TestClassifyDecodeJpegGraph(t *testing.T) {
	dir := t.TempDir()
	g := writeFile(t, dir, "front.pbtxt", `
node { name: "DecodeJpeg/contents" op: "Placeholder" attr { key: "dtype" value { type: DT_STRING } } }
node { name: "DecodeJpeg" op: "DecodeJpeg" input: "DecodeJpeg/contents" attr { key: "channels" value { i: 3 } } }
node { name: "Cast" op: "Cast" input: "DecodeJpeg" attr { key: "DstT" value { type: DT_FLOAT } } }
node { name: "axes" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 0 int_val: 1 } } } }
node { name: "mean" op: "Mean" input: "Cast" input: "axes" attr { key: "T" value { type: DT_FLOAT } } attr { key: "keep_dims" value { b: false } } }
node { name: "scale" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 0.05 } } } }
node { name: "scaled" op: "Mul" input: "mean" input: "scale" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "dim" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape {} int_val: 0 } } } }
node { name: "batched" op: "ExpandDims" input: "scaled" input: "dim" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "softmax" op: "Softmax" input: "batched" attr { key: "T" value { type: DT_FLOAT } } }
`)
	labels := writeFile(t, dir, "labels.txt", "red\ngreen\nblue\n")
	img := filepath.Join(dir, "img.jpg")
	writeTestJPEG(t, img) // R = x (mean ≈ 100), G = y (≈ 75), B = x·y mod 256 (≈ 127)
	code, out, errOut := runGotl(t, "classify", "--graph", g, "--labels", labels, "--image", img,
		"--input_layer", "DecodeJpeg/contents", "--output_layer", "softmax", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res classification
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Top) != 3 || res.Top[0].Label != "blue" || res.Top[1].Label != "red" || res.Top[2].Label != "green" {
		t.Errorf("ranking %+v, want blue, red, green", res.Top)
	}
}

// runOutput is what gotl run --json prints, for numeric fetches.
type runOutput struct {
	Outputs map[string]struct {
		DType  string    `json:"dtype"`
		Shape  []int     `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"outputs"`
}
