package nb

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gotl/gotl/helpers/progress"
)

// Progress is a progress bar for a loop of known (or unknown, total ≤ 0)
// length. All methods are safe for concurrent use; Add is cheap enough to
// call once per item, since the display is redrawn at most every
// ProgressConfig.Interval.
//
// In a notebook the bar is one HTML output updated in place; in a terminal
// one line rewritten with '\r'; otherwise (logs, CI) a plain line at the
// start, at every 10% of the total (at least a second apart), at the end,
// and a heartbeat when none came for PlainInterval, an interval that
// doubles with each heartbeat: a log gets a few dozen lines at most, however
// long the work, and two for work done in a second.
type Progress struct {
	mu       sync.Mutex
	label    string
	total    int
	count    int
	message  string
	finished bool

	mode          progressMode
	w             io.Writer
	cell          *Cell
	now           func() time.Time
	interval      time.Duration
	plainInterval time.Duration

	start     time.Time
	lastDraw  time.Time
	lastTenth int // for plain mode: last multiple of 10% printed
	lastWidth int // for terminal mode: length of the last line, to blank leftovers
}

type progressMode int

const (
	modeNotebook progressMode = iota
	modeTerminal
	modePlain
	modeSilent // plain, but OnlyInPlace: nothing is printed
)

// ProgressConfig overrides where and how a Progress draws; the zero value of
// each field picks the default. Tests inject Writer, Terminal and Now.
type ProgressConfig struct {
	// Writer receives terminal output; default os.Stderr.
	Writer io.Writer
	// Notebook forces the notebook (HTML) rendering on or off; default
	// IsNotebook().
	Notebook *bool
	// Terminal says whether Writer is an interactive terminal, where the bar
	// is one line rewritten with '\r'; default: Writer is an *os.File that is
	// a character device. When false, sparse plain lines are printed (see
	// Progress).
	Terminal *bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Interval is the minimum time between redraws in a notebook or terminal;
	// default 200ms.
	Interval time.Duration
	// PlainInterval is the time without a plain line after which a
	// heartbeat line is printed; it doubles after each heartbeat. Default 5s.
	PlainInterval time.Duration
	// OnlyInPlace shows the bar only where it updates in place (a notebook
	// or a terminal) and prints nothing elsewhere: for work that a program
	// logs in its own words, such as training runs that log evaluations.
	OnlyInPlace bool
}

// NewProgress starts a progress bar for total items (total ≤ 0: unknown),
// labelled label, with the default configuration.
func NewProgress(total int, label string) *Progress {
	return NewProgressWith(total, label, ProgressConfig{})
}

// NewProgressWith is NewProgress with a configuration.
func NewProgressWith(total int, label string, cfg ProgressConfig) *Progress {
	p := &Progress{
		label:         label,
		total:         total,
		w:             cfg.Writer,
		now:           cfg.Now,
		interval:      cfg.Interval,
		plainInterval: cfg.PlainInterval,
	}
	if p.w == nil {
		p.w = os.Stderr
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.interval <= 0 {
		p.interval = 200 * time.Millisecond
	}
	if p.plainInterval <= 0 {
		p.plainInterval = 5 * time.Second
	}
	notebook := IsNotebook()
	if cfg.Notebook != nil {
		notebook = *cfg.Notebook
	}
	terminal := isTerminal(p.w)
	if cfg.Terminal != nil {
		terminal = *cfg.Terminal
	}
	switch {
	case notebook:
		p.mode = modeNotebook
		p.cell = NewCell()
	case terminal:
		p.mode = modeTerminal
		addTerminalBar(p)
	case cfg.OnlyInPlace:
		p.mode = modeSilent
	default:
		p.mode = modePlain
	}
	p.start = p.now()
	p.mu.Lock()
	p.draw(p.start)
	p.mu.Unlock()
	return p
}

// terminalBars are the bars being drawn on terminals, which PrintAbove
// blanks and redraws.
var terminalBars struct {
	sync.Mutex
	active []*Progress
}

func addTerminalBar(p *Progress) {
	terminalBars.Lock()
	defer terminalBars.Unlock()
	terminalBars.active = append(terminalBars.active, p)
}

func removeTerminalBar(p *Progress) {
	terminalBars.Lock()
	defer terminalBars.Unlock()
	for i, q := range terminalBars.active {
		if q == p {
			terminalBars.active = append(terminalBars.active[:i], terminalBars.active[i+1:]...)
			return
		}
	}
}

// PrintAbove writes line (which may hold several lines) and a newline to w
// without garbling a progress bar
// drawn on a terminal: such bars are blanked first and redrawn below the
// line (what tqdm.write does). Programs that log while a bar runs, on the
// same terminal or another stream, print their lines through it.
func PrintAbove(w io.Writer, line string) {
	terminalBars.Lock()
	bars := append([]*Progress(nil), terminalBars.active...)
	terminalBars.Unlock()
	for _, p := range bars {
		p.mu.Lock()
		if !p.finished && p.lastWidth > 0 {
			fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.lastWidth)+"\r")
		}
		p.mu.Unlock()
	}
	fmt.Fprintln(w, line)
	for _, p := range bars {
		p.mu.Lock()
		if !p.finished {
			p.lastWidth = 0 // the line is blank now
			p.draw(p.now())
		}
		p.mu.Unlock()
	}
}

