package nb

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// captured is one DisplayData message that would have gone to GoNB.
type captured struct {
	mime      protocol.MIMEType
	content   any
	displayID string
}

// captureOutput makes the package believe it runs in a notebook and records
// what it sends, restoring the real state when the test ends.
func captureOutput(t *testing.T) func() []captured {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	oldNotebook, oldOutput := inNotebook, output
	inNotebook = true
	output = func(d *protocol.DisplayData) {
		mu.Lock()
		defer mu.Unlock()
		for mime, content := range d.Data {
			got = append(got, captured{mime, content, d.DisplayID})
		}
	}
	t.Cleanup(func() { inNotebook, output = oldNotebook, oldOutput })
	return func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), got...)
	}
}

func TestDisplayMIMETypes(t *testing.T) {
	sent := captureOutput(t)
	DisplayHTML("<b>x</b>")
	DisplayMarkdown("*x*")
	DisplayPNG([]byte("\x89PNG"))
	DisplaySVG("<svg></svg>")
	want := []protocol.MIMEType{"text/html", "text/markdown", "image/png", "image/svg+xml"}
	got := sent()
	if len(got) != len(want) {
		t.Fatalf("sent %d outputs, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].mime != w || got[i].displayID != "" {
			t.Errorf("output %d: %s (display id %q), want %s without display id", i, got[i].mime, got[i].displayID, w)
		}
	}
	if s, ok := got[3].content.(string); !ok || s != "<svg></svg>" {
		t.Errorf("SVG content %#v, want the SVG text unwrapped", got[3].content)
	}
}

func TestDisplayOutsideNotebookSendsNothing(t *testing.T) {
	oldNotebook, oldOutput := inNotebook, output
	defer func() { inNotebook, output = oldNotebook, oldOutput }()
	inNotebook = false
	output = func(*protocol.DisplayData) { t.Error("something was sent outside a notebook") }
	DisplayHTML("x")
	DisplaySVG("x")
	NewCell().UpdateHTML("x")
	NewProgressWith(10, "x", ProgressConfig{Writer: &bytes.Buffer{}}).Done()
}

func TestCellUpdatesInPlace(t *testing.T) {
	sent := captureOutput(t)
	c := NewCell()
	c.UpdateHTML("one")
	c.UpdateMarkdown("two")
	c.Clear()
	got := sent()
	if len(got) != 3 {
		t.Fatalf("sent %d outputs, want 3", len(got))
	}
	for _, g := range got {
		if g.displayID != c.ID() || g.displayID == "" {
			t.Errorf("display id %q, want the cell's %q", g.displayID, c.ID())
		}
	}
	if other := NewCell(); other.ID() == c.ID() {
		t.Error("two cells share a display id")
	}
}

