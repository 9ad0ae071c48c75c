package graphfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/gotl/gotl/helpers/graphfile/internal/tfproto"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/tfdata"
)

// FuzzTextProto fuzzes the text-format readers of GraphDefs, MetaGraphDefs
// and SavedModels (the first byte picks which), under a nesting limit of
// 20 and a goroutine stack limit of 8 MB, so that a depth scan that missed
// braces the parser sees would crash the fuzzer instead of passing
// unnoticed. Invariants: no panic; an input the scan refuses fails with
// limits.ErrExceeded; a parsed message is no deeper than the limit; and our
// text output of it parses back to the same message.
//
//	go test -run XXX -fuzz '^FuzzTextProto$' -fuzztime 3m -fuzzminimizetime 5s ./helpers/graphfile/
//
// Keep -fuzzminimizetime short: a new input of a few KB takes the default
// 60 s to minimize, during which the fuzzer finds nothing new.
func FuzzTextProto(f *testing.F) {
	addSeeds(f) // lowers limits.TensorElements for speed
	prevDepth := limits.ProtoDepth.Set(fuzzDepth)
	f.Cleanup(func() { limits.ProtoDepth.Set(prevDepth) })
	if dir, _ := tfdata.Find(); dir != "" {
		for _, name := range []string{"crystal_graph_twin/graph.pbtxt"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(append([]byte{0}, b...))
			}
		}
	}
	for i, seed := range []string{
		nestedAttrs(3),
		nestedAttrs(7), // 22 deep: refused under the fuzzing limit
		`node { name: "a" op: "C" ` + strings.Repeat("z{", 25) + strings.Repeat("}", 25) + "}",
		`node < name: "a" op: "C" attr < key: "s" value < s: "{{<<\"" > > > # { {` + "\n",
		`node { name: 'q\'{' op: "C" } library { function { signature { name: "f" } } }`,
		`graph_def { node { name: "x" op: "Placeholder" } } saver_def { filename_tensor_name: "f" } collection_def { key: "c" value { node_list { value: "x" } } }`,
		`saved_model_schema_version: 1 meta_graphs { meta_info_def { tags: "serve" } graph_def { node { name: "x" op: "Const" } } signature_def { key: "s" value { inputs { key: "i" value { name: "x:0" } } } } }`,
		`node: [ { name: "a" op: "C" }, { name: "b" op: "C" input: "a" } ]`,
	} {
		f.Add(append([]byte{byte(i % 3)}, seed...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 || DetectEncoding(in[1:]) != Text {
			return
		}
		limitStack()
		kind, data := in[0]%3, in[1:]
		m, _ := decodeAs(kind, nil, Text) // an empty message of the kind
		enc, err := decode(data, m)
		// The higher-level readers must not panic either.
		switch kind {
		case 0:
			if g, err := Parse(data, "fuzz.pbtxt"); err == nil {
				exerciseGraph(t, g)
			}
		case 1:
			ParseMetaGraph(data, "fuzz.meta")
		case 2:
			parseSavedModel(data, "dir", "saved_model.pbtxt")
		}
		scanErr := checkTextDepth(data, fuzzDepth)
		if scanErr != nil && err != nil && !errors.Is(err, limits.ErrExceeded) {
			t.Fatalf("the depth scan refused the input (%v) but the reader said %v", scanErr, err)
		}
		if err != nil || enc != Text {
			return // binary (which rarely parses printable bytes) has its own limit
		}
		if scanErr != nil {
			t.Fatalf("parsed as text although the depth scan refused it: %v", scanErr)
		}
		if d := messageDepth(m.ProtoReflect()); d > fuzzDepth {
			t.Fatalf("parsed a message %d deep under a limit of %d", d, fuzzDepth)
		}
		out := marshalTextTF(m.ProtoReflect())
		back, err := decodeAs(kind, out, Text)
		if err != nil {
			t.Fatalf("our text output does not parse: %v\n%s", err, out)
		}
		a, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(back)
		if !bytes.Equal(a, b) {
			t.Fatalf("text round trip changed the message:\n%s", out)
		}
	})
}

// fuzzDepth is the nesting limit while fuzzing: low, so that the fuzzer
// reaches it with small inputs.
const fuzzDepth = 20

var stackOnce sync.Once

// limitStack caps goroutine stacks at 8 MB in the fuzzing process: parsing
// within fuzzDepth takes a few KB, while a nesting the depth scan missed
// would take far more and crash the worker, which the fuzzer reports.
func limitStack() { stackOnce.Do(func() { debug.SetMaxStack(8 << 20) }) }

// decodeAs decodes data as the message kind selects, in one encoding.
func decodeAs(kind byte, data []byte, enc Encoding) (proto.Message, error) {
	var m proto.Message
	switch kind {
	case 0:
		m = &graphpb.GraphDef{}
	case 1:
		m = &tfproto.MetaGraphDef{}
	default:
		m = &tfproto.SavedModel{}
	}
	if data == nil {
		return m, nil
	}
	return m, unmarshal(data, enc, m)
}

// messageDepth is how deep m's messages nest below it, counting a map entry
// as a level, as text braces do.
func messageDepth(m protoreflect.Message) int {
	depth := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		isMsg := func(k protoreflect.Kind) bool { return k == protoreflect.MessageKind || k == protoreflect.GroupKind }
		switch {
		case fd.IsMap():
			d := 1
			if isMsg(fd.MapValue().Kind()) {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					d = max(d, 2+messageDepth(mv.Message()))
					return true
				})
			}
			depth = max(depth, d)
		case fd.IsList() && isMsg(fd.Kind()):
			for i := 0; i < v.List().Len(); i++ {
				depth = max(depth, 1+messageDepth(v.List().Get(i).Message()))
			}
		case isMsg(fd.Kind()):
			depth = max(depth, 1+messageDepth(v.Message()))
		}
		return true
	})
	return depth
}
