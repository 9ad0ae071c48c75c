package graphfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

// Encoding is how a protobuf file is stored.
type Encoding int

const (
	// Binary is the protobuf wire format (.pb, .meta, saved_model.pb).
	Binary Encoding = iota
	// Text is the protobuf text format (.pbtxt, saved_model.pbtxt).
	Text
)

// String returns "binary" or "text".
func (e Encoding) String() string {
	if e == Text {
		return "text"
	}
	return "binary"
}

// Graph is a TensorFlow GraphDef with an index of its nodes by name.
//
// Def is the decoded message; treat it as read-only while the Graph is in
// use (the name index is built once, by NewGraph). Functions that change a
// graph (Prune, Freeze) return a new Graph.
type Graph struct {
	Def      *graphpb.GraphDef
	Encoding Encoding // encoding of the file it was read from (Binary for graphs built in memory)
	Source   string   // file it was read from, used in error messages; may be empty

	index map[string]int // node name → position in Def.Node
}

// NewGraph indexes def. It fails if a node has no name or op, or if two
// nodes share a name (TensorFlow refuses such graphs too).
func NewGraph(def *graphpb.GraphDef) (*Graph, error) {
	return newGraph(def, "", Binary)
}

func newGraph(def *graphpb.GraphDef, source string, enc Encoding) (*Graph, error) {
	if def == nil {
		def = &graphpb.GraphDef{}
	}
	g := &Graph{Def: def, Encoding: enc, Source: source, index: make(map[string]int, len(def.Node))}
	for i, n := range def.Node {
		if n == nil || n.Name == "" {
			return nil, g.errorf("node %d has no name", i)
		}
		if n.Op == "" {
			return nil, g.errorf("node %q has no op", n.Name)
		}
		if j, dup := g.index[n.Name]; dup {
			return nil, g.errorf("nodes %d and %d are both named %q", j, i, n.Name)
		}
		g.index[n.Name] = i
	}
	return g, nil
}

// errorf returns an error prefixed with the package and the graph's file.
func (g *Graph) errorf(format string, args ...any) error {
	return fileError(g.Source, fmt.Errorf(format, args...))
}

// inFile adds the file name to an error of this package ("graphfile: node
// …" becomes "graphfile: FILE: node …"), keeping what it wraps.
func inFile(source string, err error) error {
	if source == "" {
		return err
	}
	return &fileWrapped{"graphfile: " + source + ": " + strings.TrimPrefix(err.Error(), "graphfile: "), err}
}

type fileWrapped struct {
	msg string
	err error
}

func (e *fileWrapped) Error() string { return e.msg }
func (e *fileWrapped) Unwrap() error { return e.err }

func fileError(source string, err error) error {
	if source == "" {
		return fmt.Errorf("graphfile: %w", err)
	}
	return fmt.Errorf("graphfile: %s: %w", source, err)
}

// Load reads a GraphDef file written by tf.train.write_graph or a freezing
// tool, in binary (.pb) or text (.pbtxt) protobuf format; the encoding is
// detected from the content, not the name.
func Load(path string) (*Graph, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		for _, name := range []string{"saved_model.pb", "saved_model.pbtxt"} {
			if _, err := os.Stat(filepath.Join(path, name)); err == nil {
				return nil, fileError(path, errors.New("is a SavedModel directory, not a GraphDef file (use LoadSavedModel)"))
			}
		}
	}
	if strings.HasSuffix(path, ".meta") {
		return nil, fileError(path, errors.New("is a MetaGraphDef, not a GraphDef (use LoadMetaGraph; its Graph field is the GraphDef)"))
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// readFile reads a whole regular file of at most limits.FileBytes (2 GiB
// − 1 by default, the largest protobuf message), with errors that name the
// path.
func readFile(path string) ([]byte, error) {
	data, err := limits.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("graphfile: %w", err)
	}
	if len(data) == 0 {
		return nil, fileError(path, errors.New("empty file"))
	}
	return data, nil
}

