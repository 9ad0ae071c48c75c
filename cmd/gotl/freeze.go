package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gotl/gotl/helpers/graphfile"
)

func init() {
	register(&command{
		name:    "freeze",
		summary: "freeze a graph with its checkpoint into a .pb of constants, like TensorFlow's freeze_graph.py",
		run:     runFreeze,
	})
}

func runFreeze(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("freeze", "--input_graph G | --input_meta_graph M | --input_saved_model_dir D  --input_checkpoint P --output_node_names N --output_graph OUT", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: gotl freeze (--input_graph G | --input_meta_graph M | --input_saved_model_dir D)
         --input_checkpoint PREFIX --output_node_names A,B --output_graph OUT.pb [flags]

Does what TensorFlow's freeze_graph.py does, with its flags: loads the
graph, prunes it to the output nodes, replaces every variable it needs by a
constant holding the checkpoint's value, and writes the GraphDef. The
result runs in "gotl run", "gotl classify" and TensorFlow alike.

  gotl freeze --input_meta_graph model.ckpt.meta --input_checkpoint model.ckpt \
      --output_node_names final_result --output_graph frozen.pb

Like freeze_graph.py the output is binary; gotl also writes text when
OUT ends in .pbtxt. Input encodings are detected from the content, so
--input_binary is accepted but not needed.

Flags:
`)
		fs.PrintDefaults()
	}
	inputGraph := fs.String("input_graph", "", "GraphDef file (.pb or .pbtxt) whose variables to freeze")
	inputMeta := fs.String("input_meta_graph", "", "MetaGraphDef file (e.g. model.ckpt.meta) whose graph to freeze")
	savedModel := fs.String("input_saved_model_dir", "", "SavedModel directory whose graph and variables to freeze")
	tags := fs.String("saved_model_tags", "serve", "comma-separated tags of the SavedModel's meta graph")
	ckpt := fs.String("input_checkpoint", "", "checkpoint prefix holding the variables (e.g. model.ckpt; for a SavedModel: its variables)")
	outputs := fs.String("output_node_names", "", "comma-separated output node names (required)")
	outputGraph := fs.String("output_graph", "", "file to write the frozen GraphDef to (required)")
	fs.Bool("input_binary", false, "accepted for freeze_graph.py compatibility; the input encoding is detected")
	clearDevices := fs.Bool("clear_devices", true, "remove device placements from every node")
	whitelist := fs.String("variable_names_whitelist", "", "comma-separated variable nodes to convert (default: all)")
	blacklist := fs.String("variable_names_blacklist", "", "comma-separated variable nodes to leave as variables")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: unexpected arguments %v", errUsage, pos)
	}
	if *outputs == "" {
		return fmt.Errorf("%w: --output_node_names is required", errUsage)
	}
	if *outputGraph == "" {
		return fmt.Errorf("%w: --output_graph is required", errUsage)
	}
	g, err := graphfile.FreezeGraph(graphfile.FreezeGraphArgs{
		InputGraph:         *inputGraph,
		InputMetaGraph:     *inputMeta,
		InputSavedModelDir: *savedModel,
		SavedModelTags:     splitList(*tags),
		InputCheckpoint:    *ckpt,
		OutputNodeNames:    splitList(*outputs),
		FreezeOptions: graphfile.FreezeOptions{
			Whitelist:    splitList(*whitelist),
			Blacklist:    splitList(*blacklist),
			ClearDevices: *clearDevices,
		},
	})
	if err != nil {
		return err
	}
	enc := graphfile.Binary
	if strings.EqualFold(filepath.Ext(*outputGraph), ".pbtxt") {
		enc = graphfile.Text
	}
	if err := g.WriteFile(*outputGraph, enc); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s): %d ops in the final graph\n", *outputGraph, enc, g.Len())
	return nil
}

// splitList splits a comma-separated flag value, dropping spaces and
// empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
