package plots

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/gotl/gotl/helpers/nb"
)

// ReplayParam is a setting a Replay's reader chooses with a slider, e.g.
// the learning rate: one of Values, starting at Values[Start].
type ReplayParam struct {
	Name   string
	Values []float64
	Start  int
}

// Replay shows paths over a function's surface, like Trajectories, and
// lets the reader step through them in the browser: Step, Back, Play, a
// step slider, one slider per ReplayParam, and a table with each path's
// position and caller-supplied columns at the current step.
//
// Every step is computed beforehand, by the cell, for every combination of
// the parameters; the browser only replays them. So the cell ends at once
// ("Run All" does not wait for a reader), the controls keep working after
// it ended, in the saved notebook and in its HTML export, and no kernel is
// involved. (GoNB's widgets, by contrast, deliver events only to a cell
// that is still running.) Moving a parameter slider shows the runs made
// with that setting from the start, at the same step.
//
// Build it with NewReplay, add runs with Add, then Show it.
type Replay struct {
	title  string
	f      func(x, y float64) float64
	xRange Range
	yRange Range
	params []ReplayParam
	cols   []string

	names []string      // path names in order of first Add
	runs  [][]replayRun // per path name
	steps int
}

// replayRun is one path under the parameter indices at (-1: any value).
type replayRun struct {
	at     []int
	points [][2]float64
	cells  [][]string
}

// NewReplay returns an empty replay of paths over f on xRange × yRange,
// with the given parameters.
func NewReplay(title string, f func(x, y float64) float64, xRange, yRange Range, params ...ReplayParam) (*Replay, error) {
	if f == nil {
		return nil, errors.New("plots: NewReplay: nil function")
	}
	for _, r := range []struct {
		what string
		r    Range
	}{{"x", xRange}, {"y", yRange}} {
		if err := checkRange("NewReplay", r.what, r.r); err != nil {
			return nil, err
		}
	}
	for i, p := range params {
		if len(p.Values) == 0 {
			return nil, fmt.Errorf("plots: NewReplay: parameter %d (%q) has no values", i, p.Name)
		}
		if p.Start < 0 || p.Start >= len(p.Values) {
			return nil, fmt.Errorf("plots: NewReplay: parameter %q starts at index %d, outside [0, %d)", p.Name, p.Start, len(p.Values))
		}
		if err := checkFinite(fmt.Sprintf("NewReplay: parameter %q", p.Name), p.Values); err != nil {
			return nil, err
		}
	}
	return &Replay{title: title, f: f, xRange: xRange, yRange: yRange, params: params}, nil
}

// SetColumns names the table's columns after the path's name and position;
// Add's cells fill them.
func (r *Replay) SetColumns(columns ...string) *Replay {
	r.cols = columns
	return r
}

// Add records the run of the named path under the parameter values at
// (indices into each ReplayParam's Values, or -1 for a parameter the path
// does not depend on). points[0] is the start and points[k] the position
// after step k; cells, if not nil, holds one table row per point. A path
// that stops early (it diverged) keeps its last point for later steps.
//
// It returns an error if at has the wrong length or an index out of range,
// points is empty or not finite, or cells does not match points and the
// columns.
func (r *Replay) Add(name string, at []int, points [][2]float64, cells [][]string) error {
	what := fmt.Sprintf("Replay.Add: path %q at %v", name, at)
	if len(at) != len(r.params) {
		return fmt.Errorf("plots: %s: %d parameter indices for %d parameters", what, len(at), len(r.params))
	}
	for d, i := range at {
		if i < -1 || i >= len(r.params[d].Values) {
			return fmt.Errorf("plots: %s: index %d of parameter %q is outside [-1, %d)", what, i, r.params[d].Name, len(r.params[d].Values))
		}
	}
	if len(points) == 0 {
		return fmt.Errorf("plots: %s: no points", what)
	}
	for j, p := range points {
		if err := checkFinite(fmt.Sprintf("%s: point %d", what, j), p[:]); err != nil {
			return err
		}
	}
	if cells != nil {
		if len(cells) != len(points) {
			return fmt.Errorf("plots: %s: %d rows of cells for %d points", what, len(cells), len(points))
		}
		for j, row := range cells {
			if len(row) != len(r.cols) {
				return fmt.Errorf("plots: %s: row %d has %d cells for %d columns", what, j, len(row), len(r.cols))
			}
		}
	}
	k := -1
	for i, n := range r.names {
		if n == name {
			k = i
		}
	}
	if k < 0 {
		k = len(r.names)
		r.names = append(r.names, name)
		r.runs = append(r.runs, nil)
	}
	r.runs[k] = append(r.runs[k], replayRun{at: append([]int(nil), at...), points: points, cells: cells})
	r.steps = max(r.steps, len(points)-1)
	return nil
}

// Steps returns the number of steps of the longest run.
func (r *Replay) Steps() int { return r.steps }

