package graphfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/tensor"
)

// FreezeGraphArgs are the inputs of TensorFlow's freeze_graph.py: a graph
// (a GraphDef, the GraphDef inside a MetaGraphDef, or a SavedModel's), the
// checkpoint holding its variables, the output nodes and the
// FreezeOptions. Exactly one of InputGraph, InputMetaGraph and
// InputSavedModelDir is set.
type FreezeGraphArgs struct {
	InputGraph         string   // GraphDef file, binary or text (--input_graph)
	InputMetaGraph     string   // MetaGraphDef file, e.g. model.ckpt.meta (--input_meta_graph)
	InputSavedModelDir string   // SavedModel directory (--input_saved_model_dir)
	SavedModelTags     []string // its meta graph's tags (--saved_model_tags, default serve)
	// InputCheckpoint is the checkpoint prefix (--input_checkpoint);
	// for a SavedModel it defaults to the model's variables.
	InputCheckpoint string
	OutputNodeNames []string // --output_node_names, node or tensor names
	FreezeOptions
}

// FreezeGraph does what freeze_graph.py does: it loads the graph and the
// checkpoint, prunes the graph to the output nodes and replaces its
// variables by constants (FreezeWith). Writing the result is left to
// Graph.WriteFile.
func FreezeGraph(a FreezeGraphArgs) (*Graph, error) {
	var outputs []string
	for _, n := range a.OutputNodeNames {
		if n = strings.TrimSpace(n); n != "" {
			outputs = append(outputs, n)
		}
	}
	if len(outputs) == 0 {
		return nil, errors.New("graphfile: freeze: no output node names given")
	}
	inputs := 0
	for _, s := range []string{a.InputGraph, a.InputMetaGraph, a.InputSavedModelDir} {
		if s != "" {
			inputs++
		}
	}
	if inputs != 1 {
		return nil, errors.New("graphfile: freeze: give exactly one of a GraphDef, a MetaGraphDef or a SavedModel directory")
	}
	var g *Graph
	prefix := a.InputCheckpoint
	switch {
	case a.InputSavedModelDir != "":
		sm, err := LoadSavedModel(a.InputSavedModelDir)
		if err != nil {
			return nil, err
		}
		tags := a.SavedModelTags
		if len(tags) == 0 {
			tags = []string{"serve"}
		}
		mg, err := sm.MetaGraph(tags...)
		if err != nil {
			return nil, err
		}
		g = mg.Graph
		if prefix == "" {
			if !sm.HasVariables() {
				// Nothing to convert: the graph is only pruned.
				return FreezeWith(g, noVariables{}, a.FreezeOptions, outputs...)
			}
			prefix = sm.VariablesPrefix()
		}
	case a.InputMetaGraph != "":
		mg, err := LoadMetaGraph(a.InputMetaGraph)
		if err != nil {
			return nil, err
		}
		g = mg.Graph
	default:
		var err error
		if g, err = Load(a.InputGraph); err != nil {
			return nil, err
		}
	}
	if prefix == "" {
		return nil, errors.New("graphfile: freeze: no checkpoint given for the variables")
	}
	if !checkpoint.IsCheckpoint(prefix) {
		return nil, fmt.Errorf("graphfile: freeze: input checkpoint %q doesn't exist (give the prefix, e.g. model.ckpt for model.ckpt.index)", prefix)
	}
	vars, err := checkpoint.Open(prefix)
	if err != nil {
		return nil, err
	}
	defer vars.Close()
	return FreezeWith(g, vars, a.FreezeOptions, outputs...)
}

// noVariables is the VariableSource of a model without a checkpoint.
type noVariables struct{}

func (noVariables) Tensor(name string) (*tensor.Tensor, error) {
	return nil, fmt.Errorf("no checkpoint holds variable %q", name)
}
