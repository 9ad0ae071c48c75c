package graphfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	opdefpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/op_def_go_proto"
	shapepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_shape_go_proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/gotl/gotl/helpers/graphfile/internal/tfproto"
	"github.com/gotl/gotl/helpers/tensor"
)

// PredictMethod is the method name of prediction signatures
// (tf.saved_model.PREDICT_METHOD_NAME).
const PredictMethod = "tensorflow/serving/predict"

// NewSignature builds a signature whose inputs and outputs map keys to
// tensor names of g ("input:0"), with dtypes and shapes read from the graph:
// a Placeholder's dtype and shape attributes, otherwise the node's T, dtype
// or out_type attribute and its _output_shapes when recorded (an unknown
// rank otherwise).
func NewSignature(g *Graph, method string, inputs, outputs map[string]string) (Signature, error) {
	s := Signature{MethodName: method, Inputs: map[string]TensorInfo{}, Outputs: map[string]TensorInfo{}}
	for _, side := range []struct {
		names map[string]string
		out   map[string]TensorInfo
	}{{inputs, s.Inputs}, {outputs, s.Outputs}} {
		for key, name := range side.names {
			ti, err := g.tensorInfo(name)
			if err != nil {
				return Signature{}, err
			}
			side.out[key] = ti
		}
	}
	return s, nil
}

// tensorInfo describes the tensor called name ("node" or "node:k").
func (g *Graph) tensorInfo(name string) (TensorInfo, error) {
	node, k, control := ParseInput(name)
	n, ok := g.Node(node)
	if !ok || control {
		return TensorInfo{}, g.errorf("no tensor %q in the graph%s", name, suggestSuffix(node, g.NodeNames()))
	}
	ti := TensorInfo{Name: fmt.Sprintf("%s:%d", node, k), Encoding: "name", Shape: tensor.Shape{UnknownRank: true}}
	for _, attr := range []string{"dtype", "T", "out_type"} {
		if dt, err := n.TypeAttr(attr); err == nil {
			ti.DType = dt
			break
		}
	}
	if n.Op == "Placeholder" || n.Op == "PlaceholderWithDefault" {
		if s, err := n.ShapeAttr("shape"); err == nil {
			ti.Shape = s
		}
	} else if shapes, err := n.ShapesAttr("_output_shapes"); err == nil && k < len(shapes) {
		ti.Shape = shapes[k]
	}
	if ti.DType == tensor.Invalid {
		return TensorInfo{}, g.errorf("cannot tell the dtype of tensor %q (node %s has no dtype, T or out_type attribute)", name, n.Op)
	}
	return ti, nil
}

func shapeProto(s tensor.Shape) *shapepb.TensorShapeProto {
	if s.UnknownRank {
		return &shapepb.TensorShapeProto{UnknownRank: true}
	}
	return tensor.ShapeToProto(s.Dims)
}

func (ti TensorInfo) proto() (*tfproto.TensorInfo, error) {
	if ti.Encoding != "name" && ti.Encoding != "" {
		return nil, fmt.Errorf("tensor %q: writing %s tensor infos is not supported", ti.Name, ti.Encoding)
	}
	return &tfproto.TensorInfo{
		Encoding:    &tfproto.TensorInfo_Name{Name: ti.Name},
		Dtype:       ti.DType,
		TensorShape: shapeProto(ti.Shape),
	}, nil
}