// Bars is the progress.Reporter that draws every task of gotl's long-running
// code (bottleneck extraction, retrain and fine-tune steps, downloads) as a
// Progress bar: hand it to anything that takes a progress.Reporter.
//
//	cfg := retrain.DefaultConfig()
//	cfg.Progress = nb.Bars
var Bars progress.Reporter = BarsWith(ProgressConfig{})

// BarsWith is Bars with a configuration, such as another Writer for the
// terminal output.
func BarsWith(cfg ProgressConfig) progress.Reporter { return bars{cfg} }

type bars struct{ cfg ProgressConfig }

func (b bars) Start(label string, total int) progress.Task {
	return NewProgressWith(total, label, b.cfg)
}

var _ progress.Task = (*Progress)(nil)

// isTerminal reports whether w is a file attached to a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// Add records n more items done.
func (p *Progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.count += n
	p.maybeDraw()
}

// Set records that i items are done in total.
func (p *Progress) Set(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.count = i
	p.maybeDraw()
}

// SetMessage sets a free-form text shown after the bar, typically the latest
// metrics ("loss=0.31 acc=0.92"). It is redrawn with the next update.
func (p *Progress) SetMessage(metrics string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.message = metrics
	p.maybeDraw()
}

// Done draws the final state (count, elapsed time, average rate) and ends
// the bar; later calls to any method do nothing.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	p.draw(p.now())
	if p.mode == modeTerminal {
		removeTerminalBar(p)
	}
	if p.mode == modeNotebook {
		Sync() // the final state must reach the notebook before the cell ends
	}
}

// plainMinGap is the least time between two plain 10% lines: work done in
// a second or two logs its start and its end, not eleven lines.
const plainMinGap = time.Second

// maybeDraw redraws if enough time passed (or, in plain mode, a new 10% of
// the total was reached). p.mu must be held.
func (p *Progress) maybeDraw() {
	now := p.now()
	since := now.Sub(p.lastDraw)
	switch p.mode {
	case modeSilent:
		return
	case modePlain:
		// 100% waits for Done's line, which says so with the total time.
		if t := p.tenths(); t > p.lastTenth && t < 10 && since >= plainMinGap {
			p.draw(now)
		} else if since >= p.plainInterval {
			p.plainInterval *= 2 // heartbeats get rarer: a bounded log
			p.draw(now)
		}
		return
	}
	if since >= p.interval {
		p.draw(now)
	}
}

// tenths returns how many whole tenths of the total are done (0 if the total
// is unknown).
func (p *Progress) tenths() int {
	if p.total <= 0 {
		return 0
	}
	return min(10, max(0, p.count*10/p.total))
}

// progressState is what every rendering shows.
type progressState struct {
	label, message string
	count, total   int
	elapsed        time.Duration
	finished       bool
}

func (s progressState) fraction() float64 {
	if s.total <= 0 {
		return 0
	}
	return min(1, max(0, float64(s.count)/float64(s.total)))
}

