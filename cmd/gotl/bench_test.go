package main

import (
	"encoding/json"
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
