package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestUnknownCommandFailsWithList(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runMain([]string{"no-such-command"}, &out, &errOut); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), `unknown command "no-such-command"`) {
		t.Errorf("stderr %q does not name the unknown command", errOut.String())
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runMain([]string{"help"}, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	for _, n := range commandNames() {
		if !strings.Contains(out.String(), n) {
			t.Errorf("help output lacks command %q", n)
		}
	}
}
