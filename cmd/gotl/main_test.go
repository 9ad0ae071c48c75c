package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/gotl/gotl/internal/memtest"
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

// A GOTL_MAX_… value that cannot be used is named once: as a warning before
// any command's output, but only beside its variable in gotl limits. The
// environment is read once per process, so each case runs in a child.
func TestBadLimitValueNamedOnce(t *testing.T) {
	const env = "GOTL_MAX_STEPS=lots"
	memtest.Run(t,
		memtest.Case{Name: "limits", Env: []string{env}, Exit: 0, Stderr: `^$`,
			Run: func(stdout, stderr io.Writer) int {
				var out bytes.Buffer
				code := runMain([]string{"limits"}, &out, stderr)
				io.WriteString(stdout, out.String())
				if !strings.Contains(out.String(), "\n  ! GOTL_MAX_STEPS=\"lots\" ignored: ") {
					io.WriteString(stderr, "gotl limits does not name the ignored value\n")
				}
				return code
			}},
		memtest.Case{Name: "other command", Env: []string{env}, Exit: 2,
			Stderr: `^gotl: warning: GOTL_MAX_STEPS="lots" ignored: [^\n]*\ngotl inspect: [^\n]*\n$`,
			Run:    func(stdout, stderr io.Writer) int { return runMain([]string{"inspect"}, stdout, stderr) }},
	)
}
