package graphrun

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	tfpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/tensor_go_proto"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/util"
)

// DefaultScope is the context scope under which a Model keeps its weights.
const DefaultScope = "graphrun"

// Option configures NewModel.
type Option func(*config)

type config struct {
	trainable string
	scope     string
	backend   backends.Backend
}

// Trainable makes the weights whose Const node names match the regular
// expression pattern trainable context variables (all other weights are
// frozen). "" (the default) freezes everything; "." trains everything; for
// MobileNet v1, `Conv2d_1[23]_|final_training_ops` fine-tunes the last
// blocks and the new head.
func Trainable(pattern string) Option { return func(c *config) { c.trainable = pattern } }

// Scope sets the context scope holding the weights (default DefaultScope);
// use different scopes to load two graphs into one context.
func Scope(name string) Option { return func(c *config) { c.scope = name } }

// WithBackend runs the Model's own executor (Run, Exec) on b instead of the
// default backend (see DefaultBackend).
func WithBackend(b backends.Backend) Option { return func(c *config) { c.backend = b } }

// Model is the part of a Graph that computes some fetches from some feeds,
// converted to GoMLX on demand. Float Consts with more than one element
// become context variables named after their nodes (scope/NODE/PATH), frozen
// or trainable by Trainable; everything else becomes graph constants.
//
// A Model is used two ways: Call inside a GoMLX graph function (model
// functions of train.Trainer, context.Exec), or Run, which compiles and
// caches one executable per input shape on the Model's own context.
type Model struct {
	graph     *Graph
	feedNames []string
	feeds     []tensorRef
	jpeg      []bool // feed i takes encoded image bytes, decoded in Go
	fetches   []tensorRef
	scope     string
	trainable *regexp.Regexp

	mu        sync.Mutex
	consts    map[string]*tensor.Tensor
	consumers map[tensorRef]int // data consumers of each tensor (fetches count too)

	execMu  sync.Mutex
	backend backends.Backend
	ctx     *context.Context
	exec    *context.Exec
}

// NewModel prepares the conversion of the sub-graph that computes fetches
// ("final_result:0", or a node name meaning output 0) from feeds
// ("input:0"). Placeholders that fetches need must be fed, except
// PlaceholderWithDefault. Feeding a DecodeJpeg node's contents (e.g.
// "DecodeJpeg/contents:0") makes Run take encoded image bytes and decode them
// in Go; inside Call that input is the decoded uint8 [H, W, C] image.
//
// All unsupported ops the fetches need are reported in one UnsupportedError.
func NewModel(g *Graph, feeds, fetches []string, opts ...Option) (*Model, error) {
	cfg := config{scope: DefaultScope}
	for _, o := range opts {
		o(&cfg)
	}
	m := &Model{graph: g, scope: cfg.scope, backend: cfg.backend, consts: map[string]*tensor.Tensor{}}
	if cfg.trainable != "" {
		re, err := regexp.Compile(cfg.trainable)
		if err != nil {
			return nil, fmt.Errorf("graphrun: Trainable pattern: %w", err)
		}
		m.trainable = re
	}
	if strings.Contains(m.scope, "/") || m.scope == "" {
		return nil, fmt.Errorf("graphrun: scope %q must be non-empty and contain no '/'", m.scope)
	}
	if len(fetches) == 0 {
		return nil, fmt.Errorf("graphrun: no fetches")
	}
	fed := map[tensorRef]bool{}
	for _, name := range feeds {
		ref, err := m.tensorRef(name)
		if err != nil {
			return nil, err
		}
		isJPEG := false
		if dec := g.decodeJpegConsumer(ref); dec != nil {
			ref, isJPEG = tensorRef{node: dec.Name}, true
		}
		if fed[ref] {
			return nil, fmt.Errorf("graphrun: %q is fed twice", name)
		}
		fed[ref] = true
		m.feedNames = append(m.feedNames, name)
		m.feeds = append(m.feeds, ref)
		m.jpeg = append(m.jpeg, isJPEG)
	}
	for _, name := range fetches {
		ref, err := m.tensorRef(name)
		if err != nil {
			return nil, err
		}
		m.fetches = append(m.fetches, ref)
	}
	m.consumers = map[tensorRef]int{}
	for _, n := range g.def.Node {
		for _, s := range n.Input {
			if ref, _ := parseInput(s); !ref.control {
				m.consumers[ref]++
			}
		}
	}
	for _, f := range m.fetches {
		m.consumers[f]++
	}
	if err := checkSupport(g, m.fetches, fed); err != nil {
		return nil, err
	}
	if err := m.checkPlaceholders(fed); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) tensorRef(name string) (tensorRef, error) {
	ref, err := parseInput(name)
	if err != nil {
		return tensorRef{}, fmt.Errorf("graphrun: %w", err)
	}
	if ref.control {
		return tensorRef{}, fmt.Errorf("graphrun: %q names a control dependency, not a tensor", name)
	}
	n := m.graph.nodes[ref.node]
	if n == nil {
		return tensorRef{}, fmt.Errorf("graphrun: the graph has no node %q (from %q)", ref.node, name)
	}
	if ref.output > 0 && singleOutput[n.Op] {
		return tensorRef{}, fmt.Errorf("graphrun: %q names output %d of %q, a %s, which has one output (%s:0)", name, ref.output, n.Name, n.Op, n.Name)
	}
	return ref, nil
}