// Parse decodes a GraphDef from data, binary or text (detected). source
// names the data in error messages (usually its file name).
func Parse(data []byte, source string) (*Graph, error) {
	if len(data) == 0 {
		return nil, fileError(source, errors.New("empty file"))
	}
	def := &graphpb.GraphDef{}
	enc, err := decode(data, def)
	if err != nil {
		return nil, fileError(source, decodeError("GraphDef", enc, err))
	}
	if len(def.Node) == 0 && len(def.GetLibrary().GetFunction()) == 0 {
		if enc == Binary && len(def.ProtoReflect().GetUnknown()) > 0 {
			return nil, fileError(source, errors.New("not a GraphDef: no node or function fields, only unknown data"))
		}
	}
	return newGraph(def, source, enc)
}

// decodeError describes a failed decode: binary data that does not parse
// is truncated or corrupt; text data has a syntax error at a line:column.
func decodeError(what string, enc Encoding, err error) error {
	if errors.Is(err, limits.ErrExceeded) {
		return fmt.Errorf("not a valid %s (%s protobuf): %w", what, enc, err)
	}
	// protobuf-go's messages start with "proto:" followed by a space that is
	// sometimes a non-breaking one; normalize for one-line, greppable errors.
	msg := strings.ReplaceAll(err.Error(), "\u00a0", " ")
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "proto:"))
	if enc == Binary {
		return fmt.Errorf("not a valid %s (binary protobuf, truncated or corrupt): %s", what, msg)
	}
	return fmt.Errorf("not a valid %s (text protobuf): %s", what, msg)
}

// decode detects the encoding of data and decodes it into m. A binary
// message can, rarely, consist of printable bytes only; when such data fails
// to parse as text but parses as binary, binary wins.
func decode(data []byte, m proto.Message) (Encoding, error) {
	enc := DetectEncoding(data)
	err := unmarshal(data, enc, m)
	if err != nil && enc == Text {
		proto.Reset(m)
		if unmarshal(data, Binary, m) == nil {
			return Binary, nil
		}
		proto.Reset(m)
	}
	return enc, err
}

// unmarshal decodes data in the given encoding, with messages nested at
// most limits.ProtoDepth deep. Text files may hold fields newer than our
// schema; like TensorFlow's own parser for known messages we would fail on
// them, but readers of old and new files are better served by skipping them.
func unmarshal(data []byte, enc Encoding, m proto.Message) error {
	depth := limits.ProtoDepth.Int()
	if enc == Text {
		if err := checkTextDepth(data, depth); err != nil {
			return err
		}
		return prototext.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, m)
	}
	err := proto.UnmarshalOptions{RecursionLimit: depth}.Unmarshal(data, m)
	if err != nil && strings.Contains(err.Error(), "recursion depth") {
		return &limits.ExceededError{Limit: limits.ProtoDepth, What: "message nesting", Value: int64(depth) + 1}
	}
	return err
}

// DetectEncoding tells a text-format protobuf from a binary one. Binary
// messages always contain control bytes (field tags such as 0x12 and length
// prefixes), while text files are UTF-8 without control characters other
// than whitespace; the first 64 KiB decide.
func DetectEncoding(data []byte) Encoding {
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
		// Do not judge a multi-byte character cut at the boundary.
		for i := 0; i < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
	}
	if !utf8.Valid(head) {
		return Binary
	}
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' {
			return Binary
		}
		if c == 0x7f {
			return Binary
		}
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return Binary
	}
	return Text
}

// Len returns the number of nodes.
func (g *Graph) Len() int { return len(g.Def.Node) }

// Nodes returns the nodes in file order.
func (g *Graph) Nodes() []Node {
	out := make([]Node, len(g.Def.Node))
	for i, n := range g.Def.Node {
		out[i] = Node{n}
	}
	return out
}

// NodeNames returns every node name in file order: what the classic
// "print every tensor name" script prints.
func (g *Graph) NodeNames() []string {
	out := make([]string, len(g.Def.Node))
	for i, n := range g.Def.Node {
		out[i] = n.Name
	}
	return out
}

