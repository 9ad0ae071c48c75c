package nbrun

import (
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// executed is a notebook as nbconvert writes it: sources and stream texts
// as line lists, a compile error from a -raw_error=true kernel, an expected
// error in a tagged cell, and a PNG output.
var executed = `{
 "metadata": {"kernelspec": {"name": "gotl", "display_name": "Go (gotl)", "language": "go"}},
 "nbformat": 4, "nbformat_minor": 5,
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "import \"github.com/gotl/gotl/plots\" in prose does not count"]},
  {"cell_type": "code", "metadata": {"execution": {"iopub.execute_input": "2026-11-27T11:50:01.250000Z", "shell.execute_reply": "2026-11-27T11:50:03.000000Z"}},
   "source": ["%%\n", "fmt.Println(\"hi\")"],
   "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]},
  {"cell_type": "code", "metadata": {}, "source": "%%\nfmt.Println(undefinedThing)",
   "outputs": [{"output_type": "error", "ename": "ERROR", "evalue": "# gonb_2c4\n./main.go:22:13: undefined: undefinedThing\n",
     "traceback": ["# gonb_2c4", "Cell[15]: Line 2\n\n\u001b[31mundefined: undefinedThing\u001b[0m", ""]}]},
  {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": "%%\npanic(\"expected\")",
   "outputs": [{"output_type": "error", "ename": "ERROR", "evalue": "exit status 2", "traceback": []}]},
  {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": "%%\nfmt.Println(\"fine\")", "outputs": []},
  {"cell_type": "code", "metadata": {}, "source": "%%\nshow()",
   "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": "PNG_BASE64", "text/plain": ["<image>"]}}]}
 ]
}`

func parseExecuted(t *testing.T, png []byte) *Notebook {
	t.Helper()
	src := strings.Replace(executed, "PNG_BASE64", base64.StdEncoding.EncodeToString(png), 1)
	nb, err := Parse([]byte(src), "executed.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

func TestProblems(t *testing.T) {
	nb := parseExecuted(t, []byte("\x89PNG\r\n\x1a\nrest"))
	ps := nb.Problems()
	if len(ps) != 2 {
		t.Fatalf("Problems() = %v, want the compile error and the tagged cell without error", ps)
	}
	if ps[0].Cell != 2 || !strings.Contains(ps[0].Text, "undefined: undefinedThing") ||
		!strings.Contains(ps[0].Source, "%%") || strings.Contains(ps[0].Text, "\x1b") {
		t.Errorf("first problem = %+v, want cell 2's compile error without ANSI codes", ps[0])
	}
	if !strings.Contains(ps[0].String(), "cell 2 (%%): ERROR: # gonb_2c4") {
		t.Errorf("String() = %q", ps[0].String())
	}
	if ps[1].Cell != 4 || !strings.Contains(ps[1].Text, "raised no error") {
		t.Errorf("second problem = %+v, want cell 4 tagged raises-exception without an error", ps[1])
	}
	if nb.Metadata.KernelSpec.Name != "gotl" || nb.Stdout() != "hi\n" {
		t.Errorf("kernelspec %q, stdout %q", nb.Metadata.KernelSpec.Name, nb.Stdout())
	}
}

func TestImages(t *testing.T) {
	if n := parseExecuted(t, []byte("\x89PNG\r\n\x1a\nrest")).Images(); n != 1 {
		t.Errorf("Images() = %d with a PNG output, want 1", n)
	}
	if n := parseExecuted(t, []byte("GIF89a")).Images(); n != 0 {
		t.Errorf("Images() = %d when image/png holds no PNG, want 0", n)
	}
	for _, c := range []struct {
		data map[string]Text
		want bool
	}{
		{map[string]Text{"image/svg+xml": `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`}, true},
		{map[string]Text{"text/html": `<div><SVG viewBox="0 0 1 1"></svg></div>`}, true},
		{map[string]Text{"text/html": `<img src="data:image/png;base64,AAAA">`}, true},
		{map[string]Text{"text/html": `<progress value="3" max="5"></progress>`}, false},
		{map[string]Text{"text/plain": "<svg>"}, false},
	} {
		if got := IsImage(c.data); got != c.want {
			t.Errorf("IsImage(%v) = %v, want %v", c.data, got, c.want)
		}
	}
}

func TestExpectsImage(t *testing.T) {
	nb := parseExecuted(t, nil)
	if nb.ExpectsImage() {
		t.Error("ExpectsImage() true though plots is only named in a markdown cell")
	}
	nb.Cells[1].Source = "import \"github.com/gotl/gotl/plots\"\n%%\nplots.Lines()"
	if !nb.ExpectsImage() {
		t.Error("ExpectsImage() false though a code cell imports plots")
	}
	no := false
	nb.Metadata.Gotl.ExpectsImage = &no
	if nb.ExpectsImage() {
		t.Error("metadata gotl.expects_image=false did not override the import rule")
	}
	withMeta, err := Parse([]byte(`{"metadata":{"gotl":{"expects_image":true}},"cells":[]}`), "m.ipynb")
	if err != nil || !withMeta.ExpectsImage() {
		t.Errorf("metadata gotl.expects_image=true: ExpectsImage() false (err %v)", err)
	}
}

func TestParseRejectsNonNotebook(t *testing.T) {
	if _, err := Parse([]byte("not json"), "bad.ipynb"); err == nil || !strings.Contains(err.Error(), "bad.ipynb") {
		t.Errorf("Parse error = %v, want one naming bad.ipynb", err)
	}
}

func TestProcessesWithEnv(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc on this system")
	}
	marker := "NBRUN_TEST_MARKER=" + time.Now().Format(time.RFC3339Nano)
	cmd := exec.Command("sleep", "30")
	cmd.Env = append(os.Environ(), marker)
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start sleep:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var pids []int
	for i := 0; i < 50 && len(pids) == 0; i++ {
		pids = ProcessesWithEnv(marker)
		time.Sleep(20 * time.Millisecond)
	}
	if len(pids) != 1 || pids[0] != cmd.Process.Pid {
		t.Errorf("ProcessesWithEnv = %v, want [%d]", pids, cmd.Process.Pid)
	}
	if others := ProcessesWithEnv(marker + "x"); len(others) != 0 {
		t.Errorf("a different marker matched %v", others)
	}
}

func TestCellDuration(t *testing.T) {
	nb := parseExecuted(t, nil)
	if d, ok := nb.Cells[1].Duration(); !ok || d != 1750*time.Millisecond {
		t.Errorf("Duration() = %v, %v; want 1.75s", d, ok)
	}
	if _, ok := nb.Cells[2].Duration(); ok {
		t.Error("Duration() of a cell without timestamps reported one")
	}
}
