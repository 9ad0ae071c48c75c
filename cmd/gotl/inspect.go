package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/graphfile"
	"github.com/gotl/gotl/helpers/tensor"
)

func init() {
	register(&command{
		name:    "inspect",
		summary: "list a TensorFlow file's nodes, variables or signatures (.pb, .pbtxt, .meta, SavedModel, checkpoint)",
		run:     runInspect,
	})
}

const inspectSynopsis = "PATH [--json] [--tensor NAME]"

// runInspect prints what a TensorFlow file holds, like the two classic
// scripts: every node of a GraphDef, every variable of a checkpoint.
func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", inspectSynopsis, stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a listing")
	tensorName := fs.String("tensor", "", "print the values of this checkpoint variable or Const node")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one PATH (usage: gotl inspect %s)", errUsage, inspectSynopsis)
	}
	path := pos[0]
	kind, err := graphfile.DetectKind(path)
	if err != nil {
		return err
	}
	f, err := openInspected(path, kind)
	if err != nil {
		return err
	}
	defer f.close()
	if *tensorName != "" {
		t, err := f.tensor(*tensorName)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeTensorJSON(stdout, *tensorName, t)
		}
		return printTensor(stdout, *tensorName, t)
	}
	if *asJSON {
		v, err := f.json()
		if err != nil {
			return err
		}
		return writeJSON(stdout, v)
	}
	return f.print(stdout)
}

// inspected is an opened file of any kind.
type inspected struct {
	kind  graphfile.Kind
	path  string
	graph *graphfile.Graph      // graphdef
	meta  *graphfile.MetaGraph  // meta_graph
	model *graphfile.SavedModel // saved_model
	ckpt  *checkpoint.Reader    // checkpoint, a SavedModel's variables, or the checkpoint beside a .meta (may be nil)
}

