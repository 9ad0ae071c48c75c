package plots

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogTickLabelsAreRounded(t *testing.T) {
	for _, tick := range (logTicks{}).Ticks(1e-6, 1e4) {
		if strings.Contains(tick.Label, "0000000") {
			t.Errorf("tick %v labelled %q", tick.Value, tick.Label)
		}
	}
	labels := map[string]bool{}
	for _, tick := range (logTicks{}).Ticks(1e-6, 1e4) {
		labels[tick.Label] = true
	}
	for _, want := range []string{"1e-06", "1000"} {
		if !labels[want] {
			t.Errorf("no %q tick in %v", want, labels)
		}
	}
}

func TestLogX(t *testing.T) {
	// Two methods, one done in a second, one in ten minutes: on a log axis
	// both curves span a visible width.
	c, err := Lines("accuracy against time", "seconds since the method started (preparation included; log scale)", "accuracy",
		Series{Name: "retrain", X: []float64{0.5, 0.8, 1.2}, Y: []float64{0.5, 0.8, 0.9}},
		Series{Name: "fine-tune", X: []float64{30, 120, 600}, Y: []float64{0.4, 0.8, 0.95}})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := c.LogX().Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">1<", ">10<", ">100<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("log X axis lacks tick label %s", want)
		}
	}
	// No tick lies outside the data: gonum would pad the axis for it and
	// squeeze the curves into part of the chart.
	for _, tc := range [][2]float64{{0.04, 50}, {0.5, 600}, {2, 8}} {
		ticks := (logTicks{}).Ticks(tc[0], tc[1])
		labels := 0
		for _, tick := range ticks {
			if tick.Value < tc[0] || tick.Value > tc[1] {
				t.Errorf("range %v: tick %v outside it", tc, tick.Value)
			}
			if tick.Label != "" {
				labels++
			}
		}
		if labels == 0 {
			t.Errorf("range %v: no labelled tick", tc)
		}
	}
	if dir := os.Getenv("PLOTS_PREVIEW"); dir != "" {
		c.Save(filepath.Join(dir, "lines_logx.png"))
	}
	bad, _ := Lines("t", "x", "y", Series{Name: "zero", X: []float64{0, 1}, Y: []float64{1, 2}})
	if _, err := bad.LogX().Render("png"); err == nil {
		t.Error("a zero X on a log axis rendered without error")
	}
}