// Show displays the replay in a notebook as one HTML output. Outside a
// notebook it does nothing.
func (r *Replay) Show() error {
	if !nb.IsNotebook() {
		return nil
	}
	h, err := r.HTML()
	if err != nil {
		return err
	}
	nb.DisplayHTML(h)
	return nil
}

// replayData is what the browser gets, as gzipped JSON.
type replayData struct {
	Steps  int             `json:"steps"`
	Params []replayParamJS `json:"params"`
	Cols   []string        `json:"cols"`
	// Numeric says which of the table's columns (path, position, then
	// Cols) hold numbers in every row the page can show: they are
	// right-aligned, as nb.TableHTML aligns the table of step 0.
	Numeric []bool         `json:"numeric"`
	Paths   []replayPathJS `json:"paths"`
	Area    [4]float64     `json:"area"`  // data area left, top, width, height in pixels
	Range   [4]float64     `json:"range"` // xmin, xmax, ymin, ymax
}

type replayParamJS struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
	Start  int       `json:"start"`
}

type replayPathJS struct {
	Name   string       `json:"name"`
	Colour string       `json:"colour"`
	Dash   string       `json:"dash"`
	Runs   []replayRunJ `json:"runs"`
}

type replayRunJ struct {
	At     []int      `json:"at"`
	Points []float64  `json:"xy"` // x0, y0, x1, y1, …
	Cells  [][]string `json:"cells,omitempty"`
}

