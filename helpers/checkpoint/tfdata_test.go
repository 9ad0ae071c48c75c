package checkpoint_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/tfdata"
)

// ckptFact is the part of expected.json's checkpoint facts the tests use.
type ckptFact struct {
	Kind      string `json:"kind"`
	Variables map[string]struct {
		DType string  `json:"dtype"`
		Shape []int64 `json:"shape"`
	} `json:"variables"`
	Details map[string]struct {
		NumElements int64             `json:"num_elements"`
		Values      []json.RawMessage `json:"values"`
		SumFsum     *float64          `json:"sum_fsum"`
		Trackable   *struct {
			Nodes      int `json:"nodes"`
			Attributes []struct {
				CheckpointKey string `json:"checkpoint_key"`
			} `json:"attributes"`
		} `json:"trackable_object_graph"`
	} `json:"details"`
	IndexTable *struct {
		SnappyBlocks int `json:"snappy_blocks"`
	} `json:"index_table"`
	ModelCheckpointPath string   `json:"model_checkpoint_path"`
	AllPaths            []string `json:"all_model_checkpoint_paths"`
}

type factSet struct {
	dir  string
	key  string
	fact ckptFact
}

// checkpointFacts loads every checkpoint fact of every tfdata set.
func checkpointFacts(t *testing.T) []factSet {
	root := tfdata.Dir(t)
	files, _ := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	if len(files) == 0 {
		t.Skipf("no expected.json under %s", root)
	}
	var out []factSet
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Facts map[string]json.RawMessage `json:"facts"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, raw := range doc.Facts {
			var fact ckptFact
			if json.Unmarshal(raw, &fact) != nil || !strings.HasPrefix(fact.Kind, "checkpoint") {
				continue
			}
			out = append(out, factSet{dir: filepath.Dir(f), key: k, fact: fact})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dir+out[i].key < out[j].dir+out[j].key })
	return out
}

// TestRealCheckpoints opens every checkpoint TensorFlow wrote in tfdata and
// compares the variable map and values with expected.json.
func TestRealCheckpoints(t *testing.T) {
	n := 0
	for _, fs := range checkpointFacts(t) {
		f := fs.fact
		path := filepath.Join(fs.dir, fs.key)
		if f.Kind == "checkpoint_state_text" {
			s, err := checkpoint.ReadState(filepath.Dir(path))
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if s.ModelCheckpointPath != f.ModelCheckpointPath || !reflect.DeepEqual(s.AllModelCheckpointPaths, f.AllPaths) {
				t.Errorf("%s: state %+v, want %q %q", path, s, f.ModelCheckpointPath, f.AllPaths)
			}
			// Opening the directory follows the state file.
			r, err := checkpoint.Open(filepath.Dir(path))
			if err != nil {
				t.Errorf("Open(dir %s): %v", filepath.Dir(path), err)
				continue
			}
			if want := filepath.Join(filepath.Dir(path), f.ModelCheckpointPath); r.Path() != want {
				t.Errorf("Open(dir) resolved to %s, want %s", r.Path(), want)
			}
			r.Close()
			// So does opening the state file itself.
			r, err = checkpoint.Open(path)
			if err != nil || r.Path() != filepath.Join(filepath.Dir(path), f.ModelCheckpointPath) {
				t.Errorf("Open(state file %s): %v", path, err)
			} else {
				r.Close()
			}
			continue
		}
		n++
		t.Run(filepath.Base(fs.dir)+"/"+fs.key, func(t *testing.T) {
			r, err := checkpoint.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			wantFormat := map[string]string{"checkpoint_v1": "v1", "checkpoint_v2": "v2"}[f.Kind]
			if r.Format() != wantFormat {
				t.Errorf("format %s, want %s", r.Format(), wantFormat)
			}
			shapes, dtypes := r.VariableToShapeMap(), r.VariableToDTypeMap()
			if len(shapes) != len(f.Variables) {
				t.Errorf("%d variables, want %d: %v", len(shapes), len(f.Variables), r.Names())
			}
			for name, want := range f.Variables {
				if dtypes[name].String() != want.DType {
					t.Errorf("%s: dtype %v, want %s", name, dtypes[name], want.DType)
				}
				if !reflect.DeepEqual(shapes[name], want.Shape) && !(len(shapes[name]) == 0 && len(want.Shape) == 0) {
					t.Errorf("%s: shape %v, want %v", name, shapes[name], want.Shape)
				}
			}
			if !sort.StringsAreSorted(r.Names()) {
				t.Error("Names not sorted")
			}
			for name, d := range f.Details {
				tt, err := r.Tensor(name)
				if err != nil {
					t.Errorf("Tensor(%s): %v", name, err)
					continue
				}
				if tt.NumElements() != d.NumElements {
					t.Errorf("%s: %d elements, want %d", name, tt.NumElements(), d.NumElements)
				}
				if tt.DType == tensor.String {
					checkStrings(t, name, tt, d.Values)
					continue
				}
				got, err := tt.Float64s()
				if err != nil {
					t.Fatal(err)
				}
				for i, raw := range d.Values {
					var want float64
					if err := json.Unmarshal(raw, &want); err != nil {
						t.Fatalf("%s: value %d: %v", name, i, err)
					}
					if float32(got[i]) != float32(want) {
						t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want)
					}
				}
				if d.SumFsum != nil {
					var s float64
					for _, x := range got {
						s += x
					}
					if math.Abs(s-*d.SumFsum) > 1e-6*math.Max(1, math.Abs(*d.SumFsum)) {
						t.Errorf("%s: sum %v, want %v", name, s, *d.SumFsum)
					}
				}
			}
		})
	}
	if n < 4 {
		t.Errorf("only %d checkpoints found in the tfdata facts, want at least 4", n)
	}
}

func checkStrings(t *testing.T, name string, tt *tensor.Tensor, values []json.RawMessage) {
	t.Helper()
	for i, raw := range values {
		var want struct {
			Len       int    `json:"len"`
			HexPrefix string `json:"hex_prefix"`
			SHA256    string `json:"sha256"`
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("%s: value %d: %v", name, i, err)
		}
		s := tt.Strings[i]
		sum := sha256.Sum256(s)
		if len(s) != want.Len || !strings.HasPrefix(hex.EncodeToString(s), want.HexPrefix) || hex.EncodeToString(sum[:]) != want.SHA256 {
			t.Errorf("%s[%d]: %d bytes sha256 %x, want %d bytes sha256 %s", name, i, len(s), sum, want.Len, want.SHA256)
		}
	}
}
