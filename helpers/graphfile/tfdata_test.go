package graphfile

import (
	"encoding/json"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// expectedSet is one set's expected.json, decoded loosely.
type expectedSet struct {
	Set   string         `json:"set"`
	Facts map[string]any `json:"facts"`
}

func loadExpected(t *testing.T, dir string) []expectedSet {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "expected.json"))
	if err != nil || len(paths) == 0 {
		t.Skipf("no */expected.json under %s", dir)
	}
	var sets []expectedSet
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var s expectedSet
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if s.Set == "" {
			s.Set = filepath.Base(filepath.Dir(p))
		}
		sets = append(sets, s)
	}
	return sets
}

// TestRealFiles checks every graph, meta graph and SavedModel fact of every
// set against what this package reads.
func TestRealFiles(t *testing.T) {
	dir := tfdata.Dir(t)
	counts := map[string]int{}
	for _, set := range loadExpected(t, dir) {
		keys := make([]string, 0, len(set.Facts))
		for k := range set.Facts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, file := range keys {
			facts, _ := set.Facts[file].(map[string]any)
			path := filepath.Join(dir, set.Set, file)
			kind, _ := facts["kind"].(string)
			switch kind {
			case "graphdef":
				t.Run(set.Set+"/"+file, func(t *testing.T) {
					g, err := Load(path)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := g.Encoding.String(), facts["encoding"]; got != want {
						t.Errorf("encoding %s, want %v", got, want)
					}
					checkGraphFacts(t, g, facts)
				})
			case "meta_graph":
				t.Run(set.Set+"/"+file, func(t *testing.T) {
					mg, err := LoadMetaGraph(path)
					if err != nil {
						t.Fatal(err)
					}
					checkMetaGraphFacts(t, mg, facts)
				})
			case "saved_model":
				t.Run(set.Set+"/"+file, func(t *testing.T) {
					sm, err := LoadSavedModel(filepath.Dir(path))
					if err != nil {
						t.Fatal(err)
					}
					if got := float64(sm.SchemaVersion); got != facts["saved_model_schema_version"] {
						t.Errorf("schema version %v, want %v", got, facts["saved_model_schema_version"])
					}
					want := facts["meta_graphs"].([]any)
					if len(sm.MetaGraphs) != len(want) {
						t.Fatalf("%d meta graphs, want %d", len(sm.MetaGraphs), len(want))
					}
					for i, mg := range sm.MetaGraphs {
						checkMetaGraphFacts(t, mg, want[i].(map[string]any))
					}
					if _, err := sm.MetaGraph("serve"); err != nil {
						t.Error(err)
					}
					if _, err := sm.MetaGraph("train"); err == nil {
						t.Error(`MetaGraph("train") found a graph the model does not have`)
					}
				})
			default:
				continue
			}
			counts[kind]++
		}
	}
	// The shared data has graphs of all three kinds; a silent zero would
	// mean the facts were not read at all.
	for _, k := range []string{"graphdef", "meta_graph", "saved_model"} {
		if counts[k] == 0 {
			t.Errorf("no %s facts found in the test data", k)
		}
	}
	t.Logf("checked %v", counts)
}

