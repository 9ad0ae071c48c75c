package finetune

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"
	graphpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/graph_go_proto"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/retrain"
	"github.com/gotl/gotl/helpers/tensor"
)

const (
	optimizerScope = "optimizers/"
	globalStep     = "global_step"
)

// checkpointNames maps the name each variable is saved under to the variable.
// The names: TF node names for
// the pretrained weights, retrain.py's names for the new layer, and the
// GoMLX path (without the leading "/") for optimizer slots and global_step.
func (t *Tuner) checkpointNames() map[string]*context.Variable {
	vars := map[string]*context.Variable{}
	pretrained := map[*context.Variable]bool{}
	for name, v := range t.model.Variables(t.ctx) {
		vars[name] = v
		pretrained[v] = true
	}
	for v := range t.ctx.IterVariables() {
		if pretrained[v] {
			continue
		}
		name := strings.TrimPrefix(v.ScopeAndName(), context.ScopeSeparator)
		switch name {
		case headScope + "/" + weightsPath + "/final_weights":
			name = retrain.WeightsName
		case headScope + "/" + biasesPath + "/final_biases":
			name = retrain.BiasesName
		}
		vars[name] = v
	}
	return vars
}

// SaveCheckpoint writes every variable (pretrained weights, the new layer,
// optimizer slots, global_step) as a V2 checkpoint dir/model.ckpt-STEP and
// points dir's checkpoint state file at it. It returns the prefix.
func (t *Tuner) SaveCheckpoint(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("finetune: %w", err)
	}
	values := map[string]*tensor.Tensor{}
	for name, v := range t.checkpointNames() {
		val, err := v.Value()
		if err != nil {
			return "", fmt.Errorf("finetune: reading variable %s: %w", name, err)
		}
		if values[name], err = graphrun.FromGoMLX(val); err != nil {
			return "", fmt.Errorf("finetune: variable %s: %w", name, err)
		}
	}
	prefix := filepath.Join(dir, fmt.Sprintf("model.ckpt-%d", t.step))
	if err := checkpoint.Write(prefix, values); err != nil {
		return "", err
	}
	if err := checkpoint.WriteState(dir, filepath.Base(prefix), nil); err != nil {
		return "", err
	}
	return prefix, nil
}

// Restore loads the variables saved by SaveCheckpoint at prefix: the
// network's weights and the new layer (which must all be there, with the
// same dtype and shape), and the optimizer's slots and step counters, which
// the next training step then continues from.
func (t *Tuner) Restore(prefix string) error {
	r, err := checkpoint.Open(prefix)
	if err != nil {
		return err
	}
	defer r.Close()
	known := t.checkpointNames()
	for name := range known {
		if !r.Has(name) && !strings.HasPrefix(name, optimizerScope) && name != globalStep {
			return fmt.Errorf("finetune: checkpoint %s has no variable %s: was it written for a different network?", prefix, name)
		}
	}
	for _, name := range r.Names() {
		val, err := r.Tensor(name)
		if err != nil {
			return err
		}
		gt, err := graphrun.ToGoMLX(val)
		if err != nil {
			return fmt.Errorf("finetune: variable %s: %w", name, err)
		}
		v := known[name]
		if v == nil {
			if !strings.HasPrefix(name, optimizerScope) && name != globalStep {
				continue // not ours
			}
			// An optimizer variable the next step will use: create it now
			// with the saved value; the optimizer reuses it.
			scope, vname := path.Split(context.ScopeSeparator + name)
			if scope != context.RootScope {
				scope = strings.TrimSuffix(scope, context.ScopeSeparator)
			}
			v = t.ctx.InAbsPath(scope).Checked(false).VariableWithValue(vname, gt)
			v.Trainable = false
			continue
		}
		if !gt.Shape().Equal(v.Shape()) {
			return fmt.Errorf("finetune: checkpoint %s: variable %s is %s, the network has %s", prefix, name, gt.Shape(), v.Shape())
		}
		if err := v.SetValue(gt); err != nil {
			return fmt.Errorf("finetune: restoring %s: %w", name, err)
		}
	}
	if r.Has(globalStep) {
		gs, err := r.Tensor(globalStep)
		if err != nil {
			return err
		}
		steps, err := gs.Int64s()
		if err != nil || len(steps) != 1 {
			return fmt.Errorf("finetune: checkpoint %s: bad global_step", prefix)
		}
		t.step = int(steps[0])
	}
	return nil
}

// RestoreLatest restores the newest checkpoint of dir, if there is one, and
// reports whether it did.
func (t *Tuner) RestoreLatest(dir string) (bool, error) {
	prefix, err := checkpoint.LatestCheckpoint(dir)
	if err != nil || prefix == "" {
		return false, nil // nothing to resume from
	}
	if err := t.Restore(prefix); err != nil {
		return false, err
	}
	return true, nil
}

// Head returns the new final layer's current weights.
func (t *Tuner) Head() (*retrain.Layer, error) {
	vars := t.checkpointNames()
	w, err := vars[retrain.WeightsName].Value()
	if err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	b, err := vars[retrain.BiasesName].Value()
	if err != nil {
		return nil, fmt.Errorf("finetune: %w", err)
	}
	dims := w.Shape().Dimensions
	return &retrain.Layer{Inputs: dims[0], Classes: dims[1],
		Weights: tensors.MustCopyFlatData[float32](w), Biases: tensors.MustCopyFlatData[float32](b)}, nil
}

// PretrainedWeights returns the current values of the network's weights
// (the Consts graphrun made variables), by node name.
func (t *Tuner) PretrainedWeights() (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	for name, v := range t.model.Variables(t.ctx) {
		val, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("finetune: %s: %w", name, err)
		}
		if out[name], err = graphrun.FromGoMLX(val); err != nil {
			return nil, fmt.Errorf("finetune: %s: %w", name, err)
		}
	}
	return out, nil
}

// ExportGraph returns the fine-tuned network as a frozen GraphDef: the
// original graph with its weight Consts replaced by their current values and
// the new layer appended after the bottleneck, ending in finalTensorName
// ("final_result" if empty), like retrain.py's output_graph.pb.
func (t *Tuner) ExportGraph(finalTensorName string) (*graphpb.GraphDef, error) {
	weights, err := t.PretrainedWeights()
	if err != nil {
		return nil, err
	}
	def := proto.Clone(t.cfg.Graph.GraphDef()).(*graphpb.GraphDef)
	for _, n := range def.Node {
		if w, ok := weights[n.Name]; ok && n.Op == "Const" {
			n.Attr["value"].Value = &attrpb.AttrValue_Tensor{Tensor: w.ToProto()}
		}
	}
	head, err := t.Head()
	if err != nil {
		return nil, err
	}
	return retrain.ExportGraph(def, t.cfg.BottleneckTensor, head, retrain.ExportOptions{FinalTensorName: finalTensorName})
}

// Export writes ExportGraph's graph to graphPath and the labels, one per
// line, to labelsPath: the files `gotl classify` and TF's label_image take.
func (t *Tuner) Export(graphPath, labelsPath, finalTensorName string) error {
	def, err := t.ExportGraph(finalTensorName)
	if err != nil {
		return err
	}
	if err := retrain.WriteGraph(graphPath, def); err != nil {
		return err
	}
	return retrain.WriteLabels(labelsPath, t.cfg.Labels)
}