func TestTableHTML(t *testing.T) {
	got := TableHTML([]string{"class", "p"}, [][]string{{"<cat>", "0.9"}, {"dog & co"}})
	for _, want := range []string{">class</th>", ">&lt;cat&gt;</td>", ">dog &amp; co</td>", "</table>"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(TableHTML(nil, [][]string{{"a"}}), "<thead>") {
		t.Error("nil header produced a header row")
	}
}

func TestTableHTMLAlignment(t *testing.T) {
	left, right := `style="text-align:left"`, `style="text-align:right"`
	for _, tc := range []struct {
		name  string
		rows  [][]string
		wants []string // alignment of each column's first cell
	}{
		{"names and numbers", [][]string{{"daisy", "0.91", "-3"}, {"rose", ".5", "+Inf"}}, []string{left, right, right}},
		{"one text cell makes a column text", [][]string{{"a", "1"}, {"b", "n/a"}}, []string{left, left}},
		{"empty cells do not decide", [][]string{{"1", ""}, {"", ""}, {"2"}}, []string{right, left}},
		{"intervals and percentages", [][]string{{"99.3% [98.5–99.7]", "−0.2"}}, []string{right, right}},
		{"shapes are text", [][]string{{"[3 3 32 64]", "NaN"}}, []string{left, right}},
	} {
		got := TableHTML(nil, tc.rows)
		firstRow := strings.SplitN(strings.SplitN(got, "<tr>", 2)[1], "</tr>", 2)[0]
		cells := strings.Split(firstRow, "</td>")
		for i, want := range tc.wants {
			if i >= len(cells) || !strings.HasPrefix(cells[i], "<td "+want+">") {
				t.Errorf("%s: column %d not %s:\n%s", tc.name, i, want, got)
			}
		}
	}
}

// fakeClock is a settable clock for progress tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func ptr[T any](v T) *T { return &v }

func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Unix(1000, 0)}
	p := NewProgressWith(100, "train", ProgressConfig{
		Writer: &buf, Terminal: ptr(true), Notebook: ptr(false), Now: clock.Now,
	})
	// 50 items within one redraw interval: no redraw beyond the first one.
	for range 50 {
		p.Add(1)
	}
	if n := strings.Count(buf.String(), "\r"); n != 1 {
		t.Errorf("%d redraws before the interval passed, want 1 (the initial one): %q", n, buf.String())
	}
	clock.Advance(5 * time.Second)
	p.SetMessage("loss=0.31")
	out := buf.String()
	last := out[strings.LastIndex(out, "\r")+1:]
	// 50 items in 5 s: 10 it/s, 50 left, so 5 s to go.
	for _, want := range []string{"train [", "50% 50/100", "10.0 it/s", "ETA 5s", "loss=0.31"} {
		if !strings.Contains(last, want) {
			t.Errorf("line %q lacks %q", last, want)
		}
	}
	if strings.Contains(out, "\n") {
		t.Errorf("terminal output has a newline before Done: %q", out)
	}
	clock.Advance(5 * time.Second)
	p.Set(100)
	p.Done()
	out = buf.String()
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("Done did not end the line: %q", out)
	}
	final := out[strings.LastIndex(out, "\r")+1:]
	for _, want := range []string{"[==============================]", "100% 100/100", "in 10s"} {
		if !strings.Contains(final, want) {
			t.Errorf("final line %q lacks %q", final, want)
		}
	}
	p.Add(5) // after Done: ignored
	if buf.String() != out {
		t.Error("Add after Done drew again")
	}
}

func TestProgressTerminalBlanksLeftovers(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(10, "x", ProgressConfig{Writer: &buf, Terminal: ptr(true), Notebook: ptr(false), Now: clock.Now})
	clock.Advance(time.Second)
	p.SetMessage("a long message that makes the line long")
	clock.Advance(time.Second)
	p.SetMessage("")
	lines := strings.Split(buf.String(), "\r")
	longest, last := utf8.RuneCountInString(lines[len(lines)-2]), utf8.RuneCountInString(lines[len(lines)-1])
	if last < longest {
		t.Errorf("shorter line not padded to cover the previous one: %d < %d", last, longest)
	}
}

func TestProgressPlainLines(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(1000, "extract", ProgressConfig{
		Writer: &buf, Terminal: ptr(false), Notebook: ptr(false), Now: clock.Now,
	})
	for range 1000 {
		clock.Advance(10 * time.Millisecond)
		p.Add(1)
	}
	p.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// The start, one per 10% (10..90%, a second apart), and the final line: 11.
	if len(lines) != 11 {
		t.Errorf("%d plain lines, want 11:\n%s", len(lines), buf.String())
	}
	if strings.Contains(buf.String(), "\r") {
		t.Error("plain output contains \\r")
	}
	if !strings.Contains(lines[1], " 10% 100/1000") {
		t.Errorf("second line %q, want the 10%% mark", lines[1])
	}
	if want := "extract: done 100% 1000/1000 · 100 it/s · in 10s"; lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
}