// decodeJpegConsumer returns the DecodeJpeg/DecodeImage node reading ref
// (in classify_image_graph_def.pb, "DecodeJpeg/contents"), if any.
func (g *Graph) decodeJpegConsumer(ref tensorRef) *nodepb.NodeDef {
	for _, n := range g.def.Node {
		if n.Op != "DecodeJpeg" && n.Op != "DecodeImage" && n.Op != "DecodePng" {
			continue
		}
		if len(n.Input) > 0 {
			if r, _ := parseInput(n.Input[0]); r == ref {
				return n
			}
		}
	}
	return nil
}

// checkPlaceholders reports Placeholders the fetches need but nobody feeds.
func (m *Model) checkPlaceholders(fed map[tensorRef]bool) error {
	var missing []string
	util.WalkAncestors(fetchNodes(m.fetches), func(name string, follow func(string)) {
		n := m.graph.nodes[name]
		if fed[tensorRef{node: name}] && (n.Op == "Placeholder" || n.Op == "PlaceholderWithDefault" || strings.HasPrefix(n.Op, "Decode")) {
			return
		}
		if n.Op == "Placeholder" {
			missing = append(missing, name)
		}
		for _, s := range n.Input {
			if ref, _ := parseInput(s); !ref.control && !fed[ref] {
				follow(ref.node)
			}
		}
	})
	if len(missing) > 0 {
		return fmt.Errorf("graphrun: the fetches need placeholder(s) %s; feed them", strings.Join(missing, ", "))
	}
	return nil
}

// EncodedImageFeed reports whether feed i takes an encoded image file (it
// feeds a DecodeJpeg node's contents), decoded in Go by Run.
func (m *Model) EncodedImageFeed(i int) bool { return i >= 0 && i < len(m.jpeg) && m.jpeg[i] }

// Feeds returns the feed names given to NewModel.
func (m *Model) Feeds() []string { return append([]string(nil), m.feedNames...) }

// Fetches returns the fetch names, normalized to "node:index".
func (m *Model) Fetches() []string {
	out := make([]string, len(m.fetches))
	for i, f := range m.fetches {
		out[i] = f.String()
	}
	return out
}

// Graph returns the Graph the Model was made from.
func (m *Model) Graph() *Graph { return m.graph }

// Call builds the fetches inside a GoMLX graph function, one input node
// per feed, in NewModel's order. Weights are read from (or created in) ctx
// under the Model's scope. Like other GoMLX graph-building functions it
// panics on error (Exec and train.Trainer turn the panic into an error); use
// Build to get an error instead.
func (m *Model) Call(ctx *context.Context, inputs ...*Node) []*Node {
	if len(inputs) == 0 {
		panic(fmt.Errorf("graphrun: Call needs the feed nodes; use Build for a graph without feeds"))
	}
	outs, err := m.Build(ctx, inputs[0].Graph(), inputs...)
	if err != nil {
		panic(err)
	}
	return outs
}

