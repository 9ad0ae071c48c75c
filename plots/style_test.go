package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func TestNamedColor(t *testing.T) {
	for _, tc := range []struct {
		name string
		want color.Color
	}{
		{"red_disc", namedColors["red"]},
		{"Cyan ring", namedColors["cyan"]},
		{"yellow_vstripes", namedColors["yellow"]},
		{"white_dots", namedColors["white"]},
		{"dark-GREEN", namedColors["green"]},
		{"daisy", nil},
		{"reddish", nil}, // whole words only
	} {
		got, ok := NamedColor(tc.name)
		if ok != (tc.want != nil) || (ok && toRGBA(got) != toRGBA(tc.want)) {
			t.Errorf("NamedColor(%q) = %v, %v; want %v", tc.name, got, ok, tc.want)
		}
	}
}

func TestClassColors(t *testing.T) {
	// Named classes get their colour; the others the first unused palette
	// colours, so no two classes share one while the palette lasts.
	names := []string{"daisy", "blue_hstripes", "roses", "orange_cross", "tulips", "red_disc"}
	got := ClassColors(names)
	want := []color.Color{Palette[2], Palette[0], Palette[4], Palette[1], Palette[5], Palette[3]}
	for i := range names {
		if toRGBA(got[i]) != toRGBA(want[i]) {
			t.Errorf("class %q: colour %v, want %v", names[i], got[i], want[i])
		}
	}
	// The same class list gives the same colours in every chart.
	again := ClassColors(names)
	for i := range names {
		if toRGBA(again[i]) != toRGBA(got[i]) {
			t.Errorf("class %q: colour changed between calls", names[i])
		}
	}
	// Two classes naming the same colour: the second gets a palette colour.
	dup := ClassColors([]string{"red_disc", "red_square"})
	if toRGBA(dup[0]) == toRGBA(dup[1]) {
		t.Errorf("red_disc and red_square share colour %v", dup[0])
	}
}

func TestLegendOutsideData(t *testing.T) {
	// However many series, the legend lies right of the data area.
	for _, n := range []int{1, 2, 14} {
		var series []Series
		for i := range n {
			series = append(series, Series{Name: "a rather long series name " + string(rune('A'+i)), Y: []float64{1, 2, float64(i)}})
		}
		c, err := Lines("t", "x", "y", series...)
		if err != nil {
			t.Fatal(err)
		}
		canvas := vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(c.DPI))
		data, box := drawPlotLegend(c.Plot, draw.New(canvas))
		if box.Size().X <= 0 {
			t.Fatalf("%d series: no legend box", n)
		}
		if box.Min.X < data.Max.X {
			t.Errorf("%d series: legend box %v overlaps the data area %v", n, box, data.Rectangle)
		}
		if box.Max.X > c.Width+vg.Points(0.5) || box.Min.Y < 0 {
			t.Errorf("%d series: legend box %v leaves the %v×%v chart", n, box, c.Width, c.Height)
		}
	}
}

func TestImageGridEnlargesByWholeFactor(t *testing.T) {
	// A 32×32 checkerboard of 4-pixel squares is shown at 5× (160 px):
	// every square becomes an exact 20×20 block, with no blurred edges.
	c, err := ImageGrid([]Tile{{Image: checker(32, 4)}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.Render("png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w > 2*PictureTarget {
		t.Errorf("chart is %d px wide for one 32×32 picture, want it near %d", w, PictureTarget)
	}
	// Find the picture: the bounding box of the black pixels.
	box := image.Rectangle{Min: img.Bounds().Max, Max: img.Bounds().Min}
	grey := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if r == 0 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			} else if r < 0xffff {
				grey++
			}
		}
	}
	if box.Dx() != 160 || box.Dy() != 160 {
		t.Fatalf("picture spans %v (%dx%d), want 160x160", box, box.Dx(), box.Dy())
	}
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			black := ((x-box.Min.X)/20+(y-box.Min.Y)/20)%2 == 0
			if black != (r == 0) || (r != 0 && r != 0xffff) {
				t.Fatalf("pixel (%d, %d) of the picture is %v, want exact %s", x-box.Min.X, y-box.Min.Y, img.At(x, y), map[bool]string{true: "black", false: "white"}[black])
			}
		}
	}
}

func TestImageGridSizes(t *testing.T) {
	for _, tc := range []struct {
		side, columns, tiles int
		wantBox              int
	}{
		{32, 1, 1, 160},  // 5×
		{24, 3, 6, 144},  // 6×
		{64, 1, 1, 128},  // 2×
		{32, 8, 16, 96},  // 3×: 8 columns of 5× would be wider than GridMaxWidth
		{200, 2, 2, 192}, // reduced to PictureMax
		{160, 2, 2, 160}, // 1×
	} {
		var tiles []Tile
		for range tc.tiles {
			tiles = append(tiles, Tile{Image: checker(tc.side, 2), Caption: "purple_checker"})
		}
		c, err := ImageGrid(tiles, tc.columns)
		if err != nil {
			t.Fatal(err)
		}
		if c.grid.box != tc.wantBox {
			t.Errorf("%d×%d pictures in %d columns: shown at %d px, want %d", tc.side, tc.side, tc.columns, c.grid.box, tc.wantBox)
		}
		if w := int(c.Width.Dots(DefaultDPI)); tc.columns > 1 && w > GridMaxWidth+40 {
			t.Errorf("%d columns of %d px: chart %d px wide", tc.columns, tc.side, w)
		}
	}
}

func TestCaptionSwatch(t *testing.T) {
	for _, tc := range []struct {
		line string
		want color.Color
	}{
		{"red_disc", namedColors["red"]},
		{"cyan ring", namedColors["cyan"]},
		{"input (red_disc)", nil},
		{"true: red disc", nil},
		{"daisy", nil},
	} {
		got := swatch(Tile{}, 0, tc.line)
		if (got == nil) != (tc.want == nil) || (got != nil && toRGBA(got) != toRGBA(tc.want)) {
			t.Errorf("swatch for caption %q = %v, want %v", tc.line, got, tc.want)
		}
	}
	// Explicit swatches win, per line; nil entries mean none.
	tile := Tile{Swatches: []color.Color{Palette[4], nil}}
	if got := swatch(tile, 0, "daisy"); got == nil || toRGBA(got) != toRGBA(Palette[4]) {
		t.Errorf("explicit swatch ignored: %v", got)
	}
	if got := swatch(tile, 1, "red_disc"); got != nil {
		t.Errorf("nil explicit swatch replaced by %v", got)
	}
}
