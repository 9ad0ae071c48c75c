// Package nbrun reads executed Jupyter notebooks (.ipynb, nbformat 4) and
// judges them the way gotl's notebook tests do: every error output is a
// failure, and a notebook that plots must show at least one image.
//
// It also finds the processes a test run started, so that a run that timed
// out does not leave GoNB kernels and gopls servers behind.
package nbrun

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Notebook is the part of an .ipynb file the tests read.
type Notebook struct {
	Metadata Metadata `json:"metadata"`
	Cells    []Cell   `json:"cells"`
}

// Metadata is the notebook-level metadata.
type Metadata struct {
	KernelSpec struct {
		Name string `json:"name"`
	} `json:"kernelspec"`
	// Gotl holds gotl's own settings for a notebook.
	Gotl struct {
		// ExpectsImage overrides the default rule of ExpectsImage.
		ExpectsImage *bool `json:"expects_image"`
	} `json:"gotl"`
}

// Cell is one notebook cell.
type Cell struct {
	Type     string `json:"cell_type"`
	Source   Text   `json:"source"`
	Metadata struct {
		Tags []string `json:"tags"`
		// Execution holds the timestamps nbclient records when it runs
		// the cell, e.g. "iopub.execute_input" and "shell.execute_reply".
		Execution map[string]string `json:"execution"`
	} `json:"metadata"`
	Outputs []Output `json:"outputs"`
}

// Duration returns how long the cell ran, from nbclient's timestamps (the
// execute_input message to the execute_reply), or false if they are absent.
func (c Cell) Duration() (time.Duration, bool) {
	start, err1 := time.Parse(time.RFC3339Nano, c.Metadata.Execution["iopub.execute_input"])
	end, err2 := time.Parse(time.RFC3339Nano, c.Metadata.Execution["shell.execute_reply"])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return end.Sub(start), true
}

// Output is one output of a code cell.
type Output struct {
	Type      string          `json:"output_type"` // stream, display_data, update_display_data, execute_result, error
	Name      string          `json:"name"`        // stdout or stderr, for streams
	Text      Text            `json:"text"`
	Data      map[string]Text `json:"data"`
	EName     string          `json:"ename"`
	EValue    string          `json:"evalue"`
	Traceback []string        `json:"traceback"`
}

// Text is a notebook string, stored either as one string or as a list of
// lines to be concatenated.
type Text string

// UnmarshalJSON accepts a string or a list of strings; any other JSON value
// (e.g. a JSON MIME bundle such as application/json) is kept as raw JSON.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err == nil {
		*t = Text(strings.Join(lines, ""))
		return nil
	}
	*t = Text(b)
	return nil
}

// Read parses the notebook at path.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b, path)
}

// Parse parses notebook JSON; name is used in errors.
func Parse(b []byte, name string) (*Notebook, error) {
	var nb Notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("nbrun: %s is not a notebook: %v", name, err)
	}
	return &nb, nil
}

// PlotsImport is the import that marks a notebook as one that plots.
const PlotsImport = `"github.com/gotl/gotl/plots"`

// ExpectsImage reports whether the notebook must show an image: when its
// metadata says so ("gotl": {"expects_image": true/false}), else when any
// code cell imports github.com/gotl/gotl/plots.
func (nb *Notebook) ExpectsImage() bool {
	if v := nb.Metadata.Gotl.ExpectsImage; v != nil {
		return *v
	}
	for _, c := range nb.Cells {
		if c.Type == "code" && strings.Contains(string(c.Source), PlotsImport) {
			return true
		}
	}
	return false
}

// RaisesException is the cell tag nbclient uses for cells whose error is
// expected; the tests honour it too.
const RaisesException = "raises-exception"

func (c Cell) expectsError() bool {
	for _, t := range c.Metadata.Tags {
		if t == RaisesException {
			return true
		}
	}
	return false
}

// Problem is an error output (or a missing expected one) in a cell.
type Problem struct {
	Cell   int    // 0-based index among all cells
	Source string // first line of the cell, to recognise it
	Text   string // the error text
}

func (p Problem) String() string {
	return fmt.Sprintf("cell %d (%s): %s", p.Cell, p.Source, p.Text)
}

// Problems returns the error outputs of the notebook's cells, except in
// cells tagged raises-exception, which must have one instead.
func (nb *Notebook) Problems() []Problem {
	var ps []Problem
	for i, c := range nb.Cells {
		if c.Type != "code" {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(string(c.Source)), "\n")
		if len(first) > 60 {
			first = first[:60] + "…"
		}
		var errs []string
		for _, o := range c.Outputs {
			if o.Type == "error" {
				errs = append(errs, errorText(o))
			}
		}
		switch {
		case c.expectsError() && len(errs) == 0:
			ps = append(ps, Problem{i, first, "tagged " + RaisesException + " but raised no error"})
		case !c.expectsError():
			for _, e := range errs {
				ps = append(ps, Problem{i, first, e})
			}
		}
	}
	return ps
}

// errorText renders an error output with its traceback, ANSI colours removed.
func errorText(o Output) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", o.EName, strings.TrimSpace(o.EValue))
	for _, l := range o.Traceback {
		l = stripANSI(l)
		if strings.TrimSpace(l) == "" || strings.Contains(o.EValue, l) {
			continue
		}
		b.WriteString("\n    " + strings.ReplaceAll(l, "\n", "\n    "))
	}
	return b.String()
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < '@' || s[j] > '~') {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Images counts the image outputs: a decodable image/png, an
// image/svg+xml, or text/html with an <svg or <img element (GoNB's own SVG
// display sends HTML).
func (nb *Notebook) Images() int {
	n := 0
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.Type != "display_data" && o.Type != "execute_result" && o.Type != "update_display_data" {
				continue
			}
			if IsImage(o.Data) {
				n++
			}
		}
	}
	return n
}

// IsImage reports whether a MIME bundle holds an image.
func IsImage(data map[string]Text) bool {
	if p, ok := data["image/png"]; ok {
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(p)), ""))
		if err == nil && bytes.HasPrefix(raw, pngSignature) {
			return true
		}
	}
	if s, ok := data["image/svg+xml"]; ok && strings.Contains(string(s), "<svg") {
		return true
	}
	if h, ok := data["text/html"]; ok {
		lower := strings.ToLower(string(h))
		if strings.Contains(lower, "<svg") || strings.Contains(lower, "<img") {
			return true
		}
	}
	return false
}

// Stdout returns everything the notebook printed on stdout.
func (nb *Notebook) Stdout() string {
	var b strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.Type == "stream" && o.Name == "stdout" {
				b.WriteString(string(o.Text))
			}
		}
	}
	return b.String()
}

// ProcessesWithEnv returns the ids of the processes (other than this one)
// whose environment contains the exact entry kv, read from /proc. Tests set
// a unique entry for the Jupyter processes they start; kernels inherit it,
// and so do the gopls servers they start, even after their parent died.
// On systems without /proc it returns nothing.
func ProcessesWithEnv(kv string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := []byte(kv)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, entry := range bytes.Split(env, []byte{0}) {
			if bytes.Equal(entry, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