// Build is Call returning errors, and working for Models without feeds.
func (m *Model) Build(ctx *context.Context, g *graph.Graph, inputs ...*Node) (outs []*Node, err error) {
	return m.build(ctx, g, false, inputs...)
}

// build converts the fetches; frozen makes the weights graph constants
// (Run and Exec without a Trainable pattern) instead of variables.
func (m *Model) build(ctx *context.Context, g *graph.Graph, frozen bool, inputs ...*Node) (outs []*Node, err error) {
	if ctx == nil {
		return nil, fmt.Errorf("graphrun: Build needs a context for the weights")
	}
	if len(inputs) != len(m.feeds) {
		return nil, fmt.Errorf("graphrun: %d inputs given for %d feeds (%s)", len(inputs), len(m.feeds), strings.Join(m.feedNames, ", "))
	}
	c := &converter{m: m, ctx: ctx, g: g, feeds: map[tensorRef]*value{}, done: map[string][]*value{}, frozen: frozen}
	for i, ref := range m.feeds {
		if inputs[i].Graph() != g {
			return nil, fmt.Errorf("graphrun: input %d (%s) belongs to another graph", i, m.feedNames[i])
		}
		c.feeds[ref] = &value{n: inputs[i]}
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("graphrun: %v", r)
			}
		}
	}()
	for _, f := range m.fetches {
		v, err := c.output(f)
		if err != nil {
			return nil, err
		}
		outs = append(outs, c.node(v))
	}
	return outs, nil
}

// MultiplyAdds returns the multiply-adds of the Model's convolutions and
// matrix products for inputs of the given shapes (one per feed; dtypes are
// the placeholders'), e.g. to turn images/s into effective GFLOP/s
// (2 FLOPs per multiply-add). The graph is built but not compiled.
func (m *Model) MultiplyAdds(inputShapes ...[]int) (int64, error) {
	if len(inputShapes) != len(m.feeds) {
		return 0, fmt.Errorf("graphrun: %d input shapes for %d feeds", len(inputShapes), len(m.feeds))
	}
	b, err := staticBackend()
	if err != nil {
		return 0, err
	}
	g := graph.NewGraph(b, "graphrun_macs")
	defer g.Finalize()
	c := &converter{m: m, ctx: context.New(), g: g, feeds: map[tensorRef]*value{}, done: map[string][]*value{}}
	var perr error
	func() {
		defer func() {
			if r := recover(); r != nil {
				perr = fmt.Errorf("graphrun: %v", r)
			}
		}()
		for i, ref := range m.feeds {
			dt := tensor.Float
			if m.jpeg[i] {
				dt = tensor.Uint8
			} else if a, ok := m.graph.nodes[ref.node].Attr["dtype"]; ok {
				dt = a.GetType()
			}
			gdt, err := gomlxDType(dt)
			if err != nil {
				perr = err
				return
			}
			c.feeds[ref] = &value{n: graph.Parameter(g, fmt.Sprintf("in%d", i), shapes.Make(gdt, inputShapes[i]...))}
		}
		for _, f := range m.fetches {
			if _, err := c.output(f); err != nil {
				perr = err
				return
			}
		}
	}()
	return c.macs, perr
}

// constTensor decodes (once) the value of Const node name.
func (m *Model) constTensor(name string, p *tfpb.TensorProto) (*tensor.Tensor, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.consts[name]; ok {
		return t, nil
	}
	t, err := tensor.FromProto(p)
	if err != nil {
		return nil, err
	}
	m.consts[name] = t
	return t, nil
}

