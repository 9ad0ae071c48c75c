package graphfile_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"

	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/netgen"
	"github.com/gotl/gotl/internal/tfdata"
)

func mustGraph(t *testing.T, def *graphpb.GraphDef) *graphfile.Graph {
	t.Helper()
	g, err := graphfile.NewGraph(def)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The bottleneck is what the final MatMul or 1×1 convolution reads, in the
// architectures transfer learning starts from.
func TestBottleneck(t *testing.T) {
	weights, err := zoo.RandomTinyNetWeights(1, 4)
	if err != nil {
		t.Fatal(err)
	}
	frozen, err := zoo.TinyNetGraph(weights, false)
	if err != nil {
		t.Fatal(err)
	}
	withVariables, err := zoo.TinyNetGraph(weights, true)
	if err != nil {
		t.Fatal(err)
	}
	// retrain.py's export: the new layer reads pool_3 through
	// input/BottleneckInputPlaceholder, a PlaceholderWithDefault.
	layer, err := retrain.NewLayer(zoo.TinyNetInfo.BottleneckSize, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	retrained, err := retrain.ExportGraph(frozen, zoo.TinyNetInfo.Bottleneck, layer, retrain.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		def    *graphpb.GraphDef
		output string
		want   string
	}{
		{"TinyNet frozen", frozen, "softmax", "pool_3:0"},
		{"TinyNet, a tensor name", frozen, "softmax:0", "pool_3:0"},
		{"TinyNet with variables", withVariables, "softmax", "pool_3:0"},
		{"retrain export", retrained, "final_result", "pool_3:0"},
		{"MobileNet v1 (1×1 conv classifier)", netgen.MobileNetV1(0.25, 128, 1), "MobilenetV1/Predictions/Softmax",
			"MobilenetV1/Logits/AvgPool_1a/AvgPool:0"},
		{"Inception v3", netgen.InceptionV3(1), "softmax", "pool_3/_reshape:0"},
	} {
		got, err := mustGraph(t, c.def).Bottleneck(c.output)
		if err != nil || got != c.want {
			t.Errorf("%s: Bottleneck(%q) = %q, %v; want %q", c.name, c.output, got, err, c.want)
		}
	}
	for _, c := range []struct{ output, want string }{
		{"softmx", `no node named "softmx"`},
		{"conv1/Relu", "no MatMul or 1×1 Conv2D above it (the walk ended at Placeholder \"input\")"},
	} {
		_, err := mustGraph(t, frozen).Bottleneck(c.output)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Bottleneck(%q): error %v, want %q", c.output, err, c.want)
		}
	}
}

// TensorFlow for Poets' retrained MobileNet: retrain.py's layer reads
// MobilenetV1/Predictions/Reshape through input_1/BottleneckInputPlaceholder.
func TestBottleneckOfRealRetrainedGraph(t *testing.T) {
	path := filepath.Join(tfdata.Dir(t), "retrain_poets_mobilenet025_128", "retrained_graph.pb")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s: %v", path, err)
	}
	g, err := graphfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := g.Bottleneck("final_result"); err != nil || got != "MobilenetV1/Predictions/Reshape:0" {
		t.Errorf("Bottleneck = %q, %v", got, err)
	}
}

// Where does transfer learning cut TinyNet? Bottleneck walks back from the
// softmax to the final MatMul.
func ExampleGraph_Bottleneck() {
	weights, _ := zoo.RandomTinyNetWeights(1, 4)
	def, _ := zoo.TinyNetGraph(weights, false) // zoo.TinyNet().Frozen holds the pretrained one
	g, _ := graphfile.NewGraph(def)
	bn, err := g.Bottleneck("softmax")
	fmt.Println(bn, err)
	// Output: pool_3:0 <nil>
}
