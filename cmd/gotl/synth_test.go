package main

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/zoo"
)

func TestSynthWritesTheChosenClasses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "imgs")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"synth", "--out", out, "--per_class", "5", "--size", "24"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := dataset.LoadFolder(out, dataset.DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range zoo.TinyNetTargetClasses {
		want = append(want, dataset.LabelName(c))
	}
	sort.Strings(want) // classes are in sorted folder order, as retrain.py has them
	if got := f.Labels(); strings.Join(got, ",") != strings.Join(want, ",") || len(f.Images) != 5*len(want) {
		t.Errorf("labels %v with %d images; want %v with %d", got, len(f.Images), want, 5*len(want))
	}
	// A second run refuses to overwrite.
	if code := runMain([]string{"synth", "--out", out}, &stdout, &stderr); code == 0 {
		t.Error("synth overwrote a non-empty directory")
	}
	if code := runMain([]string{"synth", "--out", filepath.Join(t.TempDir(), "x"), "--classes", "red_disc,unicorn"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "unicorn") {
		t.Errorf("unknown class: exit %d, stderr %q", code, stderr.String())
	}
}