// Node returns the node called name; a tensor name ("name:0") or a control
// input ("^name") selects its node.
func (g *Graph) Node(name string) (Node, bool) {
	node, _, _ := ParseInput(name)
	i, ok := g.index[node]
	if !ok {
		return Node{}, false
	}
	return Node{g.Def.Node[i]}, true
}

// OpCounts returns how many nodes use each op.
func (g *Graph) OpCounts() map[string]int {
	m := map[string]int{}
	for _, n := range g.Def.Node {
		m[n.Op]++
	}
	return m
}

// Placeholder is a graph input: a Placeholder node (or a
// PlaceholderWithDefault, which is fed the same way).
type Placeholder struct {
	Name  string
	Op    string
	DType tensor.DType
	Shape tensor.Shape // -1 for unknown dimensions; UnknownRank when not declared
}

// Placeholders returns the graph's inputs in file order.
func (g *Graph) Placeholders() []Placeholder {
	var out []Placeholder
	for _, n := range g.Def.Node {
		switch n.Op {
		case "Placeholder", "PlaceholderV2", "PlaceholderWithDefault":
		default:
			continue
		}
		node := Node{n}
		p := Placeholder{Name: n.Name, Op: n.Op}
		p.DType, _ = node.TypeAttr("dtype")
		p.Shape, _ = node.ShapeAttr("shape")
		out = append(out, p)
	}
	return out
}

// Outputs returns, in file order, the nodes that no other node consumes
// through a data or control input: the graph's sinks, where its results
// (and its training or init ops) are.
func (g *Graph) Outputs() []string {
	used := make(map[string]bool, len(g.Def.Node))
	for _, n := range g.Def.Node {
		for _, in := range n.Input {
			name, _, _ := ParseInput(in)
			used[name] = true
		}
	}
	var out []string
	for _, n := range g.Def.Node {
		if !used[n.Name] {
			out = append(out, n.Name)
		}
	}
	return out
}

// Consumers returns the names of the nodes that take an input (data or
// control) from the node called name, in file order.
func (g *Graph) Consumers(name string) []string {
	var out []string
	for _, n := range g.Def.Node {
		for _, in := range n.Input {
			if src, _, _ := ParseInput(in); src == name {
				out = append(out, n.Name)
				break
			}
		}
	}
	return out
}

// Const returns the value of the Const node called name (a tensor name such
// as "name:0" is accepted).
func (g *Graph) Const(name string) (*tensor.Tensor, error) {
	n, ok := g.Node(name)
	if !ok {
		return nil, g.errorf("no node named %q%s", name, suggestSuffix(name, g.NodeNames()))
	}
	if n.Op != "Const" && n.Op != "HostConst" {
		return nil, g.errorf("node %q is a %s, not a Const", n.Name, n.Op)
	}
	t, err := n.TensorAttr("value")
	if err != nil {
		return nil, inFile(g.Source, err)
	}
	return t, nil
}

// ParseInput splits a NodeDef input string: "name" (output 0), "name:k"
// (output k), or "^name" (a control dependency, output -1).
func ParseInput(in string) (node string, output int, control bool) {
	if strings.HasPrefix(in, "^") {
		return in[1:], -1, true
	}
	if i := strings.LastIndexByte(in, ':'); i >= 0 {
		if k, err := strconv.Atoi(in[i+1:]); err == nil && k >= 0 {
			return in[:i], k, false
		}
	}
	return in, 0, false
}

// Node is one NodeDef of a graph. The embedded message gives Name, Op,
// Input, Device and Attr; the methods add parsed inputs and typed attribute
// access with TensorFlow's registered defaults.
type Node struct {
	*nodepb.NodeDef
}

// DataInputs returns the inputs that carry tensors, as written ("name" or
// "name:k").
func (n Node) DataInputs() []string {
	var out []string
	for _, in := range n.Input {
		if !strings.HasPrefix(in, "^") {
			out = append(out, in)
		}
	}
	return out
}

// ControlInputs returns the names of the nodes this one must run after.
func (n Node) ControlInputs() []string {
	var out []string
	for _, in := range n.Input {
		if strings.HasPrefix(in, "^") {
			out = append(out, in[1:])
		}
	}
	return out
}