func TestProgressPlainUnknownTotalPrintsByTime(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(0, "", ProgressConfig{
		Writer: &buf, Terminal: ptr(false), Notebook: ptr(false), Now: clock.Now,
	})
	for range 80 { // 80 s in 1 s steps: heartbeats after 5, 10, 20 and 40 s of silence
		clock.Advance(time.Second)
		p.Add(2)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 { // start + heartbeats at 5, 15, 35 and 75 s
		t.Errorf("%d lines, want 5:\n%s", len(lines), buf.String())
	}
	if got := lines[len(lines)-1]; got != "150 · 2.0 it/s" {
		t.Errorf("last line %q", got)
	}
}

// A log stays short however long the work: a day-long task of a million
// items, one item every 86 ms, prints its 10% marks and a few heartbeats
// (retrain used to print 1,200 lines for 4,000 steps).
func TestProgressPlainLinesBoundedForLongWork(t *testing.T) {
	for _, total := range []int{0, 1_000_000} {
		var buf bytes.Buffer
		clock := &fakeClock{now: time.Unix(0, 0)}
		p := NewProgressWith(total, "long", ProgressConfig{
			Writer: &buf, Terminal: ptr(false), Notebook: ptr(false), Now: clock.Now,
		})
		for range 1_000_000 {
			clock.Advance(86400 * time.Millisecond / 1000)
			p.Add(1)
		}
		p.Done()
		// start, ten 10% marks, done, and heartbeats at 5 s·(2^k - 1):
		// at most log2(86400/5)+1 = 15 in a day.
		if n := strings.Count(buf.String(), "\n"); n > 1+10+1+15 || n < 3 {
			t.Errorf("total %d: %d lines in a day:\n%s", total, n, buf.String())
		}
	}
}

// Work done in a second logs its start and its end only.
func TestProgressPlainFastWorkTwoLines(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(200, "bottlenecks", ProgressConfig{Writer: &buf, Terminal: ptr(false), Notebook: ptr(false), Now: clock.Now})
	for range 200 {
		clock.Advance(2 * time.Millisecond)
		p.Add(1)
	}
	p.Done()
	if lines := strings.Split(strings.TrimSpace(buf.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "done 100% 200/200") {
		t.Errorf("0.4 s of work printed:\n%s", buf.String())
	}
}

// OnlyInPlace bars print nothing in a log: the program logs on its own.
func TestProgressOnlyInPlace(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgressWith(10, "train", ProgressConfig{Writer: &buf, Terminal: ptr(false), Notebook: ptr(false), OnlyInPlace: true})
	for range 10 {
		p.Add(1)
	}
	p.SetMessage("step 10")
	p.Done()
	if buf.Len() != 0 {
		t.Errorf("OnlyInPlace bar printed in a log: %q", buf.String())
	}
	var term bytes.Buffer
	p = NewProgressWith(10, "train", ProgressConfig{Writer: &term, Terminal: ptr(true), Notebook: ptr(false), OnlyInPlace: true})
	p.Done()
	if !strings.Contains(term.String(), "\rtrain [") {
		t.Errorf("OnlyInPlace bar not drawn on a terminal: %q", term.String())
	}
}

// PrintAbove blanks a terminal bar, writes the line and redraws the bar
// below it, so log lines and the bar do not overwrite each other.
func TestPrintAbove(t *testing.T) {
	var term, log bytes.Buffer
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(10, "train", ProgressConfig{Writer: &term, Terminal: ptr(true), Notebook: ptr(false), Now: clock.Now})
	bar := term.String()[1:] // "train [>...]   0% 0/10", drawn at the start
	p.Add(3)                 // within the redraw interval: not drawn yet
	PrintAbove(&term, "Step 3: loss 0.5")
	want := "\r" + bar + "\r" + strings.Repeat(" ", utf8.RuneCountInString(bar)) + "\rStep 3: loss 0.5\n" +
		"\rtrain [=========>                    ]  30% 3/10"
	if got := term.String(); got != want {
		t.Errorf("terminal got\n%q\nwant\n%q", got, want)
	}
	// Another stream gets the line alone; the terminal's bar is redrawn.
	PrintAbove(&log, "Step 4")
	if log.String() != "Step 4\n" {
		t.Errorf("log got %q", log.String())
	}
	p.Done()
	term.Reset()
	PrintAbove(&term, "after")
	if term.String() != "after\n" {
		t.Errorf("after Done, got %q", term.String())
	}
}

func TestProgressNotebookHTML(t *testing.T) {
	sent := captureOutput(t)
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(200, "epoch <1>", ProgressConfig{Notebook: ptr(true), Now: clock.Now})
	for range 100 {
		p.Add(1) // throttled: no redraws, the clock stands still
	}
	clock.Advance(2 * time.Second)
	p.SetMessage("acc=0.9 & rising")
	clock.Advance(2 * time.Second)
	p.Add(100)
	p.Done()
	got := sent()
	if len(got) != 4 { // start, message, add, done
		t.Fatalf("%d HTML updates, want 4", len(got))
	}
	for _, g := range got {
		if g.mime != protocol.MIMETextHTML || g.displayID != got[0].displayID || g.displayID == "" {
			t.Fatalf("update %+v: want text/html with one display id", g)
		}
	}
	mid := got[1].content.(string)
	for _, want := range []string{
		"<b>epoch &lt;1&gt;</b>", `<progress value="100" max="200"`, "50% 100/200", "50.0 it/s", "ETA 2s", "acc=0.9 &amp; rising",
	} {
		if !strings.Contains(mid, want) {
			t.Errorf("HTML lacks %q:\n%s", want, mid)
		}
	}
	final := got[3].content.(string)
	if !strings.Contains(final, `<progress value="200" max="200"`) || !strings.Contains(final, "in 4s") || strings.Contains(final, "ETA") {
		t.Errorf("final HTML:\n%s", final)
	}
}

func TestProgressConcurrentAdd(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgressWith(8000, "", ProgressConfig{Writer: &buf, Terminal: ptr(false), Notebook: ptr(false)})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				p.Add(1)
			}
		}()
	}
	wg.Wait()
	p.Done()
	if !strings.Contains(buf.String(), "done 100% 8000/8000") {
		t.Errorf("final count wrong:\n%s", buf.String())
	}
	// Sparse: start, ≤ 10 tenths (+ possibly time-based lines), done.
	if n := strings.Count(buf.String(), "\n"); n > 15 {
		t.Errorf("%d lines for 8000 adds, want sparse output", n)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:           "850ms",
		12 * time.Second:                 "12s",
		184 * time.Second:                "3m04s",
		time.Hour + 2*time.Minute + 20e9: "1h02m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := formatRate(0.25); got != "4.0 s/it" {
		t.Errorf("formatRate(0.25) = %q", got)
	}
}

