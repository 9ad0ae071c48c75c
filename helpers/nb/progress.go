package nb

import (
	"io"
	"time"
)

// Progress is a progress bar for a loop of known (or unknown, total ≤ 0)
// length. All methods are safe for concurrent use; Add is cheap enough to
// call once per item, since the display is redrawn at most every
// ProgressConfig.Interval.
type Progress struct{}

// ProgressConfig overrides where and how a Progress draws; the zero value of
// each field picks the default. Tests inject Writer, Terminal and Now.
type ProgressConfig struct {
	// Writer receives terminal output; default os.Stderr.
	Writer io.Writer
	// Notebook forces the notebook (HTML) rendering on or off; default
	// IsNotebook().
	Notebook *bool
	// Terminal says whether Writer is an interactive terminal, where the bar
	// is one line rewritten with '\r'; default: Writer is os.Stderr or
	// os.Stdout and is a character device. When false, sparse plain lines are
	// printed (every 10% or PlainInterval).
	Terminal *bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Interval is the minimum time between redraws in a notebook or terminal;
	// default 200ms.
	Interval time.Duration
	// PlainInterval is the maximum time between plain lines; default 5s.
	PlainInterval time.Duration
}

// NewProgress starts a progress bar for total items (total ≤ 0: unknown),
// labelled label, with the default configuration.
func NewProgress(total int, label string) *Progress {
	return NewProgressWith(total, label, ProgressConfig{})
}

// NewProgressWith is NewProgress with a configuration.
func NewProgressWith(total int, label string, cfg ProgressConfig) *Progress {
	return &Progress{}
}

// Add records n more items done.
func (p *Progress) Add(n int) {}

// Set records that i items are done in total.
func (p *Progress) Set(i int) {}

// SetMessage sets a free-form text shown after the bar, typically the latest
// metrics ("loss=0.31 acc=0.92"). It is redrawn with the next update.
func (p *Progress) SetMessage(metrics string) {}

// Done draws the final state (count, elapsed time, average rate) and ends
// the bar; later calls to any method do nothing.
func (p *Progress) Done() {}