// proto converts mg back to a MetaGraphDef. A TF2 object graph is not
// written: the result is a TF1-style meta graph.
func (mg *MetaGraph) proto() (*tfproto.MetaGraphDef, error) {
	if mg.Graph == nil {
		return nil, errors.New("graphfile: meta graph has no graph")
	}
	m := &tfproto.MetaGraphDef{
		MetaInfoDef: &tfproto.MetaGraphDef_MetaInfoDef{
			MetaGraphVersion:     mg.Info.MetaGraphVersion,
			Tags:                 mg.Tags,
			TensorflowVersion:    mg.Info.TensorFlowVersion,
			TensorflowGitVersion: mg.Info.TensorFlowGitVersion,
			StrippedDefaultAttrs: mg.Info.StrippedDefaultAttrs,
		},
		GraphDef:      mg.Graph.Def,
		CollectionDef: map[string]*tfproto.CollectionDef{},
		SignatureDef:  map[string]*tfproto.SignatureDef{},
	}
	if len(mg.Info.StrippedOpList) > 0 {
		m.MetaInfoDef.StrippedOpList = &opdefpb.OpList{}
		for _, op := range mg.Info.StrippedOpList {
			m.MetaInfoDef.StrippedOpList.Op = append(m.MetaInfoDef.StrippedOpList.Op, &opdefpb.OpDef{Name: op})
		}
	}
	if s := mg.Saver; s != nil {
		v, ok := tfproto.SaverDef_CheckpointFormatVersion_value[s.Version]
		if !ok {
			return nil, fmt.Errorf("graphfile: saver version %q is not LEGACY, V1 or V2", s.Version)
		}
		m.SaverDef = &tfproto.SaverDef{
			FilenameTensorName: s.FilenameTensorName, SaveTensorName: s.SaveTensorName, RestoreOpName: s.RestoreOpName,
			MaxToKeep: s.MaxToKeep, Sharded: s.Sharded, KeepCheckpointEveryNHours: s.KeepCheckpointEveryNHours,
			Version: tfproto.SaverDef_CheckpointFormatVersion(v),
		}
	}
	for name, c := range mg.Collections {
		cd := &tfproto.CollectionDef{}
		switch c.Kind {
		case "node_list":
			cd.Kind = &tfproto.CollectionDef_NodeList_{NodeList: &tfproto.CollectionDef_NodeList{Value: c.Nodes}}
		case "bytes_list":
			cd.Kind = &tfproto.CollectionDef_BytesList_{BytesList: &tfproto.CollectionDef_BytesList{Value: c.Bytes}}
		case "int64_list":
			cd.Kind = &tfproto.CollectionDef_Int64List_{Int64List: &tfproto.CollectionDef_Int64List{Value: c.Int64s}}
		case "float_list":
			cd.Kind = &tfproto.CollectionDef_FloatList_{FloatList: &tfproto.CollectionDef_FloatList{Value: c.Floats}}
		case "any_list":
			if len(c.AnyValues) != len(c.AnyTypeURLs) {
				return nil, fmt.Errorf("graphfile: collection %q has %d type URLs but %d values", name, len(c.AnyTypeURLs), len(c.AnyValues))
			}
			l := &tfproto.CollectionDef_AnyList{}
			for i, u := range c.AnyTypeURLs {
				l.Value = append(l.Value, &anypb.Any{TypeUrl: u, Value: c.AnyValues[i]})
			}
			cd.Kind = &tfproto.CollectionDef_AnyList_{AnyList: l}
		case "":
		default:
			return nil, fmt.Errorf("graphfile: collection %q has unknown kind %q", name, c.Kind)
		}
		m.CollectionDef[name] = cd
	}
	for key, s := range mg.Signatures {
		sd := &tfproto.SignatureDef{MethodName: s.MethodName, Inputs: map[string]*tfproto.TensorInfo{}, Outputs: map[string]*tfproto.TensorInfo{}}
		for k, ti := range s.Inputs {
			p, err := ti.proto()
			if err != nil {
				return nil, fmt.Errorf("graphfile: signature %q input %q: %w", key, k, err)
			}
			sd.Inputs[k] = p
		}
		for k, ti := range s.Outputs {
			p, err := ti.proto()
			if err != nil {
				return nil, fmt.Errorf("graphfile: signature %q output %q: %w", key, k, err)
			}
			sd.Outputs[k] = p
		}
		m.SignatureDef[key] = sd
	}
	for _, a := range mg.Assets {
		p, err := a.Tensor.proto()
		if err != nil {
			return nil, fmt.Errorf("graphfile: asset %q: %w", a.Filename, err)
		}
		m.AssetFileDef = append(m.AssetFileDef, &tfproto.AssetFileDef{TensorInfo: p, Filename: a.Filename})
	}
	return m, nil
}

// Marshal encodes mg as a MetaGraphDef (the content of a .meta file).
func (mg *MetaGraph) Marshal(enc Encoding) ([]byte, error) {
	m, err := mg.proto()
	if err != nil {
		return nil, err
	}
	return marshal(m, enc)
}

// WriteFile writes mg as a .meta file, atomically.
func (mg *MetaGraph) WriteFile(path string, enc Encoding) error {
	b, err := mg.Marshal(enc)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// WriteSavedModel creates the SavedModel directory dir holding
// saved_model.pb with the given meta graphs (each needs tags; the usual one
// is tagged "serve" and has a "serving_default" signature, see
// NewSignature). It writes no variables: it is meant for frozen graphs,
// which TensorFlow's loaders accept without a variables/ directory. Asset
// files named by the meta graphs must be copied into dir/assets by the
// caller. Like TensorFlow's builder it refuses an existing non-empty dir;
// the directory appears complete or not at all.
func WriteSavedModel(dir string, metaGraphs ...*MetaGraph) error {
	if len(metaGraphs) == 0 {
		return fmt.Errorf("graphfile: SavedModel %s: no meta graphs to write", dir)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("graphfile: SavedModel %s: directory already exists and is not empty", dir)
	}
	sm := &tfproto.SavedModel{SavedModelSchemaVersion: 1}
	seen := map[string]bool{}
	for i, mg := range metaGraphs {
		if len(mg.Tags) == 0 {
			return fmt.Errorf("graphfile: SavedModel %s: meta graph %d has no tags", dir, i)
		}
		tags := append([]string{}, mg.Tags...)
		sort.Strings(tags)
		key := fmt.Sprint(tags)
		if seen[key] {
			return fmt.Errorf("graphfile: SavedModel %s: two meta graphs tagged %v", dir, tags)
		}
		seen[key] = true
		m, err := mg.proto()
		if err != nil {
			return err
		}
		sm.MetaGraphs = append(sm.MetaGraphs, m)
	}
	data, err := marshal(sm, Binary)
	if err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("graphfile: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("graphfile: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := writeFileAtomic(filepath.Join(tmp, "saved_model.pb"), data); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("graphfile: %w", err)
	}
	os.Remove(dir) // an existing empty directory
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("graphfile: SavedModel %s: %w", dir, err)
	}
	return nil
}
