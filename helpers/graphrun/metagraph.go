package graphrun

import (
	"github.com/gotl/gotl/helpers/graphfile"
)

// LoadMetaGraph loads the graph of a MetaGraphDef file (the .meta that
// tf.train.Saver writes) and freezes its variables in memory with the
// values of the checkpoint at prefix, keeping what outputs (node or tensor
// names) need — freeze_graph.py without the file in between.
func LoadMetaGraph(metaPath, checkpointPrefix string, outputs ...string) (*Graph, error) {
	gf, err := graphfile.FreezeGraph(graphfile.FreezeGraphArgs{
		InputMetaGraph:  metaPath,
		InputCheckpoint: checkpointPrefix,
		OutputNodeNames: outputs,
	})
	if err != nil {
		return nil, err
	}
	return FromGraphDef(gf.Def)
}
