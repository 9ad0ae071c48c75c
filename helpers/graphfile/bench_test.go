package graphfile

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/tensor"
)

// benchGraph is a generated graph shaped like a frozen image classifier:
// 20,000 nodes (convolutions, batch-norm arithmetic, Identity reads and
// small Consts, each with the attributes TF writes) plus 16 large weight
// Consts of 1 MiB each in tensor_content.
var benchGraph = sync.OnceValues(func() (bin, text []byte) {
	def := &graphpb.GraphDef{}
	typ := attrType(tensor.Float)
	prev := "input"
	def.Node = append(def.Node, &nodepb.NodeDef{Name: "input", Op: "Placeholder", Attr: map[string]*attrpb.AttrValue{
		"dtype": typ, "shape": {Value: &attrpb.AttrValue_Shape{Shape: tensor.ShapeToProto([]int64{-1, 299, 299, 3})}},
	}})
	big := 0
	for i := 0; len(def.Node) < 20000; i++ {
		scope := fmt.Sprintf("InceptionV3/Mixed_%d/Branch_%d/Conv2d_%da_1x1", i/40, i%4, i)
		n := 1024
		if big < 16 && i%100 == 0 {
			n, big = 256*1024, big+1 // a 1 MiB weight
		}
		w, _ := tensor.FromFloat32s([]int64{int64(n)}, make([]float32, n))
		for j := range w.Data {
			w.Data[j] = byte(i + j*7)
		}
		def.Node = append(def.Node,
			&nodepb.NodeDef{Name: scope + "/weights", Op: "Const", Attr: map[string]*attrpb.AttrValue{
				"dtype": typ, "value": {Value: &attrpb.AttrValue_Tensor{Tensor: w.ToProto()}}}},
			&nodepb.NodeDef{Name: scope + "/weights/read", Op: "Identity", Input: []string{scope + "/weights"}, Attr: map[string]*attrpb.AttrValue{
				"T": typ, "_class": attrStrings("loc:@" + scope + "/weights")}},
			&nodepb.NodeDef{Name: scope + "/Conv2D", Op: "Conv2D", Input: []string{prev, scope + "/weights/read"}, Attr: map[string]*attrpb.AttrValue{
				"T": typ, "strides": attrInts(1, 1, 1, 1), "padding": attrString("SAME"), "data_format": attrString("NHWC"),
				"dilations": attrInts(1, 1, 1, 1), "use_cudnn_on_gpu": attrBool(true)}},
			&nodepb.NodeDef{Name: scope + "/BatchNorm/mul", Op: "Mul", Input: []string{scope + "/Conv2D", scope + "/weights/read"}, Attr: map[string]*attrpb.AttrValue{"T": typ}},
			&nodepb.NodeDef{Name: scope + "/Relu", Op: "Relu", Input: []string{scope + "/BatchNorm/mul"}, Attr: map[string]*attrpb.AttrValue{"T": typ}},
		)
		prev = scope + "/Relu"
	}
	opts := proto.MarshalOptions{Deterministic: true}
	bin, err := opts.Marshal(def)
	if err != nil {
		panic(err)
	}
	return bin, marshalTextTF(def.ProtoReflect())
})

func BenchmarkParseBinary(b *testing.B) {
	bin, _ := benchGraph()
	b.SetBytes(int64(len(bin)))
	b.ReportAllocs()
	for b.Loop() {
		g, err := Parse(bin, "bench.pb")
		if err != nil {
			b.Fatal(err)
		}
		if g.Len() != 20001 {
			b.Fatalf("%d nodes", g.Len())
		}
	}
}

// Baseline: bare proto.Unmarshal of the same bytes, without Parse's
// validation and name index.
func BenchmarkParseBinaryBaselineProtoUnmarshal(b *testing.B) {
	bin, _ := benchGraph()
	b.SetBytes(int64(len(bin)))
	b.ReportAllocs()
	for b.Loop() {
		if err := proto.Unmarshal(bin, &graphpb.GraphDef{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadBinaryFile(b *testing.B) {
	bin, _ := benchGraph()
	path := filepath.Join(b.TempDir(), "bench.pb")
	if err := os.WriteFile(path, bin, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(bin)))
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseText(b *testing.B) {
	_, text := benchGraph()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := Parse(text, "bench.pbtxt"); err != nil {
			b.Fatal(err)
		}
	}
}

// Baseline: bare prototext.Unmarshal.
func BenchmarkParseTextBaselinePrototext(b *testing.B) {
	_, text := benchGraph()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if err := prototext.Unmarshal(text, &graphpb.GraphDef{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteText(b *testing.B) {
	bin, text := benchGraph()
	g, err := Parse(bin, "bench.pb")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		g.Marshal(Text)
	}
}

// Baseline: prototext.Marshal (valid text, but not TF's layout).
func BenchmarkWriteTextBaselinePrototext(b *testing.B) {
	bin, text := benchGraph()
	g, err := Parse(bin, "bench.pb")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(g.Def)
	}
}

func BenchmarkPlaceholdersOutputsOpCounts(b *testing.B) {
	bin, _ := benchGraph()
	g, err := Parse(bin, "bench.pb")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		g.Placeholders()
		g.Outputs()
		g.OpCounts()
	}
}