// isWeight decides which Consts become context variables: float tensors of
// more than one element, or anything float the Trainable pattern names.
func (m *Model) isWeight(name string, t *tensor.Tensor) bool {
	if !tensor.IsFloat(t.DType) {
		return false
	}
	return t.NumElements() > 1 || (m.trainable != nil && m.trainable.MatchString(name))
}

// varContext returns the context whose scope holds the variable for TF node
// name, and the variable's name: "MobilenetV1/Conv2d_0/weights" lives in
// scope /graphrun/MobilenetV1/Conv2d_0 as "weights".
func (m *Model) varContext(ctx *context.Context, name string) (*context.Context, string) {
	parts := strings.Split(name, "/")
	vc := ctx.InAbsPath(context.RootScope).In(m.scope)
	for _, p := range parts[:len(parts)-1] {
		if p != "" {
			vc = vc.In(p)
		}
	}
	return vc.Checked(false), parts[len(parts)-1]
}

func (m *Model) weightNode(ctx *context.Context, g *graph.Graph, name string, t *tensor.Tensor) *Node {
	vc, vname := m.varContext(ctx, name)
	v := vc.GetVariableByScopeAndName(vc.Scope(), vname)
	if v == nil {
		gt, err := ToGoMLX(t)
		if err != nil {
			panic(err)
		}
		v = vc.VariableWithValue(vname, gt)
		v.Trainable = m.trainable != nil && m.trainable.MatchString(name)
	}
	return v.ValueGraph(g)
}

// Variable returns the context variable holding the weight of TF node name
// (a Const, or a folded Dequantize), or nil if Call has not created it yet.
func (m *Model) Variable(ctx *context.Context, name string) *context.Variable {
	vc, vname := m.varContext(ctx, name)
	return vc.GetVariableByScopeAndName(vc.Scope(), vname)
}

// Variables returns the TF node names and variables of the Model's weights
// that exist in ctx (after a Call or Run).
func (m *Model) Variables(ctx *context.Context) map[string]*context.Variable {
	out := map[string]*context.Variable{}
	for v := range ctx.IterVariables() {
		if name, ok := m.weightName(v); ok {
			out[name] = v
		}
	}
	return out
}

// Owns reports whether v holds one of the Model's weights (a variable
// under its Scope), as opposed to a variable added around it, such as a new
// final layer or an optimizer's slot.
func (m *Model) Owns(v *context.Variable) bool {
	_, ok := m.weightName(v)
	return ok
}

// weightName is the TF node name of the weight v holds, if v is one of the
// Model's.
func (m *Model) weightName(v *context.Variable) (string, bool) {
	prefix := context.RootScope + m.scope
	sc := v.Scope()
	if sc != prefix && !strings.HasPrefix(sc, prefix+"/") {
		return "", false
	}
	name := strings.TrimPrefix(strings.TrimPrefix(sc, prefix), "/")
	if name != "" {
		name += "/"
	}
	return name + v.Name(), true
}

// SetTrainable marks the Model's variables in ctx trainable when their TF
// names match pattern, frozen otherwise, and returns how many are trainable.
// Use it after loading a checkpoint (GoMLX checkpoints do not store the flag).
func (m *Model) SetTrainable(ctx *context.Context, pattern string) (int, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return 0, fmt.Errorf("graphrun: SetTrainable pattern: %w", err)
	}
	count := 0
	for name, v := range m.Variables(ctx) {
		v.Trainable = pattern != "" && re.MatchString(name)
		if v.Trainable {
			count++
		}
	}
	return count, nil
}

// DefaultBackend returns the backend Models use unless WithBackend says
// otherwise: compute.Backend(), i.e. the one GOMLX_BACKEND names, else
// GoMLX's pure-Go backend with gotl's gap filling and sequential execution.
func DefaultBackend() (backends.Backend, error) {
	b, err := compute.Backend()
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	return b, nil
}

// Context returns the context Run keeps the weights in. A Model without a
// Trainable pattern compiles its weights into Run's graphs as constants
// (with batch norms folded into the preceding convolution kernels), so its
// Context then holds no weight variables; use Call with your own context to
// work with the weights as variables.
func (m *Model) Context() *context.Context {
	m.execMu.Lock()
	defer m.execMu.Unlock()
	if m.ctx == nil {
		m.ctx = context.New()
	}
	return m.ctx
}

