package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/compute"
)

func TestBenchJSON(t *testing.T) {
	for _, train := range []bool{false, true} {
		args := []string{"bench", "--model", "tinynet", "--batch", "2", "--iters", "2", "--json"}
		if train {
			args = append(args, "--train")
		}
		code, out, errOut := runGotl(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %q", err, out)
		}
		for _, k := range []string{"model", "batch", "train", "seconds_per_image", "images_per_second", "effective_gflops", "peak_rss_mb", "path"} {
			if _, ok := r[k]; !ok {
				t.Errorf("field %q missing: %s", k, out)
			}
		}
		if r["model"] != "tinynet" || r["batch"] != 2.0 || r["train"] != train || r["path"] != compute.FastPath().Path {
			t.Errorf("fields: %s", out)
		}
		if s, _ := r["seconds_per_image"].(float64); s <= 0 {
			t.Errorf("seconds_per_image %v", r["seconds_per_image"])
		}
		if g, _ := r["effective_gflops"].(float64); g <= 0 {
			t.Errorf("effective_gflops %v", r["effective_gflops"])
		}
	}
}

func TestBenchUsage(t *testing.T) {
	code, _, errOut := runGotl(t, "bench", "--model", "resnet")
	if code != 2 || !strings.Contains(errOut, "inception_v3") {
		t.Errorf("unknown model: exit %d, %q", code, errOut)
	}
	code, _, errOut = runGotl(t, "bench", "--batch", "0")
	if code != 2 {
		t.Errorf("--batch 0: exit %d, %q", code, errOut)
	}
}

// gotl bench --outputs / --reference: scripts/gpu_run.sh's check of XLA on a
// GPU against outputs computed on the CPU by scripts/gpu_build.sh.
func TestBenchReference(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.json")
	base := []string{"bench", "--model", "mobilenet_v1_0.25_128", "--batch", "2", "--iters", "1"}
	if code, _, errOut := runGotl(t, append(base, "--outputs", ref)...); code != 0 {
		t.Fatalf("--outputs: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	var o benchOutputs
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Tensors) != 2 || o.Tensors[0].Name != "MobilenetV1/Predictions/Softmax:0" || o.Tensors[1].Name != "MobilenetV1/Logits/SpatialSqueeze:0" {
		t.Fatalf("tensors: %+v", o.Tensors)
	}
	for _, tt := range o.Tensors {
		if !slices.Equal(tt.Shape, []int64{2, 1001}) || len(tt.Values) != 2002 {
			t.Errorf("%s: shape %v, %d values", tt.Name, tt.Shape, len(tt.Values))
		}
	}

	check := func(refPath string) (int, benchResult, string) {
		code, out, errOut := runGotl(t, append(base, "--reference", refPath, "--json")...)
		var r benchResult
		if out != "" {
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v: %q", err, out)
			}
		}
		return code, r, errOut
	}
	// The same backend computes the same values.
	code, r, errOut := check(ref)
	if code != 0 || r.Check == nil || !r.Check.OK || len(r.Check.Tensors) != 2 {
		t.Fatalf("same backend: exit %d, check %+v, %s", code, r.Check, errOut)
	}
	for _, tc := range r.Check.Tensors {
		if tc.MaxAbsDiff != 0 || tc.RelL2Diff != 0 || tc.MaxAbsRef <= 0 || tc.ArgmaxAgree != 1 {
			t.Errorf("same backend: %+v", tc)
		}
	}

	// One logit moved by 1 (to the top of its row): reported, and the exit status says so.
	o.Tensors[1].Values[7] += 1
	moved := filepath.Join(dir, "moved.json")
	writeJSONFile(t, moved, o)
	code, r, errOut = check(moved)
	if code != 1 || r.Check == nil || r.Check.OK || !strings.Contains(errOut, "moved.json") {
		t.Fatalf("moved logit: exit %d, check %+v, %s", code, r.Check, errOut)
	}
	if d := r.Check.Tensors[1].MaxAbsDiff; math.Abs(d-1) > 1e-6 || r.Check.Tensors[0].MaxAbsDiff != 0 || r.Check.Tensors[1].ArgmaxAgree != 0.5 {
		t.Errorf("moved logit: %+v", r.Check.Tensors)
	}

	// A reference of another batch or a file that is not one are errors naming the file.
	o.Batch = 3
	other := filepath.Join(dir, "batch3.json")
	writeJSONFile(t, other, o)
	if code, _, errOut := check(other); code != 1 || !strings.Contains(errOut, "batch3.json") || !strings.Contains(errOut, "batch 3") {
		t.Errorf("other batch: exit %d, %s", code, errOut)
	}
	junk := filepath.Join(dir, "junk.json")
	os.WriteFile(junk, []byte("not json"), 0o644)
	if code, _, errOut := check(junk); code != 1 || !strings.Contains(errOut, "junk.json") {
		t.Errorf("junk: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runGotl(t, "bench", "--model", "tinynet", "--train", "--outputs", ref); code != 2 {
		t.Errorf("--train --outputs: exit %d, %s", code, errOut)
	}
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
