package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSyntheticDeterministicAndDistinct(t *testing.T) {
	opts := SyntheticOptions{Classes: 8, PerClass: 6, Height: 32, Width: 40, Seed: 42}
	a, err := Synthetic(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Synthetic(opts)
	if len(a.Images) != 48 || a.Images[0].Bounds().Dx() != 40 || a.Images[0].Bounds().Dy() != 32 {
		t.Fatalf("got %d images of %v", len(a.Images), a.Images[0].Bounds())
	}
	for i := range a.Images {
		if !bytes.Equal(a.Images[i].Pix, b.Images[i].Pix) {
			t.Fatalf("image %d differs between runs with one seed", i)
		}
	}
	c, _ := Synthetic(SyntheticOptions{Classes: 8, PerClass: 6, Height: 32, Width: 40, Seed: 43})
	if bytes.Equal(a.Images[0].Pix, c.Images[0].Pix) {
		t.Error("different seeds gave the same image")
	}
	// Classes are separable by a trivial feature: the mean colour of each
	// image is closest to its own class's mean colour for most images.
	means := make([][3]float64, len(a.Images))
	classMean := make([][3]float64, 8)
	for i, img := range a.Images {
		m := FromImage(img)
		for p := 0; p < len(m.Pix); p += 3 {
			for ch := 0; ch < 3; ch++ {
				means[i][ch] += float64(m.Pix[p+ch]) / float64(len(m.Pix)/3)
			}
		}
		for ch := 0; ch < 3; ch++ {
			classMean[a.Labels[i]][ch] += means[i][ch] / 6
		}
	}
	correct := 0
	for i := range means {
		best, bestD := -1, 0.0
		for k := range classMean {
			d := 0.0
			for ch := 0; ch < 3; ch++ {
				d += (means[i][ch] - classMean[k][ch]) * (means[i][ch] - classMean[k][ch])
			}
			if best < 0 || d < bestD {
				best, bestD = k, d
			}
		}
		if best == a.Labels[i] {
			correct++
		}
	}
	if correct < 30 { // chance is 6 of 48
		t.Errorf("nearest-mean-colour classifier got %d of 48", correct)
	}
}

func TestWriteSyntheticThenLoadFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "synth")
	set, err := WriteSynthetic(dir, SyntheticOptions{Classes: 3, PerClass: 5, Height: 16, Width: 16, Format: "jpg"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadFolder(dir, DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Images) != 15 || f.Labels()[0] != "blue hstripes" { // sorted folder order
		t.Fatalf("loaded %d images, labels %v", len(f.Images), f.Labels())
	}
	m, err := Load(f.Images[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != 16 || m.Height != 16 {
		t.Errorf("decoded size %dx%d", m.Height, m.Width)
	}
	_ = set
	if _, err := Synthetic(SyntheticOptions{Classes: 1}); err == nil {
		t.Error("one class accepted")
	}
}

// WriteSyntheticClasses writes the named classes only, with the images
// WriteSynthetic draws for them, and refuses a non-empty directory.
func TestWriteSyntheticClasses(t *testing.T) {
	opts := SyntheticOptions{PerClass: 3, Height: 16, Width: 16, Seed: 9}
	all := filepath.Join(t.TempDir(), "all")
	allOpts := opts
	allOpts.Classes = len(SyntheticClasses)
	if _, err := WriteSynthetic(all, allOpts); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "some", "images")
	set, err := WriteSyntheticClasses(dir, []string{"white_dots", "cyan_ring"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set.Classes, []string{"white_dots", "cyan_ring"}) || len(set.Images) != 6 || set.Labels[3] != 1 {
		t.Errorf("set: classes %v, %d images, labels %v", set.Classes, len(set.Images), set.Labels)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d class folders, want 2", len(entries))
	}
	for _, name := range set.Names {
		got, err1 := os.ReadFile(filepath.Join(dir, name))
		want, err2 := os.ReadFile(filepath.Join(all, name))
		if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from WriteSynthetic's (%v, %v)", name, err1, err2)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".synthetic-*")); len(leftovers) > 0 {
		t.Errorf("temporary folders left: %v", leftovers)
	}
	for _, bad := range [][]string{{"white_dots"}, {"white_dots", "unicorn"}, {"cyan_ring", "cyan_ring"}} {
		if _, err := WriteSyntheticClasses(filepath.Join(t.TempDir(), "x"), bad, opts); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if _, err := WriteSyntheticClasses(dir, []string{"red_disc", "cyan_ring"}, opts); err == nil {
		t.Error("a non-empty folder was overwritten")
	}
}
