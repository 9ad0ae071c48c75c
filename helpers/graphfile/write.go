package graphfile

import (
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/internal/util"
)

// Marshal encodes the graph as a binary or text GraphDef. Binary output is
// deterministic (attribute maps sorted by key); text output is formatted as
// TensorFlow's Python tools write it.
func (g *Graph) Marshal(enc Encoding) ([]byte, error) {
	return marshal(g.Def, enc)
}

func marshal(m proto.Message, enc Encoding) ([]byte, error) {
	if enc == Text {
		return marshalTextTF(m.ProtoReflect()), nil
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("graphfile: encoding binary: %w", err)
	}
	return b, nil
}

// WriteFile writes the graph to path in the given encoding. The file is
// written under a temporary name and renamed into place, so a reader never
// sees a partial graph and a failed write leaves any old file intact.
func (g *Graph) WriteFile(path string, enc Encoding) error {
	data, err := g.Marshal(enc)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// WriteGraph writes g as dir/name like tf.train.write_graph: text when
// asText, binary otherwise. It creates dir if needed and returns the path
// written.
func WriteGraph(g *Graph, dir, name string, asText bool) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("graphfile: %w", err)
	}
	enc := Binary
	if asText {
		enc = Text
	}
	path := filepath.Join(dir, name)
	return path, g.WriteFile(path, enc)
}

// writeFileAtomic writes a graph file atomically (see util.WriteFileAtomic).
func writeFileAtomic(path string, data []byte) error {
	if err := util.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("graphfile: %w", err)
	}
	return nil
}
