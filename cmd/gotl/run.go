package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

func init() {
	register(&command{
		name:    "run",
		summary: "run a frozen TensorFlow graph (or SavedModel) on JSON tensor feeds and print the fetches",
		run:     runRun,
	})
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "GRAPH | --meta FILE.meta --checkpoint PREFIX  --feed NAME=FILE … --fetch NAME … [--json]", stderr)
	var feeds, fetches listFlag
	fs.Var(&feeds, "feed", "NAME=FILE: feed tensor NAME (e.g. input:0) from FILE, gotl tensor JSON\n"+
		`{"dtype":"float32","shape":[…],"values":[…]}; a file not ending in .json is fed as one DT_STRING value`+"\n(e.g. DecodeJpeg/contents:0=photo.jpg); repeatable")
	fs.Var(&fetches, "fetch", "tensor to compute (e.g. final_result:0); repeatable, at least one")
	asJSON := fs.Bool("json", false, `print {"outputs":{NAME:tensor}} instead of a summary`)
	tags := fs.String("tags", "serve", "SavedModel tags (comma-separated), when GRAPH is a SavedModel directory")
	meta := fs.String("meta", "", "instead of GRAPH: a MetaGraphDef (.meta), frozen in memory with --checkpoint")
	ckpt := fs.String("checkpoint", "", "checkpoint prefix holding the --meta graph's variables")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if (*meta != "") != (*ckpt != "") {
		return fmt.Errorf("%w: --meta and --checkpoint go together", errUsage)
	}
	if want := 1 - min(len(*meta), 1); len(pos) != want {
		return fmt.Errorf("%w: want exactly one GRAPH argument, or --meta and --checkpoint; got %d arguments", errUsage, len(pos))
	}
	if len(fetches) == 0 {
		return fmt.Errorf("%w: at least one --fetch is needed", errUsage)
	}
	var feedNames []string
	var feedTensors []*tensor.Tensor
	for _, f := range feeds {
		name, file, ok := strings.Cut(f, "=")
		if !ok || name == "" || file == "" {
			return fmt.Errorf("%w: --feed wants NAME=FILE, got %q", errUsage, f)
		}
		t, err := readFeed(file)
		if err != nil {
			return fmt.Errorf("feed %s: %w", name, err)
		}
		feedNames = append(feedNames, name)
		feedTensors = append(feedTensors, t)
	}
	var g *graphrun.Graph
	if *meta != "" {
		g, err = graphrun.LoadMetaGraph(*meta, *ckpt, fetches...)
	} else {
		g, err = loadGraphArg(pos[0], strings.Split(*tags, ","), fetches)
	}
	if err != nil {
		return err
	}
	m, err := graphrun.NewModel(g, feedNames, fetches)
	if err != nil {
		return err
	}
	outs, err := m.Run(feedTensors...)
	if err != nil {
		return err
	}
	if *asJSON {
		res := map[string]*tensor.Tensor{}
		for i, name := range fetches {
			res[name] = outs[i]
		}
		enc := json.NewEncoder(stdout)
		return enc.Encode(map[string]any{"outputs": res})
	}
	for i, name := range fetches {
		printTensorSummary(stdout, name, outs[i])
	}
	return nil
}

// readFeed reads a tensor JSON file, or any other file as a DT_STRING scalar.
func readFeed(file string) (*tensor.Tensor, error) {
	data, err := limits.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(file), ".json") {
		t, err := tensor.FromJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return t, nil
	}
	return &tensor.Tensor{DType: tensor.String, Strings: [][]byte{data}}, nil
}

// loadGraphArg loads a frozen GraphDef file or a SavedModel directory
// (frozen to what fetches need).
func loadGraphArg(path string, tags, fetches []string) (*graphrun.Graph, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return graphrun.Load(path)
	}
	var outputs []string
	for _, f := range fetches {
		node, _, err := graphrun.ParseTensorName(f)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, node)
	}
	return graphrun.LoadSavedModel(path, tags, outputs...)
}

// printTensorSummary prints dtype, shape and up to 20 values of t.
func printTensorSummary(w io.Writer, name string, t *tensor.Tensor) {
	n := t.NumElements()
	vals, err := t.Span(0, min(n, 20)).Values() // only what is printed
	if err != nil {
		fmt.Fprintf(w, "%s: %s %v (%v)\n", name, tensor.ShortName(t.DType), t.Shape, err)
		return
	}
	more := ""
	if n > 20 {
		more = fmt.Sprintf(" … (%d values)", n)
	}
	fmt.Fprintf(w, "%s: %s %v\n  %v%s\n", name, tensor.ShortName(t.DType), t.Shape, vals, more)
}
