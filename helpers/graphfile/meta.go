package graphfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/graphfile/internal/tfproto"
	"github.com/gotl/gotl/helpers/tensor"
)

// MetaGraph is a MetaGraphDef: a graph with what is needed to use it again
// (the .meta file tf.train.Saver writes next to a checkpoint, and each
// element of a SavedModel).
type MetaGraph struct {
	Tags        []string // SavedModel tags ("serve", "train"); empty in .meta files
	Info        MetaInfo
	Graph       *Graph
	Saver       *Saver                // nil when the file has no SaverDef
	Signatures  map[string]Signature  // by signature key ("serving_default", …)
	Collections map[string]Collection // by collection name ("variables", "train_op", …)
	Assets      []Asset
	Objects     *ObjectGraph // TF2 SavedModels only
}

// MetaInfo is a MetaGraphDef's meta_info_def.
type MetaInfo struct {
	MetaGraphVersion     string
	TensorFlowVersion    string
	TensorFlowGitVersion string
	StrippedOpList       []string // ops the graph uses, as recorded by the writer (written back as names only)
	StrippedDefaultAttrs bool     // attributes equal to their defaults were removed
	AnyInfoTypeURL       string   // type of meta_info_def.any_info (not written back)
}

// Saver is a SaverDef: how tf.train.Saver saves and restores the graph.
type Saver struct {
	FilenameTensorName        string
	SaveTensorName            string
	RestoreOpName             string
	MaxToKeep                 int32
	Sharded                   bool
	KeepCheckpointEveryNHours float32
	Version                   string // "LEGACY", "V1" or "V2"
}

// Signature is a SignatureDef: named inputs and outputs of a computation.
type Signature struct {
	MethodName string // "tensorflow/serving/predict", …
	Inputs     map[string]TensorInfo
	Outputs    map[string]TensorInfo
}

// TensorInfo describes a tensor of a signature or an asset.
type TensorInfo struct {
	Name     string // tensor name ("x:0"); for coo_sparse, the values tensor
	Encoding string // "name", "coo_sparse", or "composite_tensor" (not decoded)
	DType    tensor.DType
	Shape    tensor.Shape
}

// Collection is one entry of a MetaGraphDef's collection_def; exactly one of
// the value lists is set, as Kind says.
type Collection struct {
	Kind        string // "node_list", "bytes_list", "int64_list", "float_list", "any_list" or "" (empty)
	Nodes       []string
	Bytes       [][]byte
	Int64s      []int64
	Floats      []float32
	AnyTypeURLs []string // type URL of each packed message
	AnyValues   [][]byte // the packed messages, serialized, parallel to AnyTypeURLs
}

// Asset is an AssetFileDef: a file under the SavedModel's assets/ directory
// and the graph tensor that receives its path.
type Asset struct {
	Filename string
	Tensor   TensorInfo
}

// ObjectGraph summarizes a TF2 SavedObjectGraph: the trackable objects
// (node 0 is the root) and the concrete functions.
type ObjectGraph struct {
	Objects           []Object
	ConcreteFunctions []string // sorted
}

// Object is one node of a SavedObjectGraph.
type Object struct {
	Kind       string // "user_object", "asset", "function", "variable", "bare_concrete_function", "constant", "resource", "captured_tensor" or ""
	Children   []ObjectRef
	Identifier string    // user_object: its type identifier ("_generic_user_object", …)
	Variable   *Variable // variable objects
	Functions  []string  // function: its concrete functions; bare_concrete_function: its one function
}

// ObjectRef is a named edge of the object graph.
type ObjectRef struct {
	Name string
	Node int
}

// Variable is a TF2 SavedVariable.
type Variable struct {
	Name      string
	DType     tensor.DType
	Shape     tensor.Shape
	Trainable bool
}

// LoadMetaGraph reads a MetaGraphDef file (.meta), binary or text.
func LoadMetaGraph(path string) (*MetaGraph, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMetaGraph(data, path)
}

// ParseMetaGraph decodes a MetaGraphDef, binary or text (detected); source
// names the data in errors.
func ParseMetaGraph(data []byte, source string) (*MetaGraph, error) {
	if len(data) == 0 {
		return nil, fileError(source, errors.New("empty file"))
	}
	m := &tfproto.MetaGraphDef{}
	enc, err := decode(data, m)
	if err != nil {
		return nil, fileError(source, decodeError("MetaGraphDef", enc, err))
	}
	if m.GraphDef == nil && m.MetaInfoDef == nil {
		return nil, fileError(source, errors.New("not a MetaGraphDef: it has neither meta_info_def nor graph_def"))
	}
	return metaGraphFromProto(m, source, enc)
}

