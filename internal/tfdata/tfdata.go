package tfdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Env names the environment variable that overrides the default location.
const Env = "GOTL_TFDATA"

// Find returns the tfdata directory: $GOTL_TFDATA when set, else
// ../shared/tfdata beside the nearest go.mod above the working directory.
// When the directory is not there, dir is "" and why says what was looked
// for and how to point at the files.
func Find() (dir, why string) {
	if d := os.Getenv(Env); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Sprintf("%s=%s is not readable (%v)", Env, d, err)
		}
		return d, ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Sprintf("no working directory (%v): cannot locate ../shared/tfdata (set %s)", err, Env)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			td := filepath.Join(d, "..", "shared", "tfdata")
			if _, err := os.Stat(td); err != nil {
				return "", fmt.Sprintf("TensorFlow test files not found at %s (set %s to their directory)", td, Env)
			}
			return td, ""
		}
		if filepath.Dir(d) == d {
			return "", fmt.Sprintf("no go.mod above the test directory: cannot locate ../shared/tfdata (set %s)", Env)
		}
	}
}

// Dir returns the tfdata directory, or skips the test saying why it is
// absent.
func Dir(t testing.TB) string {
	t.Helper()
	d, why := Find()
	if d == "" {
		t.Skip(why + ": skipping tests against real TensorFlow files")
	}
	return d
}

// Path joins elem under Dir and skips the test when that file or directory
// is missing.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("TensorFlow test file %s not found (set %s to the shared tfdata directory): %v", p, Env, err)
	}
	return p
}

// Optional returns the path of elem under the tfdata directory, or "" when
// the directory or the file is absent.
func Optional(elem ...string) string {
	d, _ := Find()
	if d == "" {
		return ""
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Glob returns the paths under the tfdata directory matching any of the
// patterns (see [filepath.Match]), in pattern order; none when the
// directory is absent.
func Glob(patterns ...string) []string {
	d, _ := Find()
	if d == "" {
		return nil
	}
	var out []string
	for _, pat := range patterns {
		m, _ := filepath.Glob(filepath.Join(d, pat))
		out = append(out, m...)
	}
	return out
}