func (m *Model) executor() (*context.Exec, error) {
	ctx := m.Context()
	m.execMu.Lock()
	defer m.execMu.Unlock()
	if m.exec != nil {
		return m.exec, nil
	}
	if m.backend == nil {
		b, err := DefaultBackend()
		if err != nil {
			return nil, err
		}
		m.backend = b
	}
	// Without trainable weights, Run's graphs hold the weights as
	// constants: the pure-Go fast path then packs them once per compiled
	// graph, and batch norms are folded into them when the graph is built.
	frozen := m.trainable == nil
	var fn any
	if len(m.feeds) == 0 {
		fn = func(ctx *context.Context, g *graph.Graph) []*Node {
			outs, err := m.build(ctx, g, frozen)
			if err != nil {
				panic(err)
			}
			return outs
		}
	} else {
		fn = func(ctx *context.Context, inputs []*Node) []*Node {
			outs, err := m.build(ctx, inputs[0].Graph(), frozen, inputs...)
			if err != nil {
				panic(err)
			}
			return outs
		}
	}
	e, err := context.NewExecAny(m.backend, ctx, fn)
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	e.SetMaxCache(16)
	m.exec = e
	return e, nil
}

// Exec runs the Model on GoMLX tensors (one per feed; encoded-image feeds
// take the decoded uint8 [H, W, C] image). The executable is compiled once
// per distinct set of input shapes and cached.
func (m *Model) Exec(inputs ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	if len(inputs) != len(m.feeds) {
		return nil, fmt.Errorf("graphrun: %d inputs given for %d feeds (%s)", len(inputs), len(m.feeds), strings.Join(m.feedNames, ", "))
	}
	e, err := m.executor()
	if err != nil {
		return nil, err
	}
	args := make([]any, len(inputs))
	for i, t := range inputs {
		args[i] = t
	}
	m.execMu.Lock()
	defer m.execMu.Unlock()
	outs, err := e.Exec(args...)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "graphrun:") {
			err = fmt.Errorf("graphrun: %w", err)
		}
		return nil, err
	}
	return outs, nil
}

// Run feeds inputs (one per feed, in order) and returns the fetches.
// Feeds of DecodeJpeg contents take a DT_STRING scalar with the file bytes.
func (m *Model) Run(inputs ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	if len(inputs) != len(m.feeds) {
		return nil, fmt.Errorf("graphrun: %d inputs given for %d feeds (%s)", len(inputs), len(m.feeds), strings.Join(m.feedNames, ", "))
	}
	gts := make([]*tensors.Tensor, len(inputs))
	for i, t := range inputs {
		if t == nil {
			return nil, fmt.Errorf("graphrun: feed %s is nil", m.feedNames[i])
		}
		if m.jpeg[i] {
			if t.DType != tensor.String || len(t.Strings) != 1 {
				return nil, fmt.Errorf("graphrun: feed %s takes the encoded image as one DT_STRING value", m.feedNames[i])
			}
			img, err := decodeForNode(m.graph.nodes[m.feeds[i].node], t.Strings[0])
			if err != nil {
				return nil, fmt.Errorf("graphrun: feed %s: %w", m.feedNames[i], err)
			}
			t = img
		} else if err := m.checkFeed(i, t); err != nil {
			return nil, err
		}
		gt, err := ToGoMLX(t)
		if err != nil {
			return nil, fmt.Errorf("graphrun: feed %s: %w", m.feedNames[i], err)
		}
		gts[i] = gt
	}
	outs, err := m.Exec(gts...)
	if err != nil {
		return nil, err
	}
	res := make([]*tensor.Tensor, len(outs))
	for i, o := range outs {
		if res[i], err = FromGoMLX(o); err != nil {
			return nil, fmt.Errorf("graphrun: fetch %s: %w", m.fetches[i], err)
		}
	}
	return res, nil
}