func metaGraphFromProto(m *tfproto.MetaGraphDef, source string, enc Encoding) (*MetaGraph, error) {
	g, err := newGraph(m.GraphDef, source, enc)
	if err != nil {
		return nil, err
	}
	mg := &MetaGraph{
		Graph:       g,
		Signatures:  map[string]Signature{},
		Collections: map[string]Collection{},
	}
	if info := m.MetaInfoDef; info != nil {
		mg.Tags = append([]string{}, info.Tags...)
		mg.Info = MetaInfo{
			MetaGraphVersion:     info.MetaGraphVersion,
			TensorFlowVersion:    info.TensorflowVersion,
			TensorFlowGitVersion: info.TensorflowGitVersion,
			StrippedDefaultAttrs: info.StrippedDefaultAttrs,
			AnyInfoTypeURL:       info.GetAnyInfo().GetTypeUrl(),
		}
		for _, op := range info.GetStrippedOpList().GetOp() {
			mg.Info.StrippedOpList = append(mg.Info.StrippedOpList, op.GetName())
		}
	}
	if s := m.SaverDef; s != nil {
		mg.Saver = &Saver{
			FilenameTensorName:        s.FilenameTensorName,
			SaveTensorName:            s.SaveTensorName,
			RestoreOpName:             s.RestoreOpName,
			MaxToKeep:                 s.MaxToKeep,
			Sharded:                   s.Sharded,
			KeepCheckpointEveryNHours: s.KeepCheckpointEveryNHours,
			Version:                   s.Version.String(),
		}
	}
	for name, sig := range m.SignatureDef {
		s := Signature{MethodName: sig.GetMethodName(), Inputs: map[string]TensorInfo{}, Outputs: map[string]TensorInfo{}}
		for k, ti := range sig.GetInputs() {
			s.Inputs[k] = tensorInfo(ti)
		}
		for k, ti := range sig.GetOutputs() {
			s.Outputs[k] = tensorInfo(ti)
		}
		mg.Signatures[name] = s
	}
	for name, c := range m.CollectionDef {
		var col Collection
		switch k := c.GetKind().(type) {
		case *tfproto.CollectionDef_NodeList_:
			col.Kind, col.Nodes = "node_list", k.NodeList.GetValue()
		case *tfproto.CollectionDef_BytesList_:
			col.Kind, col.Bytes = "bytes_list", k.BytesList.GetValue()
		case *tfproto.CollectionDef_Int64List_:
			col.Kind, col.Int64s = "int64_list", k.Int64List.GetValue()
		case *tfproto.CollectionDef_FloatList_:
			col.Kind, col.Floats = "float_list", k.FloatList.GetValue()
		case *tfproto.CollectionDef_AnyList_:
			col.Kind = "any_list"
			for _, a := range k.AnyList.GetValue() {
				col.AnyTypeURLs = append(col.AnyTypeURLs, a.GetTypeUrl())
				col.AnyValues = append(col.AnyValues, a.GetValue())
			}
		}
		mg.Collections[name] = col
	}
	for _, a := range m.AssetFileDef {
		mg.Assets = append(mg.Assets, Asset{Filename: a.GetFilename(), Tensor: tensorInfo(a.GetTensorInfo())})
	}
	if og := m.ObjectGraphDef; og != nil {
		mg.Objects = objectGraph(og)
	}
	return mg, nil
}

func tensorInfo(ti *tfproto.TensorInfo) TensorInfo {
	out := TensorInfo{DType: ti.GetDtype(), Shape: tensor.ShapeFromProto(ti.GetTensorShape())}
	switch e := ti.GetEncoding().(type) {
	case *tfproto.TensorInfo_Name:
		out.Encoding, out.Name = "name", e.Name
	case *tfproto.TensorInfo_CooSparse_:
		out.Encoding, out.Name = "coo_sparse", e.CooSparse.GetValuesTensorName()
	default:
		if len(ti.ProtoReflect().GetUnknown()) > 0 {
			out.Encoding = "composite_tensor"
		}
	}
	if ti.GetTensorShape() == nil {
		// A TensorInfo without a shape says nothing about the rank.
		out.Shape = tensor.Shape{UnknownRank: true}
	}
	return out
}

