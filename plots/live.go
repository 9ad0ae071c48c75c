package plots

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gotl/gotl/helpers/nb"
)

// Live is a line chart that grows while a loop runs: Add appends points to
// named series and, in a notebook, the chart is redrawn in place (one
// output, updated) at most every MinInterval. Outside a notebook nothing is
// drawn until asked (Chart, Save). It is safe for concurrent use.
//
//	live := plots.NewLive("Training", "step", "loss")
//	for step := range steps {
//		loss := trainStep()
//		live.Add("train", float64(step), loss)
//	}
//	live.Done() // final drawing
type Live struct {
	// MinInterval is the least time between two redraws; default 1 s, as
	// rendering a PNG takes tens of milliseconds.
	MinInterval time.Duration
	// LogY draws the vertical axis on a log scale.
	LogY bool

	mu                    sync.Mutex
	title, xLabel, yLabel string
	order                 []string
	series                map[string]*Series
	cell                  *nb.Cell
	lastDraw              time.Time
	now                   func() time.Time
}

// NewLive returns an empty live chart.
func NewLive(title, xLabel, yLabel string) *Live {
	return &Live{
		MinInterval: time.Second,
		title:       title, xLabel: xLabel, yLabel: yLabel,
		series: map[string]*Series{},
		cell:   nb.NewCell(),
		now:    time.Now,
	}
}

// Add appends the point (x, y) to the named series (created on first use,
// legend in order of creation) and redraws if MinInterval has passed since
// the last drawing. It returns an error, and records nothing, if x or y is
// NaN or infinite, or if redrawing fails.
func (l *Live) Add(series string, x, y float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return fmt.Errorf("plots: Live %q: series %q: point (%v, %v) is not finite", l.title, series, x, y)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.series[series]
	if !ok {
		s = &Series{Name: series}
		l.series[series] = s
		l.order = append(l.order, series)
	}
	s.X = append(s.X, x)
	s.Y = append(s.Y, y)
	if now := l.now(); now.Sub(l.lastDraw) >= l.MinInterval {
		l.lastDraw = now
		return l.drawLocked()
	}
	return nil
}

// Chart returns a line chart of the points so far.
func (l *Live) Chart() (*Chart, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.chartLocked()
}

func (l *Live) chartLocked() (*Chart, error) {
	all := make([]Series, len(l.order))
	for i, name := range l.order {
		s := l.series[name]
		// Copies: the chart must not change under later Adds.
		all[i] = Series{Name: name, X: append([]float64(nil), s.X...), Y: append([]float64(nil), s.Y...)}
	}
	c, err := Lines(l.title, l.xLabel, l.yLabel, all...)
	if err != nil {
		return nil, err
	}
	if l.LogY {
		c.LogY()
	}
	return c, nil
}

func (l *Live) drawLocked() error {
	if !nb.IsNotebook() || len(l.order) == 0 {
		return nil
	}
	c, err := l.chartLocked()
	if err != nil {
		return err
	}
	return c.ShowIn(l.cell)
}

// Done draws the final chart (in a notebook) regardless of MinInterval.
func (l *Live) Done() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastDraw = l.now()
	return l.drawLocked()
}