// HTML returns the replay as an HTML fragment with its data and script:
// what Show displays. Without JavaScript (an untrusted notebook) it shows
// the starting state.
func (r *Replay) HTML() (string, error) {
	if len(r.names) == 0 {
		return "", errors.New("plots: Replay: no paths (call Add)")
	}
	bg, err := Trajectories(r.title, r.f, r.xRange, r.yRange)
	if err != nil {
		return "", errors.New(strings.Replace(err.Error(), "Trajectories", "Replay", 1))
	}
	png, area, err := bg.renderWithArea("png")
	if err != nil {
		return "", err
	}
	dpi := float64(bg.DPI)
	px := func(l vg.Length) float64 { return l.Dots(dpi) }
	w, h := math.Ceil(px(bg.Width)), math.Ceil(px(bg.Height))
	data := replayData{
		Steps: r.steps, Cols: r.cols,
		Area:  [4]float64{px(area.Min.X), h - px(area.Max.Y), px(area.Max.X - area.Min.X), px(area.Max.Y - area.Min.Y)},
		Range: [4]float64{r.xRange.Min, r.xRange.Max, r.yRange.Min, r.yRange.Max},
	}
	for _, p := range r.params {
		data.Params = append(data.Params, replayParamJS{Name: p.Name, Values: p.Values, Start: p.Start})
	}
	data.Numeric = r.numericColumns()
	for i, name := range r.names {
		col, dash := SeriesStyle(i)
		path := replayPathJS{Name: name, Colour: cssColor(col)}
		var ds []string
		for _, d := range dash {
			ds = append(ds, strconv.FormatFloat(px(d), 'f', 1, 64))
		}
		path.Dash = strings.Join(ds, ",")
		for _, run := range r.runs[i] {
			rj := replayRunJ{At: run.at, Cells: run.cells}
			for _, p := range run.points {
				rj.Points = append(rj.Points, round6(p[0]), round6(p[1]))
			}
			path.Runs = append(path.Runs, rj)
		}
		data.Paths = append(data.Paths, path)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("plots: Replay: %w", err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()

	id := "gotl-replay-" + nb.UniqueID()
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="gotl-replay" id="%s" data-steps="%d" style="font-family:sans-serif;font-size:13px">`, id, r.steps)
	fmt.Fprintf(&b, `<div data-role="status" style="margin:4px 0">%s</div>`, html.EscapeString(r.statusText(0, r.startIndices())))
	b.WriteString(`<div style="display:flex;align-items:flex-start;gap:10px;flex-wrap:wrap">`)
	fmt.Fprintf(&b, `<div style="position:relative;width:%.0fpx;height:%.0fpx;flex:none">`, w, h)
	fmt.Fprintf(&b, `<img alt="%s" width="%.0f" height="%.0f" style="position:absolute;left:0;top:0;max-width:none" src="data:image/png;base64,%s">`,
		html.EscapeString(r.title), w, h, base64.StdEncoding.EncodeToString(png))
	fmt.Fprintf(&b, `<svg width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" style="position:absolute;left:0;top:0">`, w, h, w, h)
	fmt.Fprintf(&b, `<defs><clipPath id="%s-clip"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/></clipPath></defs>`,
		id, data.Area[0], data.Area[1], data.Area[2], data.Area[3])
	fmt.Fprintf(&b, `<g data-role="paths" clip-path="url(#%s-clip)">%s</g></svg></div>`, id, r.staticPaths(data))
	b.WriteString(`<div data-role="legend" style="line-height:1.6">`)
	for _, p := range data.Paths {
		fmt.Fprintf(&b, `<div><svg width="26" height="10"><line x1="1" y1="5" x2="25" y2="5" stroke="%s" stroke-width="2.4" stroke-dasharray="%s"/></svg> %s</div>`,
			p.Colour, p.Dash, html.EscapeString(p.Name))
	}
	b.WriteString(`<div style="color:#555">○ start &nbsp; × current step</div></div></div>`)
	// Controls: disabled until the script runs.
	b.WriteString(`<div data-role="controls" style="margin:6px 0;display:flex;flex-wrap:wrap;gap:6px;align-items:center">`)
	for _, c := range []struct{ act, label string }{{"reset", "« Start"}, {"back", "◀ Back"}, {"step", "Step ▶"}, {"step10", "+10"}, {"play", "▶ Play"}} {
		fmt.Fprintf(&b, `<button type="button" data-act="%s" disabled>%s</button>`, c.act, c.label)
	}
	fmt.Fprintf(&b, `<label>step <input type="range" data-role="step" min="0" max="%d" value="0" disabled></label>`, r.steps)
	for d, p := range r.params {
		fmt.Fprintf(&b, `<label>%s <input type="range" data-param="%d" min="0" max="%d" value="%d" disabled> <b data-role="value%d">%s</b></label>`,
			html.EscapeString(p.Name), d, len(p.Values)-1, p.Start, d, formatValue(p.Values[p.Start]))
	}
	b.WriteString(`</div>`)
	fmt.Fprintf(&b, `<div data-role="table">%s</div>`, r.staticTable(data))
	fmt.Fprintf(&b, `<div data-role="note" style="color:#888;font-size:12px">Showing the start. The controls need the notebook's JavaScript: `+
		`run this cell (or trust the notebook) to step through the %d precomputed steps.</div>`, r.steps)
	fmt.Fprintf(&b, `<script type="application/gzip+base64" data-role="data">%s</script>`, base64.StdEncoding.EncodeToString(gz.Bytes()))
	fmt.Fprintf(&b, "<script>\n%s\n(%q);\n</script></div>", replayScript, id)
	return b.String(), nil
}

func (r *Replay) startIndices() []int {
	s := make([]int, len(r.params))
	for d, p := range r.params {
		s[d] = p.Start
	}
	return s
}

// statusText is the line above the chart; the script writes the same.
func (r *Replay) statusText(step int, setting []int) string {
	parts := []string{fmt.Sprintf("step %d of %d", step, r.steps)}
	for d, p := range r.params {
		parts = append(parts, p.Name+" "+formatValue(p.Values[setting[d]]))
	}
	return strings.Join(parts, " · ")
}

// runAt returns the path's run for a setting, or nil.
func (r *Replay) runAt(path int, setting []int) *replayRun {
	for i := range r.runs[path] {
		run := &r.runs[path][i]
		ok := true
		for d, at := range run.at {
			if at != -1 && at != setting[d] {
				ok = false
			}
		}
		if ok {
			return run
		}
	}
	return nil
}

// staticPaths draws each path's start marker (the state at step 0).
func (r *Replay) staticPaths(data replayData) string {
	var b strings.Builder
	setting := r.startIndices()
	for i, p := range data.Paths {
		run := r.runAt(i, setting)
		if run == nil {
			continue
		}
		x, y := toPixel(data, run.points[0])
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="6" fill="none" stroke="%s" stroke-width="1.5"/>`, x, y, p.Colour)
	}
	return b.String()
}

// numericColumns applies nb.NumericColumns to every table row the page's
// script can show: the path's name and its position, which are text, then
// each step's cells.
func (r *Replay) numericColumns() []bool {
	rows := [][]string{{"name", "(x, y)"}}
	for _, runs := range r.runs {
		for _, run := range runs {
			for _, cells := range run.cells {
				rows = append(rows, append([]string{"", ""}, cells...))
			}
		}
	}
	return nb.NumericColumns(rows)
}

// staticTable is the table at step 0.
func (r *Replay) staticTable(data replayData) string {
	header := append([]string{"path", "(x, y)"}, r.cols...)
	var rows [][]string
	setting := r.startIndices()
	for i, p := range data.Paths {
		run := r.runAt(i, setting)
		if run == nil {
			continue
		}
		row := []string{p.Name, fmt.Sprintf("(%.4g, %.4g)", run.points[0][0], run.points[0][1])}
		if run.cells != nil {
			row = append(row, run.cells[0]...)
		}
		rows = append(rows, row)
	}
	return nb.TableHTML(header, rows)
}

func toPixel(data replayData, p [2]float64) (float64, float64) {
	a, rg := data.Area, data.Range
	return a[0] + (p[0]-rg[0])/(rg[1]-rg[0])*a[2], a[1] + (1-(p[1]-rg[2])/(rg[3]-rg[2]))*a[3]
}

// round6 keeps 6 significant digits: plenty for a path on screen, and
// fewer bytes in the notebook.
func round6(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return f
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func cssColor(c color.Color) string {
	rgba := toRGBA(c)
	return fmt.Sprintf("#%02x%02x%02x", rgba.R, rgba.G, rgba.B)
}
