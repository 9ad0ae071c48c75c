package graphfile

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/internal/tfdata"
)

func TestFreezeGraphOptions(t *testing.T) {
	dir := tfdata.Path(t, "onnx_regression", "checkpoint")
	args := FreezeGraphArgs{
		InputMetaGraph:  filepath.Join(dir, "model.meta"),
		InputCheckpoint: filepath.Join(dir, "model"),
		OutputNodeNames: []string{" pred "},
	}
	kinds := func(g *Graph) string {
		w, _ := g.Node("W")
		b, _ := g.Node("b")
		return w.Op + "," + b.Op
	}
	all, err := FreezeGraph(args)
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(all); k != "Const,Const" {
		t.Errorf("all variables: W,b are %s", k)
	}
	args.Whitelist = []string{"b"}
	some, err := FreezeGraph(args)
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(some); k != "VariableV2,Const" {
		t.Errorf("whitelist b: W,b are %s", k)
	}
	// Devices are cleared when asked.
	mg, err := LoadMetaGraph(args.InputMetaGraph)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range mg.Graph.Def.Node {
		n.Device = "/device:CPU:0"
	}
	for _, clear := range []bool{false, true} {
		g, err := FreezeWith(mg.Graph, mustOpen(t, args.InputCheckpoint), FreezeOptions{ClearDevices: clear}, "pred")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := g.Node("pred")
		if (p.Device == "") != clear {
			t.Errorf("ClearDevices %v: device %q", clear, p.Device)
		}
	}
	args.InputCheckpoint = filepath.Join(dir, "nope")
	if _, err := FreezeGraph(args); err == nil || !strings.Contains(err.Error(), "doesn't exist") {
		t.Errorf("missing checkpoint: %v", err)
	}
}

func mustOpen(t *testing.T, prefix string) VariableSource {
	t.Helper()
	r, err := checkpoint.Open(prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