// Bars draws each task a compute package starts as a progress bar.
func TestBarsReporter(t *testing.T) {
	var log bytes.Buffer
	r := BarsWith(ProgressConfig{Writer: &log, Terminal: ptr(false), Notebook: ptr(false)})
	task := r.Start("retrain", 10)
	for range 10 {
		task.Add(1)
	}
	task.SetMessage("validation 90.0%")
	task.Done()
	out := log.String()
	if !strings.Contains(out, "retrain: done 100% 10/10") || !strings.Contains(out, "validation 90.0%") {
		t.Errorf("Bars output:\n%s", out)
	}
}

func ExampleNewProgressWith() {
	// In a terminal the bar is one line redrawn with '\r'; in a log (here a
	// buffer) it prints plain lines: the start, every 10% at least a second
	// apart, and the end with the total time.
	var log bytes.Buffer
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewProgressWith(4, "files", ProgressConfig{Writer: &log, Terminal: ptr(false), Notebook: ptr(false), Now: clock.Now})
	for range 4 {
		clock.Advance(time.Second) // a file a second
		p.Add(1)
	}
	p.Done()
	fmt.Print(log.String())
	// Output:
	// files:   0% 0/4
	// files:  25% 1/4 · 1.0 it/s · ETA 3s
	// files:  50% 2/4 · 1.0 it/s · ETA 2s
	// files:  75% 3/4 · 1.0 it/s · ETA 1s
	// files: done 100% 4/4 · 1.0 it/s · in 4s
}
