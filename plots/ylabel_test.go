package plots

import (
	"math"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// On a log axis the data area must reach as close to the title as on a
// linear one: gonum v0.17 alone leaves an empty band there when the Y label
// is long.
func TestLogAxisLongLabelLeavesNoBand(t *testing.T) {
	top := func(logY bool) vg.Length {
		s := Series{Name: "a", X: []float64{0, 1, 2}, Y: []float64{1, 0.1, 0.01}}
		c, err := Lines("Title", "step", "a rather long label for the y axis", s)
		if err != nil {
			t.Fatal(err)
		}
		if logY {
			c.LogY()
		}
		dc := draw.New(vgimg.New(c.Width, c.Height))
		rest, restore := drawYLabelOutside(c.Plot, dc)
		defer restore()
		return c.Plot.DataCanvas(rest).Max.Y
	}
	lin, log := top(false), top(true)
	if math.Abs(float64(lin-log)) > 3 {
		t.Errorf("data area top: linear %v, log %v; the log chart has a band under its title", lin, log)
	}
}