func objectGraph(og *tfproto.SavedObjectGraph) *ObjectGraph {
	out := &ObjectGraph{}
	for _, n := range og.Nodes {
		o := Object{}
		for _, c := range n.GetChildren() {
			o.Children = append(o.Children, ObjectRef{Name: c.GetLocalName(), Node: int(c.GetNodeId())})
		}
		switch k := n.GetKind().(type) {
		case *tfproto.SavedObject_UserObject:
			o.Kind, o.Identifier = "user_object", k.UserObject.GetIdentifier()
		case *tfproto.SavedObject_Asset:
			o.Kind = "asset"
		case *tfproto.SavedObject_Function:
			o.Kind, o.Functions = "function", k.Function.GetConcreteFunctions()
		case *tfproto.SavedObject_Variable:
			v := k.Variable
			o.Kind = "variable"
			o.Variable = &Variable{Name: v.GetName(), DType: v.GetDtype(), Shape: tensor.ShapeFromProto(v.GetShape()), Trainable: v.GetTrainable()}
		case *tfproto.SavedObject_BareConcreteFunction:
			o.Kind, o.Functions = "bare_concrete_function", []string{k.BareConcreteFunction.GetConcreteFunctionName()}
		case *tfproto.SavedObject_Constant:
			o.Kind = "constant"
		case *tfproto.SavedObject_Resource:
			o.Kind = "resource"
		case *tfproto.SavedObject_CapturedTensor:
			o.Kind = "captured_tensor"
		}
		out.Objects = append(out.Objects, o)
	}
	for name := range og.ConcreteFunctions {
		out.ConcreteFunctions = append(out.ConcreteFunctions, name)
	}
	sort.Strings(out.ConcreteFunctions)
	return out
}

// SavedModel is a SavedModel directory: one or more MetaGraphs (usually one,
// tagged "serve"), the variables/ checkpoint and the assets/ files.
type SavedModel struct {
	Dir           string
	File          string // saved_model.pb or saved_model.pbtxt inside Dir
	Encoding      Encoding
	SchemaVersion int64
	MetaGraphs    []*MetaGraph
}

// LoadSavedModel reads the SavedModel in dir (saved_model.pb, or
// saved_model.pbtxt when there is no .pb). A path to the saved_model file
// itself is accepted too. Variables are opened separately, by Variables.
func LoadSavedModel(dir string) (*SavedModel, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	var file string
	for _, name := range []string{"saved_model.pb", "saved_model.pbtxt"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			file = p
			break
		}
	}
	if file == "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("graphfile: %w", err)
		}
		return nil, fileError(dir, errors.New("not a SavedModel directory: no saved_model.pb or saved_model.pbtxt"))
	}
	data, err := readFile(file)
	if err != nil {
		return nil, err
	}
	return parseSavedModel(data, dir, file)
}

func parseSavedModel(data []byte, dir, file string) (*SavedModel, error) {
	m := &tfproto.SavedModel{}
	enc, err := decode(data, m)
	if err != nil {
		return nil, fileError(file, decodeError("SavedModel", enc, err))
	}
	if len(m.MetaGraphs) == 0 {
		return nil, fileError(file, errors.New("SavedModel has no meta graphs"))
	}
	sm := &SavedModel{Dir: dir, File: file, Encoding: enc, SchemaVersion: m.SavedModelSchemaVersion}
	for i, mgp := range m.MetaGraphs {
		mg, err := metaGraphFromProto(mgp, file, enc)
		if err != nil {
			return nil, fmt.Errorf("%w (meta graph %d)", err, i)
		}
		sm.MetaGraphs = append(sm.MetaGraphs, mg)
	}
	return sm, nil
}

// MetaGraph returns the meta graph whose tag set equals tags (in any order).
// With no tags it returns the only meta graph, or the one tagged "serve".
func (m *SavedModel) MetaGraph(tags ...string) (*MetaGraph, error) {
	if len(tags) == 0 {
		if len(m.MetaGraphs) == 1 {
			return m.MetaGraphs[0], nil
		}
		tags = []string{"serve"}
	}
	want := slices.Clone(tags)
	slices.Sort(want)
	var have []string
	for _, mg := range m.MetaGraphs {
		got := slices.Clone(mg.Tags)
		slices.Sort(got)
		if slices.Equal(got, want) {
			return mg, nil
		}
		have = append(have, "["+strings.Join(mg.Tags, ",")+"]")
	}
	return nil, fileError(m.File, fmt.Errorf("no meta graph tagged [%s] (have %s)", strings.Join(tags, ","), strings.Join(have, " ")))
}

// VariablesPrefix is the checkpoint prefix of the model's variables:
// DIR/variables/variables.
func (m *SavedModel) VariablesPrefix() string {
	return filepath.Join(m.Dir, "variables", "variables")
}

// HasVariables reports whether the model has a variables checkpoint (models
// made only of constants have none).
func (m *SavedModel) HasVariables() bool {
	_, err := os.Stat(m.VariablesPrefix() + ".index")
	return err == nil
}

// Variables opens the model's variables checkpoint. Close it when done.
func (m *SavedModel) Variables() (*checkpoint.Reader, error) {
	if !m.HasVariables() {
		return nil, fileError(m.Dir, fmt.Errorf("SavedModel has no variables checkpoint (%s.index): %w", m.VariablesPrefix(), fs.ErrNotExist))
	}
	return checkpoint.Open(m.VariablesPrefix())
}

// AssetPath returns where asset a lives: DIR/assets/FILENAME.
func (m *SavedModel) AssetPath(a Asset) string {
	return filepath.Join(m.Dir, "assets", a.Filename)
}
