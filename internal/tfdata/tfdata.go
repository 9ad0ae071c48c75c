// Package tfdata locates the shared TensorFlow test files
// (../shared/tfdata next to the repository root, or $GOTL_TFDATA) for tests.
package tfdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the tfdata directory, or skips the test with a clear message
// when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("GOTL_TFDATA"); d != "" {
		if _, err := os.Stat(d); err != nil {
			t.Skipf("GOTL_TFDATA=%s is not readable (%v): skipping tests against real TensorFlow files", d, err)
		}
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Skipf("no working directory: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "tfdata")
			if _, err := os.Stat(d); err != nil {
				t.Skipf("TensorFlow test files not found at %s (set GOTL_TFDATA): skipping tests against real TensorFlow files", d)
			}
			return d
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the test directory: cannot locate ../shared/tfdata (set GOTL_TFDATA)")
		}
	}
}

// Path joins elements under Dir and skips if the file is missing.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("TensorFlow test file %s missing: %v", p, err)
	}
	return p
}