// rate returns items per second, or 0 before any time has passed.
func (s progressState) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.count) / s.elapsed.Seconds()
}

// stats returns "45% 450/1000 · 12.3 it/s · ETA 40s", the parts known.
func (s progressState) stats() string {
	var parts []string
	if s.total > 0 {
		parts = append(parts, fmt.Sprintf("%3.0f%% %d/%d", 100*s.fraction(), s.count, s.total))
	} else {
		parts = append(parts, fmt.Sprintf("%d", s.count))
	}
	if r := s.rate(); r > 0 {
		parts = append(parts, formatRate(r))
	}
	switch {
	case s.finished:
		parts = append(parts, "in "+formatDuration(s.elapsed))
	case s.total > 0 && s.rate() > 0 && s.count < s.total:
		eta := time.Duration(float64(s.total-s.count) / s.rate() * float64(time.Second))
		parts = append(parts, "ETA "+formatDuration(eta))
	}
	return strings.Join(parts, " · ")
}

func formatRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f it/s", r)
	case r >= 1:
		return fmt.Sprintf("%.1f it/s", r)
	default:
		return fmt.Sprintf("%.1f s/it", 1/r)
	}
}

// formatDuration rounds to what a person reads at a glance: "850ms", "12s",
// "3m04s", "1h02m".
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// draw renders the current state. p.mu must be held.
func (p *Progress) draw(now time.Time) {
	p.lastDraw = now
	s := progressState{
		label: p.label, message: p.message,
		count: p.count, total: p.total,
		elapsed: now.Sub(p.start), finished: p.finished,
	}
	switch p.mode {
	case modeNotebook:
		p.cell.UpdateHTML(progressHTML(s))
	case modeTerminal:
		line := terminalLine(s)
		width := len([]rune(line))
		pad := ""
		if width < p.lastWidth {
			pad = strings.Repeat(" ", p.lastWidth-width)
		}
		p.lastWidth = width
		end := ""
		if s.finished {
			end = "\n"
		}
		fmt.Fprint(p.w, "\r"+line+pad+end)
	case modePlain:
		p.lastTenth = p.tenths()
		fmt.Fprintln(p.w, plainLine(s))
	case modeSilent:
	}
}

const barWidth = 30

// terminalLine is "label [=======>      ]  45% 450/1000 · 12.3 it/s · ETA 40s · msg".
func terminalLine(s progressState) string {
	var b strings.Builder
	if s.label != "" {
		b.WriteString(s.label + " ")
	}
	if s.total > 0 {
		filled := int(s.fraction() * barWidth)
		bar := strings.Repeat("=", filled)
		if filled < barWidth {
			bar += ">" + strings.Repeat(" ", barWidth-filled-1)
		}
		b.WriteString("[" + bar + "] ")
	}
	b.WriteString(s.stats())
	if s.message != "" {
		b.WriteString(" · " + s.message)
	}
	return b.String()
}

// plainLine is terminalLine without the bar, for logs.
func plainLine(s progressState) string {
	var b strings.Builder
	if s.label != "" {
		b.WriteString(s.label + ": ")
	}
	if s.finished {
		b.WriteString("done ")
	}
	b.WriteString(s.stats())
	if s.message != "" {
		b.WriteString(" · " + s.message)
	}
	return b.String()
}

// progressHTML renders the notebook bar with the native <progress> element,
// which survives HTML export (no script or CSS needed).
func progressHTML(s progressState) string {
	var b strings.Builder
	b.WriteString(`<div class="gotl-progress" style="font-family:monospace;font-size:13px;line-height:1.6">`)
	if s.label != "" {
		b.WriteString("<b>" + html.EscapeString(s.label) + "</b> ")
	}
	if s.total > 0 {
		fmt.Fprintf(&b, `<progress value="%d" max="%d" style="width:240px;vertical-align:middle"></progress> `,
			min(max(s.count, 0), s.total), s.total)
	} else if !s.finished {
		b.WriteString(`<progress style="width:240px;vertical-align:middle"></progress> `)
	}
	b.WriteString(html.EscapeString(s.stats()))
	if s.message != "" {
		b.WriteString(" · " + html.EscapeString(s.message))
	}
	b.WriteString("</div>")
	return b.String()
}
