// Package graphfile reads and writes TensorFlow graph files in pure Go:
// GraphDefs (binary .pb and text .pbtxt, detected from the content),
// MetaGraphDefs (.meta) and SavedModel directories, without libtensorflow.
//
// The classic first script of TensorFlow transfer learning, listing every
// node of Inception's classify_image_graph_def.pb, becomes:
//
//	g, err := graphfile.Load("classify_image_graph_def.pb")
//	if err != nil { … }
//	for _, n := range g.Nodes() {
//		fmt.Println(n.Name, n.Op)
//	}
//
// A Graph keeps the decoded GraphDef (galeone's generated
// graph_go_proto.GraphDef) and adds what tools need: nodes by name,
// op counts, placeholders (inputs) with their dtype and partial shape, sink
// nodes (outputs), Const values as tensor.Tensor, and typed attribute access
// that falls back on TensorFlow's registered defaults for attributes old
// graphs omit (dilations and data_format on convolutions, …).
//
// Graphs are written back with Graph.WriteFile or WriteGraph (binary or
// text, like tf.train.write_graph; written to a temporary file and renamed,
// so a failed write never leaves a partial file). Graph.Prune extracts the
// sub-graph an output needs, and Freeze turns variables into constants with
// the values of a checkpoint, like convert_variables_to_constants.
//
// DetectKind tells a GraphDef, a .meta, a SavedModel and a checkpoint apart
// by name and content, as gotl inspect does before opening a path.
//
// LoadMetaGraph and LoadSavedModel read the MetaGraphDef and SavedModel
// containers: tags, signatures, assets, saver and collections, the graph,
// and for SavedModels the variables/ checkpoint (opened with
// helpers/checkpoint). MetaGraph.WriteFile and WriteSavedModel write them
// back; NewSignature builds a serving signature from tensor names, so a
// frozen, retrained graph can be exported for TensorFlow Serving.
//
// gotl never links TensorFlow's generated core/protobuf Go packages (they
// break GoMLX's XLA backend at program start); the MetaGraphDef and
// SavedModel messages come from this package's own internal definitions.
// Errors start with "graphfile:" and name the file, node or tensor at fault.
// Parsers follow gotl's resource policy (helpers/limits): they read only
// regular files, refuse messages nested deeper than limits.ProtoDepth (text
// files are scanned for their depth before parsing) and constants of more
// than limits.TensorElements elements, bound what they allocate by the size
// of their input, and are fuzzed.
package graphfile