func openInspected(path string, kind graphfile.Kind) (*inspected, error) {
	f := &inspected{kind: kind, path: path}
	var err error
	switch kind {
	case graphfile.KindGraphDef:
		f.graph, err = graphfile.Load(path)
	case graphfile.KindMetaGraph:
		f.meta, err = graphfile.LoadMetaGraph(path)
		// tf.train.Saver writes model.meta beside the model checkpoint; its
		// variables answer --tensor for the graph's variable nodes.
		if err == nil && checkpoint.IsCheckpoint(path) {
			f.ckpt, _ = checkpoint.Open(path)
		}
	case graphfile.KindSavedModel:
		f.model, err = graphfile.LoadSavedModel(path)
		if err == nil && f.model.HasVariables() {
			f.ckpt, err = f.model.Variables()
		}
	case graphfile.KindCheckpoint:
		f.ckpt, err = checkpoint.Open(path)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (f *inspected) close() {
	if f.ckpt != nil {
		f.ckpt.Close()
	}
}

// mainGraph is the graph --tensor looks for Const nodes in.
func (f *inspected) mainGraph() (*graphfile.Graph, error) {
	switch {
	case f.graph != nil:
		return f.graph, nil
	case f.meta != nil:
		return f.meta.Graph, nil
	case f.model != nil:
		mg, err := f.model.MetaGraph()
		if err != nil {
			return nil, err
		}
		return mg.Graph, nil
	}
	return nil, nil
}

// tensor finds name among the checkpoint's variables, then among the
// graph's Const nodes.
func (f *inspected) tensor(name string) (*tensor.Tensor, error) {
	g, err := f.mainGraph()
	if err != nil {
		return nil, err
	}
	if g == nil {
		return f.ckpt.Tensor(name)
	}
	if f.ckpt != nil && f.ckpt.Has(name) {
		return f.ckpt.Tensor(name)
	}
	if n, ok := g.Node(name); ok || f.ckpt == nil {
		if ok && n.Op != "Const" && f.ckpt != nil {
			return nil, fmt.Errorf("%s: node %q is a %s, not a Const, and the variables have no tensor of that name", f.path, n.Name, n.Op)
		}
		return g.Const(name)
	}
	var candidates []string
	for _, n := range g.Nodes() {
		if n.Op == "Const" {
			candidates = append(candidates, n.Name)
		}
	}
	candidates = append(candidates, f.ckpt.Names()...)
	msg := fmt.Sprintf("%s: no variable or Const node named %q", f.path, name)
	if s := graphfile.Suggest(name, candidates, 3); len(s) > 0 {
		msg += " (did you mean " + strings.Join(quoteEach(s), ", ") + "?)"
	}
	return nil, errors.New(msg)
}

func quoteEach(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// JSON forms, as documented in the README.

type graphJSON struct {
	Kind         graphfile.Kind    `json:"kind"`
	Encoding     string            `json:"encoding"`
	NodeCount    int               `json:"node_count"`
	Nodes        []nodeJSON        `json:"nodes"`
	OpCounts     map[string]int    `json:"op_counts"`
	Placeholders []placeholderJSON `json:"placeholders"`
	Outputs      []string          `json:"outputs"`
}

type nodeJSON struct {
	Name   string   `json:"name"`
	Op     string   `json:"op"`
	Inputs []string `json:"inputs"`
}

type placeholderJSON struct {
	Name  string  `json:"name"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"` // null: unknown rank
}

type variableJSON struct {
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

type checkpointJSON struct {
	Kind      graphfile.Kind          `json:"kind"`
	Format    string                  `json:"format"`
	Variables map[string]variableJSON `json:"variables"`
}

type tensorInfoJSON struct {
	Name  string  `json:"name"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

type signatureJSON struct {
	MethodName string                    `json:"method_name"`
	Inputs     map[string]tensorInfoJSON `json:"inputs"`
	Outputs    map[string]tensorInfoJSON `json:"outputs"`
}

type metaGraphEntryJSON struct {
	Tags       []string                 `json:"tags"`
	Signatures map[string]signatureJSON `json:"signatures"`
	Graph      graphJSON                `json:"graph"`
}

type savedModelJSON struct {
	Kind       graphfile.Kind          `json:"kind"`
	MetaGraphs []metaGraphEntryJSON    `json:"meta_graphs"`
	Variables  map[string]variableJSON `json:"variables"`
}

type metaGraphJSON struct {
	Kind  graphfile.Kind `json:"kind"`
	Graph graphJSON      `json:"graph"`
}

type tensorJSON struct {
	Name   string          `json:"name"`
	DType  string          `json:"dtype"`
	Shape  []int64         `json:"shape"`
	Values json.RawMessage `json:"values"`
}

func (f *inspected) json() (any, error) {
	switch f.kind {
	case graphfile.KindGraphDef:
		return graphToJSON(f.graph), nil
	case graphfile.KindMetaGraph:
		return metaGraphJSON{Kind: graphfile.KindMetaGraph, Graph: graphToJSON(f.meta.Graph)}, nil
	case graphfile.KindSavedModel:
		out := savedModelJSON{Kind: graphfile.KindSavedModel, MetaGraphs: []metaGraphEntryJSON{}, Variables: map[string]variableJSON{}}
		for _, mg := range f.model.MetaGraphs {
			e := metaGraphEntryJSON{Tags: nonNil(mg.Tags), Signatures: map[string]signatureJSON{}, Graph: graphToJSON(mg.Graph)}
			for key, s := range mg.Signatures {
				e.Signatures[key] = signatureJSON{MethodName: s.MethodName, Inputs: tensorInfos(s.Inputs), Outputs: tensorInfos(s.Outputs)}
			}
			out.MetaGraphs = append(out.MetaGraphs, e)
		}
		if f.ckpt != nil {
			out.Variables = variablesToJSON(f.ckpt)
		}
		return out, nil
	default:
		return checkpointJSON{Kind: graphfile.KindCheckpoint, Format: f.ckpt.Format(), Variables: variablesToJSON(f.ckpt)}, nil
	}
}

func graphToJSON(g *graphfile.Graph) graphJSON {
	out := graphJSON{
		Kind:         graphfile.KindGraphDef,
		Encoding:     g.Encoding.String(),
		NodeCount:    g.Len(),
		Nodes:        make([]nodeJSON, 0, g.Len()),
		OpCounts:     g.OpCounts(),
		Placeholders: []placeholderJSON{},
		Outputs:      nonNil(g.Outputs()),
	}
	for _, n := range g.Nodes() {
		out.Nodes = append(out.Nodes, nodeJSON{Name: n.Name, Op: n.Op, Inputs: nonNil(n.Input)})
	}
	for _, p := range g.Placeholders() {
		out.Placeholders = append(out.Placeholders, placeholderJSON{Name: p.Name, DType: p.DType.String(), Shape: p.Shape.JSON()})
	}
	return out
}

func tensorInfos(m map[string]graphfile.TensorInfo) map[string]tensorInfoJSON {
	out := make(map[string]tensorInfoJSON, len(m))
	for k, ti := range m {
		out[k] = tensorInfoJSON{Name: ti.Name, DType: ti.DType.String(), Shape: ti.Shape.JSON()}
	}
	return out
}

func variablesToJSON(r *checkpoint.Reader) map[string]variableJSON {
	out := map[string]variableJSON{}
	for _, v := range r.Variables() {
		out[v.Name] = variableJSON{DType: v.DType.String(), Shape: nonNil(v.Shape)}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func writeTensorJSON(w io.Writer, name string, t *tensor.Tensor) error {
	vals, err := t.AppendValuesJSON(nil)
	if err != nil {
		return fmt.Errorf("tensor %q: %w", name, err)
	}
	return writeJSON(w, tensorJSON{Name: name, DType: t.DType.String(), Shape: nonNil(t.Shape), Values: vals})
}

// Human-readable listings.

func (f *inspected) print(w io.Writer) error {
	switch f.kind {
	case graphfile.KindGraphDef:
		fmt.Fprintf(w, "%s: GraphDef (%s), %d nodes\n\n", f.path, f.graph.Encoding, f.graph.Len())
		printGraph(w, f.graph)
	case graphfile.KindMetaGraph:
		mg := f.meta
		fmt.Fprintf(w, "%s: MetaGraphDef (%s), TensorFlow %s, %d nodes\n\n", f.path, mg.Graph.Encoding, orDash(mg.Info.TensorFlowVersion), mg.Graph.Len())
		printSignatures(w, mg)
		printGraph(w, mg.Graph)
	case graphfile.KindSavedModel:
		m := f.model
		fmt.Fprintf(w, "%s: SavedModel (%s), %d meta graph(s)\n", m.Dir, m.Encoding, len(m.MetaGraphs))
		for _, mg := range m.MetaGraphs {
			fmt.Fprintf(w, "\nMetaGraphDef with tag-set: '%s' (TensorFlow %s, %d nodes)\n", strings.Join(mg.Tags, ", "), orDash(mg.Info.TensorFlowVersion), mg.Graph.Len())
			printSignatures(w, mg)
			for _, a := range mg.Assets {
				fmt.Fprintf(w, "asset %s -> %s\n", a.Filename, a.Tensor.Name)
			}
			printGraphSummary(w, mg.Graph)
		}
		if f.ckpt != nil {
			fmt.Fprintf(w, "\nVariables (%s, checkpoint %s):\n", m.VariablesPrefix(), strings.ToUpper(f.ckpt.Format()))
			printVariables(w, f.ckpt)
		} else {
			fmt.Fprintln(w, "\nNo variables checkpoint.")
		}
	default:
		fmt.Fprintf(w, "%s: checkpoint %s, %d tensors\n\n", f.ckpt.Path(), strings.ToUpper(f.ckpt.Format()), len(f.ckpt.Names()))
		printVariables(w, f.ckpt)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printGraph(w io.Writer, g *graphfile.Graph) {
	width := 0
	for _, n := range g.Nodes() {
		width = max(width, len(n.Name))
	}
	width = min(width, 80)
	for _, n := range g.Nodes() {
		fmt.Fprintf(w, "%-*s  %s\n", width, n.Name, n.Op)
	}
	printGraphSummary(w, g)
}

func printGraphSummary(w io.Writer, g *graphfile.Graph) {
	counts := g.OpCounts()
	ops := make([]string, 0, len(counts))
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %d", op, counts[op])
	}
	fmt.Fprintf(w, "\nOps: %s\n", strings.Join(parts, ", "))
	fmt.Fprintln(w, "Inputs:")
	ph := g.Placeholders()
	if len(ph) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, p := range ph {
		fmt.Fprintf(w, "  %s  %s %s  (%s)\n", p.Name, p.DType, p.Shape, p.Op)
	}
	fmt.Fprintf(w, "Outputs: %s\n", strings.Join(g.Outputs(), ", "))
}

func printSignatures(w io.Writer, mg *graphfile.MetaGraph) {
	keys := make([]string, 0, len(mg.Signatures))
	for k := range mg.Signatures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := mg.Signatures[k]
		fmt.Fprintf(w, "\nsignature_def['%s']  (method %s)\n", k, s.MethodName)
		for _, side := range []struct {
			label string
			m     map[string]graphfile.TensorInfo
		}{{"inputs", s.Inputs}, {"outputs", s.Outputs}} {
			names := make([]string, 0, len(side.m))
			for n := range side.m {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				ti := side.m[n]
				fmt.Fprintf(w, "  %s['%s']  %s %s  name: %s\n", side.label, n, ti.DType, ti.Shape, ti.Name)
			}
		}
	}
}

func printVariables(w io.Writer, r *checkpoint.Reader) {
	width := 0
	for _, n := range r.Names() {
		width = max(width, len(n))
	}
	width = min(width, 80)
	for _, v := range r.Variables() {
		fmt.Fprintf(w, "%-*s  %s %s\n", width, v.Name, v.DType, tensor.Shape{Dims: v.Shape}.String())
	}
}

// maxPrinted is how many values a human listing shows before eliding the
// middle; --json always gives them all.
const maxPrinted = 1000

func printTensor(w io.Writer, name string, t *tensor.Tensor) error {
	n := t.NumElements()
	var vals []any
	var err error
	if n <= maxPrinted {
		vals, err = t.Values()
	} else { // only what is shown: the first and last ten
		var head, tail []any
		if head, err = t.Span(0, 10).Values(); err == nil {
			tail, err = t.Span(n-10, n).Values()
		}
		vals = append(head, tail...)
	}
	if err != nil {
		return fmt.Errorf("tensor %q: %w", name, err)
	}
	fmt.Fprintf(w, "%s  %s %s  (%d values)\n", name, t.DType, tensor.Shape{Dims: t.Shape}.String(), n)
	show := func(v []any) {
		for _, x := range v {
			switch x := x.(type) {
			case string:
				fmt.Fprintf(w, "%q\n", x)
			default:
				fmt.Fprintln(w, x)
			}
		}
	}
	if n <= maxPrinted {
		show(vals)
		return nil
	}
	show(vals[:10])
	fmt.Fprintf(w, "... (%d more; use --json for all)\n", n-20)
	show(vals[10:])
	return nil
}