// RunNamed is Run with feeds and fetches by name (as given to NewModel).
func (m *Model) RunNamed(feeds map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	in := make([]*tensor.Tensor, len(m.feedNames))
	for i, name := range m.feedNames {
		t, ok := feeds[name]
		if !ok {
			return nil, fmt.Errorf("graphrun: feed %s is missing", name)
		}
		in[i] = t
	}
	if len(feeds) != len(in) {
		for name := range feeds {
			found := false
			for _, f := range m.feedNames {
				found = found || f == name
			}
			if !found {
				return nil, fmt.Errorf("graphrun: %s is not one of the Model's feeds (%s)", name, strings.Join(m.feedNames, ", "))
			}
		}
	}
	outs, err := m.Run(in...)
	if err != nil {
		return nil, err
	}
	res := map[string]*tensor.Tensor{}
	for i, f := range m.fetches {
		res[f.String()] = outs[i]
	}
	return res, nil
}

// checkFeed compares a fed tensor with the placeholder's declared dtype and
// known dimensions, as TensorFlow's session does, except that the first
// (batch) dimension of a rank ≥ 2 placeholder may differ: TF1 graphs often
// declare [1, H, W, 3] and batches are what makes bottleneck caching fast.
func (m *Model) checkFeed(i int, t *tensor.Tensor) error {
	n := m.graph.nodes[m.feeds[i].node]
	if n.Op != "Placeholder" && n.Op != "PlaceholderWithDefault" {
		return nil
	}
	if a, ok := n.Attr["dtype"]; ok && a.GetType() != t.DType {
		return fmt.Errorf("graphrun: feed %s: placeholder has dtype %s, got %s", m.feedNames[i], a.GetType(), t.DType)
	}
	if a, ok := n.Attr["shape"]; ok {
		s := tensor.ShapeFromProto(a.GetShape())
		if !s.UnknownRank {
			bad := len(s.Dims) != len(t.Shape)
			for j := 0; !bad && j < len(s.Dims); j++ {
				bad = s.Dims[j] >= 0 && s.Dims[j] != t.Shape[j] && !(j == 0 && len(s.Dims) > 1)
			}
			if bad {
				return fmt.Errorf("graphrun: feed %s: placeholder has shape %v, got %v", m.feedNames[i], s.JSON(), t.Shape)
			}
		}
	}
	return nil
}

// foldStatic evaluates n on static inputs with a private pure-Go backend,
// giving a value known at conversion time.
func (m *Model) foldStatic(fn opFunc, n *nodepb.NodeDef, in []*value) ([]*value, error) {
	b, err := staticBackend()
	if err != nil {
		return nil, err
	}
	var outs []*value
	var ferr error
	e, err := graph.NewExecAny(b, func(g *graph.Graph) []*Node {
		sc := &converter{m: m, g: g}
		outs, ferr = fn(sc, n, in)
		if ferr != nil {
			return []*Node{graph.Const(g, int32(0))}
		}
		nodes := make([]*Node, len(outs))
		for i, v := range outs {
			nodes[i] = sc.node(v)
			s := nodes[i].Shape()
			if ferr = limits.TensorElements.Check(int64(s.Size()), fmt.Sprintf("output of shape %v computed from constants", s.Dimensions)); ferr != nil {
				return []*Node{graph.Const(g, int32(0))} // fail before anything that size is computed
			}
		}
		return nodes
	})
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	res, err := e.Exec()
	if ferr != nil {
		return nil, ferr
	}
	if err != nil {
		return nil, err
	}
	vals := make([]*value, len(res))
	for i, r := range res {
		t, err := FromGoMLX(r)
		if err != nil {
			return nil, err
		}
		vals[i] = &value{st: t}
	}
	return vals, nil
}

var (
	staticOnce sync.Once
	staticB    backends.Backend
	staticErr  error
)

func staticBackend() (backends.Backend, error) {
	staticOnce.Do(func() { staticB, staticErr = simplego.New("") })
	return staticB, staticErr
}
