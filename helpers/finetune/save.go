package finetune

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
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
	"github.com/gotl/gotl/internal/util"
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
// points dir's checkpoint state file at it. It returns the prefix. If a
// variable holds NaN or ±Inf (training diverged), it writes nothing and
// returns an error naming the variable and the step.
func (t *Tuner) SaveCheckpoint(dir string) (string, error) {
	values := map[string]*tensor.Tensor{}
	for name, v := range t.checkpointNames() {
		val, err := v.Value()
		if err != nil {
			return "", fmt.Errorf("finetune: reading variable %s: %w", name, err)
		}
		if values[name], err = graphrun.FromGoMLX(val); err != nil {
			return "", fmt.Errorf("finetune: variable %s: %w", name, err)
		}
		if err := checkFinite(name, values[name]); err != nil {
			return "", fmt.Errorf("%w at step %d: not saving a checkpoint", err, t.step)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("finetune: %w", err)
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

// ErrCannotResume is matched (errors.Is) by the errors of LatestCheckpoint,
// RestoreLatest, Resume and Train when a checkpoint directory holds
// checkpoints that cannot be resumed from: a `checkpoint` state file that
// does not parse, is empty or names files that are missing; checkpoint files
// without a state file; a checkpoint that is damaged or was written for
// another network. Training then stops before it writes anything, instead
// of silently starting again from step 0 and overwriting the state file;
// Config.StartOver is how to ask for a fresh start.
var ErrCannotResume = errors.New("cannot resume")

type resumeError struct {
	dir string
	err error
}

func (e *resumeError) Error() string {
	return fmt.Sprintf("finetune: cannot resume from %s: %s", e.dir, strings.TrimPrefix(e.err.Error(), "finetune: "))
}
func (e *resumeError) Unwrap() error        { return e.err }
func (e *resumeError) Is(target error) bool { return target == ErrCannotResume }

// LatestCheckpoint returns the prefix of the checkpoint that training in
// dir resumes from: the one dir's `checkpoint` state file names, as
// tf.train.latest_checkpoint finds it. It returns "" when dir does not
// exist or holds no checkpoint files at all (a fresh start), and an error
// wrapping ErrCannotResume and naming the problem otherwise (see there).
func LatestCheckpoint(dir string) (string, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", &resumeError{dir, err}
	}
	if !st.IsDir() {
		return "", &resumeError{dir, errors.New("not a directory")}
	}
	if _, err := os.Lstat(filepath.Join(dir, checkpoint.StateFile)); errors.Is(err, fs.ErrNotExist) {
		prefixes, err := checkpointPrefixes(dir)
		if err != nil {
			return "", &resumeError{dir, err}
		}
		if len(prefixes) == 0 {
			return "", nil
		}
		found := prefixes[0]
		if n := len(prefixes); n > 1 {
			found = fmt.Sprintf("%d of them, %s … %s", n, prefixes[0], prefixes[n-1])
		}
		return "", &resumeError{dir, fmt.Errorf("it holds checkpoints (%s) but no %q state file naming the one to resume from (write one: model_checkpoint_path: %q)",
			found, checkpoint.StateFile, prefixes[len(prefixes)-1])}
	}
	prefix, err := checkpoint.LatestCheckpoint(dir)
	if err != nil {
		return "", &resumeError{dir, err}
	}
	return prefix, nil
}

// checkpointPrefixes lists the checkpoints whose files are in dir (V2
// .index and data files, V1 and .meta files of model.ckpt*), ordered by
// their step suffix.
func checkpointPrefixes(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !checkpoint.IsV2FileName(name) && !strings.HasPrefix(name, "model.ckpt") {
			continue
		}
		prefix := strings.TrimSuffix(strings.TrimSuffix(name, ".index"), ".meta")
		if i := strings.LastIndex(prefix, ".data-"); i > 0 {
			prefix = prefix[:i]
		}
		if !seen[prefix] {
			seen[prefix] = true
			out = append(out, prefix)
		}
	}
	step := func(p string) int {
		n, _ := strconv.Atoi(p[strings.LastIndexByte(p, '-')+1:])
		return n
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := step(out[i]), step(out[j]); a != b {
			return a < b
		}
		return out[i] < out[j]
	})
	return out, nil
}

// RestoreLatest restores the checkpoint LatestCheckpoint finds in dir and
// returns its prefix, or "" if dir holds none. Errors wrap ErrCannotResume.
func (t *Tuner) RestoreLatest(dir string) (string, error) {
	prefix, err := LatestCheckpoint(dir)
	if err != nil || prefix == "" {
		return "", err
	}
	if err := t.Restore(prefix); err != nil {
		return "", &resumeError{dir, err}
	}
	return prefix, nil
}

// Resume prepares training in Config.CheckpointDir: unless
// Config.StartOver is set, it restores the checkpoint found there (see
// RestoreLatest) and returns its prefix; GlobalStep is then the step
// training continues from. It returns "" when training starts at step 0.
// Train calls it if it has not been called; call it first to report where
// training resumes. Errors wrap ErrCannotResume.
func (t *Tuner) Resume() (string, error) {
	if t.resumed {
		return t.resumedFrom, nil
	}
	if t.cfg.CheckpointDir != "" && !t.cfg.StartOver {
		prefix, err := t.RestoreLatest(t.cfg.CheckpointDir)
		if err != nil {
			return "", err
		}
		t.resumedFrom = prefix
	}
	t.resumed = true
	return t.resumedFrom, nil
}

// checkFinite returns an error naming name and the first NaN or ±Inf of a
// floating-point tensor; other dtypes pass.
func checkFinite(name string, v *tensor.Tensor) error {
	bad, at := 0.0, -1
	switch tensor.BaseType(v.DType) {
	case tensor.Float:
		vals, err := v.Float32s()
		if err != nil {
			return fmt.Errorf("finetune: variable %s: %w", name, err)
		}
		if at = util.FirstNonFinite(vals); at >= 0 {
			bad = float64(vals[at])
		}
	case tensor.Double, tensor.Half, tensor.Bfloat16:
		vals, err := v.Float64s()
		if err != nil {
			return fmt.Errorf("finetune: variable %s: %w", name, err)
		}
		for i, x := range vals {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				bad, at = x, i
				break
			}
		}
	}
	if at >= 0 {
		return fmt.Errorf("finetune: variable %s holds %v (value %d of %d)", name, bad, at, v.NumElements())
	}
	return nil
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
// ("final_result" if empty), like retrain.py's output_graph.pb. A weight
// holding NaN or ±Inf is an error naming it: nothing non-finite is
// exported.
func (t *Tuner) ExportGraph(finalTensorName string) (*graphpb.GraphDef, error) {
	weights, err := t.PretrainedWeights()
	if err != nil {
		return nil, err
	}
	for name, w := range weights {
		if err := checkFinite(name, w); err != nil {
			return nil, fmt.Errorf("%w at step %d: not exporting the network", err, t.step)
		}
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