func checkGraphFacts(t *testing.T, g *Graph, f map[string]any) {
	t.Helper()
	if got, want := g.Len(), int(f["node_count"].(float64)); got != want {
		t.Errorf("node count %d, want %d", got, want)
	}
	nodes := g.Nodes()
	checkNodeList := func(label string, want []any, got []Node) {
		if len(want) != len(got) {
			t.Errorf("%s: %d nodes, want %d", label, len(got), len(want))
			return
		}
		for i, w := range want {
			w := w.(map[string]any)
			if got[i].Name != w["name"] || got[i].Op != w["op"] {
				t.Errorf("%s[%d] = %s (%s), want %v (%v)", label, i, got[i].Name, got[i].Op, w["name"], w["op"])
			}
		}
	}
	first := f["first_nodes"].([]any)
	last := f["last_nodes"].([]any)
	checkNodeList("first nodes", first, nodes[:min(len(first), len(nodes))])
	checkNodeList("last nodes", last, nodes[max(0, len(nodes)-len(last)):])

	if v, ok := f["versions"].(map[string]any); ok {
		if g.Def.Versions == nil {
			t.Errorf("versions missing, want %v", v)
		} else if float64(g.Def.Versions.Producer) != v["producer"] || float64(g.Def.Versions.MinConsumer) != v["min_consumer"] {
			t.Errorf("versions %v, want %v", g.Def.Versions, v)
		}
	} else if g.Def.Versions != nil {
		t.Errorf("versions %v, want none", g.Def.Versions)
	}

	counts := g.OpCounts()
	wantCounts := f["op_counts"].(map[string]any)
	if len(counts) != len(wantCounts) {
		t.Errorf("%d op types, want %d", len(counts), len(wantCounts))
	}
	for op, n := range wantCounts {
		if counts[op] != int(n.(float64)) {
			t.Errorf("op %s: %d nodes, want %v", op, counts[op], n)
		}
	}
	var data, control int
	for _, n := range nodes {
		data += len(n.DataInputs())
		control += len(n.ControlInputs())
	}
	if float64(data) != f["data_input_edges"] || float64(control) != f["control_input_edges"] {
		t.Errorf("edges: %d data, %d control; want %v, %v", data, control, f["data_input_edges"], f["control_input_edges"])
	}

	ph := g.Placeholders()
	wantPh := f["placeholders"].([]any)
	if len(ph) != len(wantPh) {
		t.Errorf("%d placeholders, want %d", len(ph), len(wantPh))
	} else {
		for i, w := range wantPh {
			w := w.(map[string]any)
			p := ph[i]
			if p.Name != w["name"] || p.Op != w["op"] || p.DType.String() != w["dtype"] || !shapeMatches(p.Shape, w["shape"]) {
				t.Errorf("placeholder %d = %+v, want %v", i, p, w)
			}
		}
	}
	if got, want := g.Outputs(), toStrings(f["sink_nodes"]); !slices.Equal(got, want) {
		t.Errorf("outputs %q, want %q", got, want)
	}
	if lib, ok := f["library"].(map[string]any); ok {
		var names []string
		for _, fn := range g.Def.GetLibrary().GetFunction() {
			names = append(names, fn.GetSignature().GetName())
		}
		sort.Strings(names)
		if want := toStrings(lib["function_names"]); !slices.Equal(names, want) && !(len(names) == 0 && len(want) == 0) {
			t.Errorf("functions %q, want %q", names, want)
		}
	}
	consts := 0
	for _, n := range nodes {
		if n.Op == "Const" {
			consts++
		}
	}
	if float64(consts) != f["const_count"] {
		t.Errorf("%d Const nodes, want %v", consts, f["const_count"])
	}
	samples, _ := f["const_samples"].(map[string]any)
	for label, s := range samples {
		checkConstSample(t, g, label, s.(map[string]any))
	}
	attrs, _ := f["sample_node_attrs"].(map[string]any)
	for op, s := range attrs {
		checkNodeAttrs(t, g, op, s.(map[string]any))
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// shapeMatches compares a shape with expected.json's form: a list, or the
// string "unknown_rank".
func shapeMatches(s tensor.Shape, want any) bool {
	if want == "unknown_rank" {
		return s.UnknownRank
	}
	w, ok := want.([]any)
	if !ok || s.UnknownRank || len(w) != len(s.Dims) {
		return false
	}
	for i, d := range w {
		if float64(s.Dims[i]) != d {
			return false
		}
	}
	return true
}

// float32Equal compares as the PROVENANCE notes say: the expected numbers
// are float32 (or float16) values widened to float64.
func float32Equal(got float64, want any) bool {
	w, ok := want.(float64)
	return ok && float32(got) == float32(w)
}

// exactSum adds float64 values without rounding error, for comparison with
// the exactly rounded sums (math.fsum) in expected.json.
func exactSum(v []float64, abs bool) float64 {
	sum := new(big.Float).SetPrec(2048)
	x := new(big.Float).SetPrec(2048)
	for _, f := range v {
		if abs {
			f = math.Abs(f)
		}
		sum.Add(sum, x.SetFloat64(f))
	}
	r, _ := sum.Float64()
	return r
}

func checkConstSample(t *testing.T, g *Graph, label string, s map[string]any) {
	t.Helper()
	name := s["name"].(string)
	c, err := g.Const(name)
	if err != nil {
		t.Errorf("%s: %v", label, err)
		return
	}
	if c.DType.String() != s["dtype"] || !shapeMatches(tensor.Shape{Dims: c.Shape}, s["shape"]) {
		t.Errorf("%s %s: %v %v, want %v %v", label, name, c.DType, c.Shape, s["dtype"], s["shape"])
		return
	}
	if float64(c.NumElements()) != s["num_elements"] {
		t.Errorf("%s %s: %d elements, want %v", label, name, c.NumElements(), s["num_elements"])
	}
	if c.DType == tensor.String {
		for i, w := range s["values"].([]any) {
			w := w.(map[string]any)
			if float64(len(c.Strings[i])) != w["len"] {
				t.Errorf("%s %s[%d]: %d bytes, want %v", label, name, i, len(c.Strings[i]), w["len"])
			}
			if u, ok := w["utf8"]; ok && string(c.Strings[i]) != u {
				t.Errorf("%s %s[%d] = %q, want %q", label, name, i, c.Strings[i], u)
			}
		}
		return
	}
	v, err := c.Float64s()
	if err != nil {
		t.Errorf("%s %s: %v", label, name, err)
		return
	}
	if want, ok := s["values"].([]any); ok {
		if len(want) != len(v) {
			t.Errorf("%s %s: %d values, want %d", label, name, len(v), len(want))
			return
		}
		for i := range want {
			if !float32Equal(v[i], want[i]) {
				t.Errorf("%s %s[%d] = %v, want %v", label, name, i, v[i], want[i])
			}
		}
	}
	if want, ok := s["first_values"].([]any); ok {
		for i := range want {
			if !float32Equal(v[i], want[i]) {
				t.Errorf("%s %s[%d] = %v, want %v", label, name, i, v[i], want[i])
			}
		}
		if !float32Equal(v[len(v)-1], s["last_value"]) {
			t.Errorf("%s %s: last value %v, want %v", label, name, v[len(v)-1], s["last_value"])
		}
	}
	if got := exactSum(v, false); !float32Equal(got, s["sum_fsum"]) {
		t.Errorf("%s %s: sum %v, want %v", label, name, got, s["sum_fsum"])
	}
	if got := exactSum(v, true); !float32Equal(got, s["sum_abs_fsum"]) {
		t.Errorf("%s %s: sum of |x| %v, want %v", label, name, got, s["sum_abs_fsum"])
	}
	if len(v) > 0 {
		lo, hi := slices.Min(v), slices.Max(v)
		if !float32Equal(lo, s["min"]) || !float32Equal(hi, s["max"]) {
			t.Errorf("%s %s: range [%v, %v], want [%v, %v]", label, name, lo, hi, s["min"], s["max"])
		}
	}
}

// checkNodeAttrs compares every attribute expected.json lists for a node,
// read through the typed accessors.
func checkNodeAttrs(t *testing.T, g *Graph, op string, s map[string]any) {
	t.Helper()
	name := s["name"].(string)
	n, ok := g.Node(name)
	if !ok {
		t.Errorf("no node %q", name)
		return
	}
	if n.Op != op || n.Device != s["device"] || !slices.Equal(n.Input, toStrings(s["inputs"])) {
		t.Errorf("node %s: op %s device %q inputs %q; want %s %v %v", name, n.Op, n.Device, n.Input, op, s["device"], s["inputs"])
	}
	for attr, wv := range s["attr"].(map[string]any) {
		w := wv.(map[string]any)
		switch {
		case w["type"] != nil:
			if dt, err := n.TypeAttr(attr); err != nil || dt.String() != w["type"] {
				t.Errorf("%s.%s = %v (%v), want %v", name, attr, dt, err, w["type"])
			}
		case w["s"] != nil:
			if s, err := n.StringAttr(attr); err != nil || s != w["s"].(map[string]any)["utf8"] {
				t.Errorf("%s.%s = %q (%v), want %v", name, attr, s, err, w["s"])
			}
		case w["b"] != nil:
			if b, err := n.BoolAttr(attr); err != nil || b != w["b"] {
				t.Errorf("%s.%s = %v (%v), want %v", name, attr, b, err, w["b"])
			}
		case w["list"] != nil:
			l := w["list"].(map[string]any)
			if ints, ok := l["i"]; ok {
				got, err := n.IntsAttr(attr)
				var want []int64
				for _, x := range ints.([]any) {
					want = append(want, int64(x.(float64)))
				}
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("%s.%s = %v (%v), want %v", name, attr, got, err, want)
				}
			}
			if shapes, ok := l["shape"]; ok {
				got, err := n.ShapesAttr(attr)
				if err != nil || len(got) != len(shapes.([]any)) {
					t.Errorf("%s.%s = %v (%v), want %v", name, attr, got, err, shapes)
					continue
				}
				for i, ws := range shapes.([]any) {
					if !shapeMatches(got[i], ws) {
						t.Errorf("%s.%s[%d] = %+v, want %v", name, attr, i, got[i], ws)
					}
				}
			}
		default:
			t.Errorf("%s.%s: test does not know attribute form %v", name, attr, w)
		}
	}
}

func checkMetaGraphFacts(t *testing.T, mg *MetaGraph, f map[string]any) {
	t.Helper()
	info := f["meta_info"].(map[string]any)
	if !slices.Equal(mg.Tags, toStrings(info["tags"])) && !(len(mg.Tags) == 0 && len(info["tags"].([]any)) == 0) {
		t.Errorf("tags %q, want %v", mg.Tags, info["tags"])
	}
	if mg.Info.TensorFlowVersion != info["tensorflow_version"] || mg.Info.TensorFlowGitVersion != info["tensorflow_git_version"] ||
		mg.Info.MetaGraphVersion != info["meta_graph_version"] || mg.Info.StrippedDefaultAttrs != info["stripped_default_attrs"] {
		t.Errorf("meta info %+v, want %v", mg.Info, info)
	}
	if !slices.Equal(mg.Info.StrippedOpList, toStrings(info["stripped_op_list"])) {
		t.Errorf("stripped op list %q, want %v", mg.Info.StrippedOpList, info["stripped_op_list"])
	}
	if s, ok := f["saver_def"].(map[string]any); ok {
		if mg.Saver == nil {
			t.Errorf("no saver, want %v", s)
		} else if mg.Saver.FilenameTensorName != s["filename_tensor_name"] || mg.Saver.SaveTensorName != s["save_tensor_name"] ||
			mg.Saver.RestoreOpName != s["restore_op_name"] || float64(mg.Saver.MaxToKeep) != s["max_to_keep"] ||
			mg.Saver.Sharded != s["sharded"] || !float32Equal(float64(mg.Saver.KeepCheckpointEveryNHours), s["keep_checkpoint_every_n_hours"]) ||
			mg.Saver.Version != s["version"] {
			t.Errorf("saver %+v, want %v", *mg.Saver, s)
		}
	}
	cols := f["collection_def"].(map[string]any)
	if len(cols) != len(mg.Collections) {
		t.Errorf("%d collections, want %d", len(mg.Collections), len(cols))
	}
	for name, cv := range cols {
		c := cv.(map[string]any)
		got, ok := mg.Collections[name]
		if !ok || got.Kind != c["kind"] {
			t.Errorf("collection %s: %+v, want %v", name, got, c)
			continue
		}
		size := len(got.Nodes) + len(got.Bytes) + len(got.Int64s) + len(got.Floats) + len(got.AnyTypeURLs)
		if float64(size) != c["size"] {
			t.Errorf("collection %s: %d values, want %v", name, size, c["size"])
		}
		if vals, ok := c["values"]; ok && !slices.Equal(got.Nodes, toStrings(vals)) {
			t.Errorf("collection %s: %q, want %v", name, got.Nodes, vals)
		}
		if urls, ok := c["type_urls"]; ok {
			uniq := slices.Compact(slices.Sorted(slices.Values(got.AnyTypeURLs)))
			if !slices.Equal(uniq, toStrings(urls)) {
				t.Errorf("collection %s: type URLs %q, want %v", name, uniq, urls)
			}
		}
		if fl, ok := c["first_len"]; ok && (len(got.Bytes) == 0 || float64(len(got.Bytes[0])) != fl) {
			t.Errorf("collection %s: first value not %v bytes", name, fl)
		}
	}
	sigs := f["signature_def"].(map[string]any)
	if len(sigs) != len(mg.Signatures) {
		t.Errorf("%d signatures, want %d", len(mg.Signatures), len(sigs))
	}
	for key, sv := range sigs {
		s := sv.(map[string]any)
		got, ok := mg.Signatures[key]
		if !ok || got.MethodName != s["method_name"] {
			t.Errorf("signature %s: %+v, want %v", key, got, s)
			continue
		}
		for _, side := range []struct {
			label string
			got   map[string]TensorInfo
			want  map[string]any
		}{{"inputs", got.Inputs, s["inputs"].(map[string]any)}, {"outputs", got.Outputs, s["outputs"].(map[string]any)}} {
			if len(side.got) != len(side.want) {
				t.Errorf("signature %s: %d %s, want %d", key, len(side.got), side.label, len(side.want))
			}
			for k, wv := range side.want {
				w := wv.(map[string]any)
				ti := side.got[k]
				if ti.Name != w["name"] || ti.Encoding != w["encoding"] || ti.DType.String() != w["dtype"] || !shapeMatches(ti.Shape, w["shape"]) {
					t.Errorf("signature %s %s %s = %+v, want %v", key, side.label, k, ti, w)
				}
			}
		}
	}
	assets := f["asset_file_def"].([]any)
	if len(assets) != len(mg.Assets) {
		t.Errorf("%d assets, want %d", len(mg.Assets), len(assets))
	} else {
		for i, av := range assets {
			a := av.(map[string]any)
			if mg.Assets[i].Filename != a["filename"] || mg.Assets[i].Tensor.Name != a["tensor"] {
				t.Errorf("asset %d = %+v, want %v", i, mg.Assets[i], a)
			}
		}
	}
	if og, ok := f["object_graph"].(map[string]any); ok {
		checkObjectGraph(t, mg.Objects, og)
	} else if mg.Objects != nil {
		t.Errorf("object graph present, want none")
	}
	checkGraphFacts(t, mg.Graph, f["graph"].(map[string]any))
}

func checkObjectGraph(t *testing.T, og *ObjectGraph, f map[string]any) {
	t.Helper()
	if og == nil {
		t.Errorf("no object graph, want %v", f)
		return
	}
	if float64(len(og.Objects)) != f["nodes"] {
		t.Errorf("%d objects, want %v", len(og.Objects), f["nodes"])
	}
	kinds := map[string]float64{}
	for _, o := range og.Objects {
		kinds[o.Kind]++
	}
	for k, n := range f["kinds"].(map[string]any) {
		if kinds[k] != n {
			t.Errorf("%v %s objects, want %v", kinds[k], k, n)
		}
	}
	var children []any
	for _, c := range og.Objects[0].Children {
		children = append(children, []any{c.Name, float64(c.Node)})
	}
	if b1, b2 := mustJSON(children), mustJSON(f["root_children"]); b1 != b2 {
		t.Errorf("root children %s, want %s", b1, b2)
	}
	for _, wv := range f["variables"].([]any) {
		w := wv.(map[string]any)
		o := og.Objects[int(w["node"].(float64))]
		v := o.Variable
		if v == nil || v.Name != w["name"] || v.DType.String() != w["dtype"] || !shapeMatches(v.Shape, w["shape"]) || v.Trainable != w["trainable"] {
			t.Errorf("variable object %v = %+v, want %v", w["node"], v, w)
		}
	}
	if !slices.Equal(og.ConcreteFunctions, toStrings(f["concrete_function_names"])) {
		t.Errorf("concrete functions %q, want %v", og.ConcreteFunctions, f["concrete_function_names"])
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
