package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
)

// splitCounts returns how many validation and test images retrain.py's
// split puts in a folder.
func splitCounts(t *testing.T, dir string) (validation, test int) {
	t.Helper()
	f, err := dataset.LoadFolder(dir, dataset.DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	return len(f.Split(dataset.Validation)), len(f.Split(dataset.Testing))
}

// gotl retrain's log, when not on a terminal, is a bounded number of lines
// however many steps run (4,000 steps used to print 1,203), at retrain.py's
// steps and in its words, and every accuracy says what it was measured on:
// 100 validation draws come from the folder's few validation images.
func TestRetrainLogIsBoundedWithTrueN(t *testing.T) {
	images, graph := retrainFixture(t)
	nVal, nTest := splitCounts(t, images)
	if nVal == 0 || nTest == 0 || nVal >= 100 {
		t.Fatalf("fixture split: %d validation, %d test images", nVal, nTest)
	}
	out := t.TempDir()
	base := []string{"retrain", "--graph", graph, "--input_tensor", "input:0", "--bottleneck_tensor", "pool/Mean:0",
		"--input_mean", "127.5", "--input_std", "127.5", "--image_dir", images, "--bottleneck_dir", filepath.Join(out, "bn"),
		"--output_graph", filepath.Join(out, "g.pb"), "--output_labels", filepath.Join(out, "l.txt"),
		"--how_many_training_steps", "4000", "--train_batch_size", "10"}
	stdout, stderr, code := run(t, base...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	// A note on the thinning, 11 evaluations of three lines, the test
	// accuracy and the files written.
	if len(lines) != 1+11*3+2 {
		t.Errorf("%d lines for 4,000 steps, want 36:\n%s", len(lines), stdout)
	}
	val := regexp.MustCompile(`(?m)^Step (\d+): Validation accuracy = [\d.]+% \((.*)\)$`).FindAllStringSubmatch(stdout, -1)
	var steps []string
	for _, m := range val {
		steps = append(steps, m[1])
		if want := fmt.Sprintf("N=100 draws from %d images", nVal); m[2] != want {
			t.Errorf("validation line says %q, want %q", m[2], want)
		}
	}
	// retrain.py's 0-based step numbers: every 400th evaluation step and the last.
	if got := strings.Join(steps, ","); got != "0,400,800,1200,1600,2000,2400,2800,3200,3600,3999" {
		t.Errorf("logged steps %s", got)
	}
	if !strings.Contains(stdout, "Final test accuracy = ") ||
		!strings.Contains(stdout, fmt.Sprintf("%% (N=%d)\n", nTest)) {
		t.Errorf("test accuracy line lacks N=%d:\n%s", nTest, stdout)
	}

	// --log_evaluations -1 logs every evaluation, as retrain.py.
	stdout, stderr, code = run(t, append(base, "--how_many_training_steps", "300", "--log_evaluations", "-1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stdout, "Validation accuracy"); n != 31 {
		t.Errorf("--log_evaluations -1: %d evaluations logged, want 31", n)
	}

	// --json counts the same, and a test batch drawn from the test images
	// says so.
	stdout, stderr, code = run(t, append(base, "--how_many_training_steps", "20", "--test_batch_size", "50", "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s retrainSummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.ValidationCount != 100 || s.ValidationImages != nVal || s.TestCount != 50 || s.TestImages != nTest {
		t.Errorf("--json counts: validation %d of %d images, test %d of %d; want 100 of %d, 50 of %d",
			s.ValidationCount, s.ValidationImages, s.TestCount, s.TestImages, nVal, nTest)
	}
	if want := fmt.Sprintf("(N=50 draws from %d images)", nTest); !strings.Contains(stderr, want) {
		t.Errorf("test line lacks %q:\n%s", want, stderr)
	}
}

func TestSampledString(t *testing.T) {
	for _, c := range []struct {
		s    sampled
		want string
	}{
		{retrainSample(100, 20), "N=100 draws from 20 images"},
		{retrainSample(-1, 20), "N=20"},
		{sampled{count: 5, images: 20}, "N=5 of 20 images"},
		{sampled{count: 20, images: 20}, "N=20"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}
