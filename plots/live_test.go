package plots

import (
	"math"
	"strings"
	"sync"
	"testing"
)

func TestLiveCollectsSeries(t *testing.T) {
	live := NewLive("Training", "step", "loss")
	var wg sync.WaitGroup
	for _, name := range []string{"train", "validation"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := live.Add(name, float64(i), 1/float64(i+1)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := live.Add("train", math.NaN(), 1); err == nil || !strings.Contains(err.Error(), `series "train": point (NaN, 1) is not finite`) {
		t.Errorf("NaN point: error %v", err)
	}
	c, err := live.Chart()
	if err != nil {
		t.Fatal(err)
	}
	svg, err := c.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Training", "train", "validation"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	for _, name := range []string{"train", "validation"} {
		if n := len(live.series[name].Y); n != 50 {
			t.Errorf("series %q has %d points, want 50 (the NaN one rejected)", name, n)
		}
	}
	if err := live.Done(); err != nil { // outside a notebook: draws nothing, no error
		t.Error(err)
	}
	if _, err := NewLive("empty", "x", "y").Chart(); err == nil {
		t.Error("chart of an empty Live: no error")
	}
}
