package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"install", "--tools_only", "--check"},
		{"install", "extra"},
		{"install", "--no_such_flag"},
		{"notebook", "extra"},
	} {
		var out, errOut bytes.Buffer
		if code := runMain(args, &out, &errOut); code != 2 {
			t.Errorf("gotl %s: exit code %d, want 2 (stderr %q)", strings.Join(args, " "), code, errOut.String())
		}
	}
}

// TestInstallCheckOutsideCheckout runs "gotl install --check" from a
// directory that is not a gotl checkout: it must say so, not guess.
func TestInstallCheckOutsideCheckout(t *testing.T) {
	wd, _ := os.Getwd()
	dir := t.TempDir()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errOut bytes.Buffer
	code := runMain([]string{"install", "--check", "--data_dir", filepath.Join(dir, "jd")}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "not inside a checkout of github.com/gotl/gotl") ||
		!strings.Contains(errOut.String(), "--repo") {
		t.Errorf("exit %d, stderr %q: want status 1 and a message naming the checkout and --repo", code, errOut.String())
	}
}
