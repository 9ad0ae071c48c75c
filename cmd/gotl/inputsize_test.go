package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/tfdata"
)

// Tests of the image size classify, bottlenecks, retrain and finetune feed:
// the input placeholder's static size unless the flags give one, an error
// naming the expected size when they disagree, and the flags (or classify's
// 299) where the graph leaves the size open.

// withInputShape sets the shape the placeholder named input declares.
func withInputShape(t *testing.T, def *graphpb.GraphDef, input string, shape ...int64) {
	t.Helper()
	for _, n := range def.Node {
		if n.Name == input {
			n.Attr["shape"] = &attrpb.AttrValue{Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto(shape)}}
			return
		}
	}
	t.Fatalf("no node %q", input)
}

// convNetWithInput writes bottleneck.RandomConvNet, which works at any
// image size (its bottleneck is a mean over height and width), with its
// input declared as shape, and returns the file's path.
func convNetWithInput(t *testing.T, dir, name string, shape ...int64) string {
	t.Helper()
	def, err := bottleneck.RandomConvNet(bottleneck.ConvNetOptions{Height: 24, Width: 24, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	withInputShape(t, def, "input", shape...)
	path := filepath.Join(dir, name)
	writeGraph(t, path, def)
	return path
}

// sizeTestImages writes a folder of two synthetic classes of JPEGs.
func sizeTestImages(t *testing.T, perClass int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "images")
	if _, err := dataset.WriteSynthetic(dir, dataset.SyntheticOptions{Classes: 2, PerClass: perClass, Height: 40, Width: 40, Seed: 5, Format: "jpg"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// wantUsageError checks a run's exit status 2 and its one-line message.
func wantUsageError(t *testing.T, args []string, command, message string) {
	t.Helper()
	code, out, errOut := runGotl(t, args...)
	if want := "gotl " + command + ": usage error: " + message + "\n"; code != 2 || errOut != want {
		t.Errorf("%v:\nexit %d, stderr %q\nwant exit 2, %q (stdout %q)", args[1:], code, errOut, want, out)
	}
}

// classifyScores runs gotl classify --json and returns every label's score.
func classifyScores(t *testing.T, args ...string) map[string]float32 {
	t.Helper()
	code, out, errOut := runGotl(t, append(append([]string{"classify"}, args...), "--json", "--top", "100")...)
	if code != 0 {
		t.Fatalf("classify %v: exit %d: %s", args, code, errOut)
	}
	var c classification
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	scores := map[string]float32{}
	for _, p := range c.Top {
		scores[p.Label] = p.Score
	}
	return scores
}

func sameScores(t *testing.T, what string, got, want map[string]float32) {
	t.Helper()
	if len(got) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: scores %v, want %v", what, got, want)
	}
}

func TestClassifyInputSize(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "test.jpg")
	writeTestJPEG(t, img)
	var labels []string
	for i := range 10 { // RandomConvNet's 10 classes
		labels = append(labels, fmt.Sprint("class ", i))
	}
	labelsPath := writeFile(t, dir, "labels.txt", strings.Join(labels, "\n")+"\n")
	base := func(graph string, flags ...string) []string {
		return append([]string{"--graph", graph, "--labels", labelsPath, "--image", img, "--input_layer", "input",
			"--output_layer", "softmax", "--input_mean", "127.5", "--input_std", "127.5"}, flags...)
	}
	usage := func(graph string, flags ...string) []string {
		return append([]string{"classify"}, base(graph, flags...)...)
	}

	static := convNetWithInput(t, dir, "static.pb", -1, 24, 24, 3)
	sameScores(t, "[?,24,24,3] without size flags", classifyScores(t, base(static)...),
		classifyScores(t, base(static, "--input_height", "24", "--input_width", "24")...))
	wantUsageError(t, usage(static, "--input_height", "32", "--input_width", "32"), "classify",
		"--input_height 32 --input_width 32 but placeholder input:0 of "+static+" has shape [?,24,24,3]; omit the flags or pass --input_height 24 --input_width 24")
	wantUsageError(t, usage(static, "--input_width", "32"), "classify",
		"--input_width 32 but placeholder input:0 of "+static+" has shape [?,24,24,3]; omit the flags or pass --input_height 24 --input_width 24")

	// Without a static size, label_image.py's 299x299 unless told otherwise.
	dynamic := convNetWithInput(t, dir, "dynamic.pb", -1, -1, -1, 3)
	sameScores(t, "[?,?,?,3] without size flags", classifyScores(t, base(dynamic)...),
		classifyScores(t, base(dynamic, "--input_height", "299", "--input_width", "299")...))
	classifyScores(t, base(dynamic, "--input_height", "40", "--input_width", "30")...)

	partial := convNetWithInput(t, dir, "partial.pb", -1, 24, -1, 3)
	sameScores(t, "[?,24,?,3] with --input_width 30", classifyScores(t, base(partial, "--input_width", "30")...),
		classifyScores(t, base(partial, "--input_height", "24", "--input_width", "30")...))
	sameScores(t, "[?,24,?,3] without size flags", classifyScores(t, base(partial)...),
		classifyScores(t, base(partial, "--input_height", "24", "--input_width", "299")...))
	wantUsageError(t, usage(partial, "--input_height", "30", "--input_width", "30"), "classify",
		"--input_height 30 --input_width 30 but placeholder input:0 of "+partial+" has shape [?,24,?,3]; pass --input_height 24 --input_width 30")

	wantUsageError(t, usage(static, "--input_height", "-1"), "classify", "--input_height and --input_width cannot be negative (0: from the graph)")
}

// TF for Poets' retrained MobileNet 0.25 declares input [1,128,128,3]:
// classify needs no size flags, and names 128x128 when given others.
func TestClassifyInputSizeRetrainedMobileNet(t *testing.T) {
	dir := tfdata.Path(t, "retrain_poets_mobilenet025_128")
	graph, labels := filepath.Join(dir, "retrained_graph.pb"), filepath.Join(dir, "retrained_labels.txt")
	img := filepath.Join(t.TempDir(), "test.jpg")
	writeTestJPEG(t, img)
	base := []string{"--graph", graph, "--labels", labels, "--image", img, "--input_mean", "127.5", "--input_std", "127.5"}
	sameScores(t, "without size flags", classifyScores(t, base...),
		classifyScores(t, append(base, "--input_height", "128", "--input_width", "128")...))
	wantUsageError(t, append(append([]string{"classify"}, base...), "--input_height", "224", "--input_width", "224"), "classify",
		"--input_height 224 --input_width 224 but placeholder input:0 of "+graph+" has shape [1,128,128,3]; omit the flags or pass --input_height 128 --input_width 128")
}

// bottlenecksSize runs gotl bottlenecks and returns the preprocessing its
// summary reports.
func bottlenecksSize(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runGotl(t, append(append([]string{"bottlenecks"}, args...), "--bottleneck_dir", t.TempDir(), "--json")...)
	if code != 0 {
		t.Fatalf("bottlenecks %v: exit %d: %s", args, code, errOut)
	}
	var s struct {
		Preprocess string `json:"preprocess"`
		VectorSize int    `json:"vector_size"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.VectorSize == 0 {
		t.Fatalf("summary %s: %v", out, err)
	}
	return s.Preprocess
}

func TestBottlenecksInputSize(t *testing.T) {
	dir := t.TempDir()
	images := sizeTestImages(t, 3)
	base := func(graph string, flags ...string) []string {
		return append([]string{"--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "pool/Mean:0", "--image_dir", images}, flags...)
	}
	usage := func(graph string, flags ...string) []string {
		return append(append([]string{"bottlenecks"}, base(graph, flags...)...), "--bottleneck_dir", t.TempDir())
	}
	static := convNetWithInput(t, dir, "static.pb", -1, 24, 24, 3)
	if p := bottlenecksSize(t, base(static)...); !strings.Contains(p, " 24x24 ") {
		t.Errorf("[?,24,24,3] without --input_size: %s", p)
	}
	if p := bottlenecksSize(t, base(static, "--input_size", "24x24")...); !strings.Contains(p, " 24x24 ") {
		t.Errorf("[?,24,24,3] with --input_size 24x24: %s", p)
	}
	wantUsageError(t, usage(static, "--input_size", "32x32"), "bottlenecks",
		"--input_size 32x32 but placeholder input:0 of "+static+" has shape [?,24,24,3]; omit the flags or pass --input_size 24x24")

	dynamic := convNetWithInput(t, dir, "dynamic.pb", -1, -1, -1, 3)
	if p := bottlenecksSize(t, base(dynamic, "--input_size", "28x30")...); !strings.Contains(p, " 28x30 ") {
		t.Errorf("[?,?,?,3] with --input_size 28x30: %s", p)
	}
	wantUsageError(t, usage(dynamic), "bottlenecks",
		"placeholder input:0 of "+dynamic+" has shape [?,?,?,3], which fixes neither the image height nor the width; pass --input_size HxW")

	partial := convNetWithInput(t, dir, "partial.pb", -1, 24, -1, 3)
	if p := bottlenecksSize(t, base(partial, "--input_size", "24x30")...); !strings.Contains(p, " 24x30 ") {
		t.Errorf("[?,24,?,3] with --input_size 24x30: %s", p)
	}
	wantUsageError(t, usage(partial), "bottlenecks",
		"placeholder input:0 of "+partial+" has shape [?,24,?,3], which leaves the image width open; pass --input_size 24xW")
	wantUsageError(t, usage(partial, "--input_size", "30x30"), "bottlenecks",
		"--input_size 30x30 but placeholder input:0 of "+partial+" has shape [?,24,?,3]; pass --input_size 24x30")

	// A tensor that is not a placeholder declares nothing.
	wantUsageError(t, usage(static, "--input_tensor", "conv_1/Relu:0"), "bottlenecks",
		"input conv_1/Relu:0 (Relu) of "+static+" declares no shape; pass --input_size HxW")
	for _, bad := range []string{"24", "24x", "x24", "0x24", "24x24x3", "24x24junk"} {
		wantUsageError(t, usage(static, "--input_size", bad), "bottlenecks", fmt.Sprintf("--input_size %q: want HxW, e.g. 299x299", bad))
	}

	// A real retrain.py graph: MobileNet 0.25 at [1,128,128,3].
	poets := tfdata.Path(t, "retrain_poets_mobilenet025_128", "retrained_graph.pb")
	real := []string{"--graph", poets, "--input_tensor", "input:0", "--bottleneck_tensor", "MobilenetV1/Predictions/Reshape:0",
		"--input_mean", "127.5", "--input_std", "127.5", "--image_dir", images}
	if p := bottlenecksSize(t, real...); !strings.Contains(p, " 128x128 ") {
		t.Errorf("retrained MobileNet without --input_size: %s", p)
	}
	wantUsageError(t, append(append([]string{"bottlenecks"}, real...), "--input_size", "224x224", "--bottleneck_dir", t.TempDir()), "bottlenecks",
		"--input_size 224x224 but placeholder input:0 of "+poets+" has shape [1,128,128,3]; omit the flags or pass --input_size 128x128")
}

// mobileNetWithoutHead writes TF for Poets' retrained graph without the
// layer retrain.py added (its last 8 nodes): MobileNet 0.25 with input
// [1,128,128,3], ready to be retrained or fine-tuned again.
func mobileNetWithoutHead(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(tfdata.Path(t, "retrain_poets_mobilenet025_128", "retrained_graph.pb"))
	if err != nil {
		t.Fatal(err)
	}
	var def graphpb.GraphDef
	if err := proto.Unmarshal(data, &def); err != nil {
		t.Fatal(err)
	}
	if n := def.Node[len(def.Node)-8]; n.Name != "input_1/BottleneckInputPlaceholder" {
		t.Fatalf("the retrained layer does not start where expected: %s", n.Name)
	}
	def.Node = def.Node[:len(def.Node)-8]
	path := filepath.Join(t.TempDir(), "mobilenet_v1_025_128.pb")
	writeGraph(t, path, &def)
	return path
}

func TestRetrainInputSize(t *testing.T) {
	dir := t.TempDir()
	images := sizeTestImages(t, 6)
	retrain := func(graph string, flags ...string) []string {
		return append([]string{"retrain", "--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "pool/Mean:0",
			"--image_dir", images, "--bottleneck_dir", filepath.Join(dir, "bn"), "--how_many_training_steps", "3",
			"--output_graph", filepath.Join(dir, "out.pb"), "--output_labels", filepath.Join(dir, "labels.txt")}, flags...)
	}
	static := convNetWithInput(t, dir, "static.pb", -1, 24, 24, 3)
	wantUsageError(t, retrain(static, "--input_size", "28x28"), "retrain",
		"--input_size 28x28 but placeholder input:0 of "+static+" has shape [?,24,24,3]; omit the flags or pass --input_size 24x24")
	dynamic := convNetWithInput(t, dir, "dynamic.pb", -1, -1, -1, 3)
	wantUsageError(t, retrain(dynamic), "retrain",
		"placeholder input:0 of "+dynamic+" has shape [?,?,?,3], which fixes neither the image height nor the width; pass --input_size HxW")
	if _, err := os.Stat(filepath.Join(dir, "bn")); !os.IsNotExist(err) {
		t.Errorf("a refused size left a bottleneck cache behind (%v)", err)
	}
	if code, _, errOut := runGotl(t, retrain(dynamic, "--input_size", "28x28")...); code != 0 {
		t.Fatalf("[?,?,?,3] with --input_size 28x28: exit %d: %s", code, errOut)
	}

	// Retrain MobileNet 0.25 from a real retrain.py graph, then classify
	// with its exported graph: no size flag anywhere.
	mobileNet := mobileNetWithoutHead(t)
	outGraph, outLabels := filepath.Join(dir, "mobilenet_retrained.pb"), filepath.Join(dir, "mobilenet_labels.txt")
	code, _, errOut := runGotl(t, "retrain", "--graph", mobileNet, "--input_tensor", "input:0", "--bottleneck_tensor", "MobilenetV1/Predictions/Reshape:0",
		"--input_mean", "127.5", "--input_std", "127.5", "--image_dir", images, "--bottleneck_dir", filepath.Join(dir, "bn_mobilenet"),
		"--how_many_training_steps", "3", "--output_graph", outGraph, "--output_labels", outLabels)
	if code != 0 {
		t.Fatalf("retrain MobileNet: exit %d: %s", code, errOut)
	}
	img := filepath.Join(dir, "test.jpg")
	writeTestJPEG(t, img)
	base := []string{"--graph", outGraph, "--labels", outLabels, "--image", img, "--input_mean", "127.5", "--input_std", "127.5"}
	sameScores(t, "retrained MobileNet without size flags", classifyScores(t, base...),
		classifyScores(t, append(base, "--input_height", "128", "--input_width", "128")...))
}

func TestFinetuneInputSize(t *testing.T) {
	dir := t.TempDir()
	images := sizeTestImages(t, 6)
	finetune := func(graph string, flags ...string) []string {
		return append([]string{"finetune", "--graph", graph, "--image_dir", images, "--how_many_training_steps", "2",
			"--train_batch_size", "4", "--eval_step_interval", "2", "--top_layers", "1",
			"--output_graph", filepath.Join(dir, "out.pb"), "--output_labels", filepath.Join(dir, "labels.txt")}, flags...)
	}
	weights, err := zoo.RandomTinyNetWeights(9, 4)
	if err != nil {
		t.Fatal(err)
	}
	def, err := zoo.TinyNetGraph(weights, false)
	if err != nil {
		t.Fatal(err)
	}
	static := filepath.Join(dir, "tinynet.pb")
	writeGraph(t, static, def)
	wantUsageError(t, finetune(static, "--input_size", "40x40"), "finetune",
		"--input_size 40x40 but placeholder input:0 of "+static+" has shape [?,32,32,3]; omit the flags or pass --input_size 32x32")
	if code, _, errOut := runGotl(t, finetune(static, "--input_size", "32x32")...); code != 0 {
		t.Fatalf("TinyNet with --input_size 32x32: exit %d: %s", code, errOut)
	}

	// TinyNet pools globally, so it also runs at other sizes when its input
	// does not fix one.
	withInputShape(t, def, "input", -1, -1, -1, 3)
	dynamic := filepath.Join(dir, "tinynet_dynamic.pb")
	writeGraph(t, dynamic, def)
	wantUsageError(t, finetune(dynamic), "finetune",
		"placeholder input:0 of "+dynamic+" has shape [?,?,?,3], which fixes neither the image height nor the width; pass --input_size HxW")
	code, out, errOut := runGotl(t, append(finetune(dynamic, "--input_size", "40x36"), "--json")...)
	var s finetuneSummary
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || s.Steps != 2 {
		t.Fatalf("[?,?,?,3] with --input_size 40x36: exit %d, %s: %s", code, out, errOut)
	}

	// MobileNet 0.25 from a real retrain.py graph: 128x128 from its input.
	mobileNet := mobileNetWithoutHead(t)
	real := finetune(mobileNet, "--input_tensor", "input:0", "--bottleneck_tensor", "MobilenetV1/Predictions/Reshape:0",
		"--input_mean", "127.5", "--input_std", "127.5")
	if code, _, errOut := runGotl(t, real...); code != 0 {
		t.Fatalf("fine-tune MobileNet without --input_size: exit %d: %s", code, errOut)
	}
	wantUsageError(t, append(real, "--input_size", "224x224"), "finetune",
		"--input_size 224x224 but placeholder input:0 of "+mobileNet+" has shape [1,128,128,3]; omit the flags or pass --input_size 128x128")
}
