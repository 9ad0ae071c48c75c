package plots

import (
	"strings"
	"testing"
)

func TestSideBySideHTML(t *testing.T) {
	a, err := Lines("a", "x", "y", Series{Name: "s", Y: []float64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bars("b", "y", Bar{Label: "one", Value: 1}, Bar{Label: "two", Value: 2})
	if err != nil {
		t.Fatal(err)
	}
	html, err := SideBySideHTML(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(html, `src="data:image/png;base64,iVBORw0KGgo`); n != 2 || !strings.Contains(html, "max-width:49%") {
		t.Errorf("%d PNG images in %.200s…", n, html)
	}
	if _, err := SideBySideHTML(); err == nil {
		t.Error("no charts: no error")
	}
	bad, _ := Lines("bad", "x", "y", Series{Name: "s", X: []float64{0, 1}, Y: []float64{1, 2}})
	if _, err := SideBySideHTML(a, bad.LogX()); err == nil || !strings.Contains(err.Error(), "chart 1") {
		t.Errorf("a chart that cannot render: %v", err)
	}
}
