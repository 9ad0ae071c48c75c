package finetune

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/util"
)

// LoadGraph loads the pretrained network: a frozen GraphDef (checkpointPrefix
// empty), or a GraphDef with variables plus the checkpoint holding their
// values (frozen here with graphfile.Freeze, pruned to outputs, which must
// then name at least the bottleneck node).
func LoadGraph(graphPath, checkpointPrefix string, outputs ...string) (*graphrun.Graph, error) {
	g, err := graphfile.Load(graphPath)
	if err != nil {
		return nil, err
	}
	if checkpointPrefix != "" {
		ckpt, err := checkpoint.Open(checkpointPrefix)
		if err != nil {
			return nil, err
		}
		defer ckpt.Close()
		if len(outputs) == 0 {
			return nil, fmt.Errorf("finetune: freezing %s with %s needs the output node names", graphPath, checkpointPrefix)
		}
		if g, err = graphfile.Freeze(g, ckpt, outputs...); err != nil {
			return nil, err
		}
	}
	return graphrun.FromGraphDef(g.Def)
}

// weightInfo describes one pretrained weight: a float Const with more than
// one element that the bottleneck depends on (graphrun makes exactly these
// into variables).
type weightInfo struct {
	name  string
	layer string // the layer it belongs to, for TopLayers
	order int    // position of its layer's op in the graph, bottom first
}

var layerOps = map[string]bool{"Conv2D": true, "DepthwiseConv2dNative": true, "MatMul": true}

// pretrainedWeights lists the weights below bottleneckNode, and the batch
// norm statistics among them, which fine-tuning keeps frozen.
func pretrainedWeights(def *graphpb.GraphDef, bottleneckNode string) (weights []weightInfo, bnStats map[string]bool, err error) {
	nodes := map[string]*nodepb.NodeDef{}
	position := map[string]int{}
	for i, n := range def.Node {
		nodes[n.Name] = n
		position[n.Name] = i
	}
	if nodes[bottleneckNode] == nil {
		return nil, nil, fmt.Errorf("finetune: the graph has no node %q", bottleneckNode)
	}
	// Ancestors of the bottleneck (data inputs only).
	needed := util.WalkAncestors([]string{bottleneckNode}, func(name string, follow func(string)) {
		for _, in := range nodes[name].GetInput() {
			if src, _, control := graphfile.ParseInput(in); !control && nodes[src] != nil {
				follow(src)
			}
		}
	})
	// throughIdentity follows Identity nodes back to the node that produces a value.
	throughIdentity := func(in string) string {
		src, _, _ := graphfile.ParseInput(in)
		for nodes[src] != nil && nodes[src].Op == "Identity" && len(nodes[src].Input) > 0 {
			src, _, _ = graphfile.ParseInput(nodes[src].Input[0])
		}
		return src
	}
	bnStats = map[string]bool{}
	layerOf := map[string]string{} // weight → layer name
	layerOrder := map[string]int{}
	for _, n := range def.Node {
		if !needed[n.Name] {
			continue
		}
		switch n.Op {
		case "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3":
			for _, i := range []int{3, 4} { // mean, variance
				if i < len(n.Input) {
					bnStats[throughIdentity(n.Input[i])] = true
				}
			}
		case "BatchNormWithGlobalNormalization":
			for _, i := range []int{1, 2} { // m, v
				if i < len(n.Input) {
					bnStats[throughIdentity(n.Input[i])] = true
				}
			}
		}
		if layerOps[n.Op] && len(n.Input) > 1 {
			w := throughIdentity(n.Input[1])
			layer := path.Dir(w)
			layerOf[w] = layer
			if _, ok := layerOrder[layer]; !ok {
				layerOrder[layer] = position[n.Name]
			}
		}
	}
	for _, n := range def.Node {
		if !needed[n.Name] || n.Op != "Const" {
			continue
		}
		t := n.Attr["value"].GetTensor()
		if t == nil || !tensor.IsFloat(t.Dtype) {
			continue
		}
		if tensor.NumElements(tensor.ShapeFromProto(t.TensorShape).Dims) <= 1 {
			continue
		}
		layer, ok := layerOf[n.Name]
		if !ok { // biases, batch-norm parameters: the layer whose name prefixes theirs
			best := ""
			for l := range layerOrder {
				if strings.HasPrefix(n.Name, l+"/") && len(l) > len(best) {
					best = l
				}
			}
			layer = best
		}
		order, ok := layerOrder[layer]
		if !ok {
			order = position[n.Name]
		}
		weights = append(weights, weightInfo{name: n.Name, layer: layer, order: order})
	}
	sort.SliceStable(weights, func(i, j int) bool { return weights[i].order < weights[j].order })
	return weights, bnStats, nil
}

// trainablePattern returns the regular expression (for graphrun.Trainable)
// that matches exactly the pretrained weights that fine-tuning moves: those
// matching pattern (every one if empty), restricted to the top topLayers
// layers when topLayers > 0, never batch-norm statistics.
func trainablePattern(weights []weightInfo, bnStats map[string]bool, pattern string, topLayers int) (string, []string, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return "", nil, fmt.Errorf("finetune: Trainable pattern: %w", err)
	}
	top := map[string]bool{}
	if topLayers > 0 {
		var layers []string
		seen := map[string]bool{}
		for _, w := range weights {
			if !seen[w.layer] {
				seen[w.layer] = true
				layers = append(layers, w.layer)
			}
		}
		for _, l := range layers[max(0, len(layers)-topLayers):] {
			top[l] = true
		}
	}
	var names, quoted []string
	for _, w := range weights {
		if bnStats[w.name] || !re.MatchString(w.name) || (topLayers > 0 && !top[w.layer]) {
			continue
		}
		names = append(names, w.name)
		quoted = append(quoted, regexp.QuoteMeta(w.name))
	}
	if len(quoted) == 0 {
		return "", nil, nil
	}
	return "^(?:" + strings.Join(quoted, "|") + ")$", names, nil
}
