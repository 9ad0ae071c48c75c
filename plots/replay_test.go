package plots

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// newTestReplay has two parameters; path "a" depends on both, path "b"
// only on the first.
func newTestReplay(t *testing.T) *Replay {
	t.Helper()
	r, err := NewReplay("Rosenbrock", rosenbrock, Range{-2, 2}, Range{-1, 3},
		ReplayParam{Name: "learning rate", Values: []float64{0.001, 0.01}, Start: 1},
		ReplayParam{Name: "momentum", Values: []float64{0, 0.9}, Start: 0})
	if err != nil {
		t.Fatal(err)
	}
	r.SetColumns("loss")
	for i, lr := range []float64{0.001, 0.01} {
		for j, mu := range []float64{0, 0.9} {
			pts := descend(-1.5, 2, lr/10, mu, 30)
			if err := r.Add("a", []int{i, j}, pts, lossCells(pts)); err != nil {
				t.Fatal(err)
			}
		}
		pts := descend(1.5, -0.5, lr/10, 0, 20+i) // stops early
		if err := r.Add("b", []int{i, -1}, pts, lossCells(pts)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func lossCells(pts [][2]float64) [][]string {
	var cells [][]string
	for _, p := range pts {
		cells = append(cells, []string{formatValue(rosenbrock(p[0], p[1]))})
	}
	return cells
}

func TestReplayHTML(t *testing.T) {
	r := newTestReplay(t)
	if r.Steps() != 29 {
		t.Errorf("Steps() = %d, want 29 (the longest run has 30 points)", r.Steps())
	}
	h, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`class="gotl-replay"`, `data-act="step"`, `data-param="0"`, `data-param="1"`,
		"step 0 of 29 · learning rate 0.01 · momentum 0", `<th style="text-align:right">loss</th>`, "data:image/png;base64,"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Without JavaScript the start is drawn: one ring per path.
	if n := strings.Count(h, `r="6"`); n != 2 {
		t.Errorf("%d start markers, want 2", n)
	}
	// Controls are disabled until the script enables them.
	if strings.Count(h, " disabled") != 5+1+2 {
		t.Errorf("want 5 buttons and 3 sliders disabled in the static HTML")
	}
	if dir := os.Getenv("PLOTS_PREVIEW"); dir != "" {
		page := "<!doctype html><meta charset=utf-8><title>replay</title><body>" + h
		if err := os.WriteFile(filepath.Join(dir, "replay.html"), []byte(page), 0o644); err != nil {
			t.Error(err)
		}
	}
	data := decodeReplayData(t, h)
	if data.Steps != 29 || len(data.Paths) != 2 || len(data.Params) != 2 {
		t.Fatalf("data: %d steps, %d paths, %d params", data.Steps, len(data.Paths), len(data.Params))
	}
	// The page's script aligns the live table by the same rule as the
	// static one: name and position as text, the loss as a number.
	if want := []bool{false, false, true}; !slices.Equal(data.Numeric, want) {
		t.Errorf("numeric columns %v, want %v", data.Numeric, want)
	}
	a, b := data.Paths[0], data.Paths[1]
	if a.Name != "a" || len(a.Runs) != 4 || b.Name != "b" || len(b.Runs) != 2 {
		t.Errorf("paths %q (%d runs), %q (%d runs); want a with 4, b with 2", a.Name, len(a.Runs), b.Name, len(b.Runs))
	}
	if a.Colour != cssColor(Palette[0]) || b.Colour != cssColor(Palette[1]) {
		t.Errorf("colours %s, %s; want the palette's first two", a.Colour, b.Colour)
	}
	if got := b.Runs[1].At; len(got) != 2 || got[0] != 1 || got[1] != -1 {
		t.Errorf("b's second run is at %v, want [1 -1]", got)
	}
	if len(a.Runs[0].Points) != 60 || len(a.Runs[0].Cells) != 30 {
		t.Errorf("a's first run: %d coordinates and %d rows, want 60 and 30", len(a.Runs[0].Points), len(a.Runs[0].Cells))
	}
	// The data area is inside the image and maps the ranges' corners onto it.
	x0, y0 := toPixel(data, [2]float64{-2, 3})
	x1, y1 := toPixel(data, [2]float64{2, -1})
	if !(0 < x0 && x0 < x1 && 0 < y0 && y0 < y1 && x1 < 640 && y1 < 480) {
		t.Errorf("data area corners (%.0f, %.0f)–(%.0f, %.0f) not inside the chart", x0, y0, x1, y1)
	}
}

func decodeReplayData(t *testing.T, h string) replayData {
	t.Helper()
	m := regexp.MustCompile(`<script type="application/gzip\+base64" data-role="data">([^<]*)</script>`).FindStringSubmatch(h)
	if m == nil {
		t.Fatal("no data script")
	}
	gz, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var d replayData
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReplayErrors(t *testing.T) {
	if _, err := NewReplay("t", nil, Range{0, 1}, Range{0, 1}); err == nil || !strings.Contains(err.Error(), "nil function") {
		t.Errorf("nil f: %v", err)
	}
	if _, err := NewReplay("t", rosenbrock, Range{1, 0}, Range{0, 1}); err == nil || !strings.Contains(err.Error(), "NewReplay: x range") {
		t.Errorf("empty range: %v", err)
	}
	if _, err := NewReplay("t", rosenbrock, Range{0, 1}, Range{0, 1}, ReplayParam{Name: "lr", Values: []float64{1}, Start: 1}); err == nil ||
		!strings.Contains(err.Error(), `parameter "lr" starts at index 1, outside [0, 1)`) {
		t.Errorf("bad start: %v", err)
	}
	r := newTestReplay(t)
	for _, tc := range []struct {
		at     []int
		points [][2]float64
		cells  [][]string
		want   string
	}{
		{[]int{0}, [][2]float64{{0, 0}}, nil, "1 parameter indices for 2 parameters"},
		{[]int{2, 0}, [][2]float64{{0, 0}}, nil, `index 2 of parameter "learning rate" is outside [-1, 2)`},
		{[]int{0, 0}, nil, nil, "no points"},
		{[]int{0, 0}, [][2]float64{{0, 0}, {math.NaN(), 0}}, nil, "point 1: value 0 is NaN"},
		{[]int{0, 0}, [][2]float64{{0, 0}}, [][]string{{"1"}, {"2"}}, "2 rows of cells for 1 points"},
		{[]int{0, 0}, [][2]float64{{0, 0}}, [][]string{{"1", "2"}}, "row 0 has 2 cells for 1 columns"},
	} {
		err := r.Add("c", tc.at, tc.points, tc.cells)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%v): %v, want %q", tc.at, err, tc.want)
		}
	}
	empty, _ := NewReplay("t", rosenbrock, Range{0, 1}, Range{0, 1})
	if _, err := empty.HTML(); err == nil || !strings.Contains(err.Error(), "no paths") {
		t.Errorf("empty replay: %v", err)
	}
}
