package bottleneck

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
)

func synthFolder(t testing.TB, classes, perClass int) *dataset.Folder {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "images")
	if _, err := dataset.WriteSynthetic(dir, dataset.SyntheticOptions{Classes: classes, PerClass: perClass, Height: 24, Width: 24, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	f, err := dataset.LoadFolder(dir, dataset.DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExtractorColdWarmRenamed(t *testing.T) {
	f := synthFolder(t, 3, 7)
	cache, _ := Open(t.TempDir())
	model := &meanColorModel{}
	ex := &Extractor{Model: model, Cache: cache, Preprocess: dataset.Preprocess{Height: 16, Width: 16, Mean: 0, Std: 1}, BatchSize: 4}
	cold, err := ex.Files(f.Paths())
	if err != nil {
		t.Fatal(err)
	}
	if model.images != 21 || cache.Stats().Misses != 21 || cache.Stats().Writes != 21 {
		t.Fatalf("cold: model saw %d images, stats %v", model.images, cache.Stats())
	}
	if model.calls != 6 { // 21 images in chunks of 16 (4 batches of 4) and 5 (2 batches)
		t.Errorf("model called %d times", model.calls)
	}
	// The vectors are the model's output on the preprocessed image.
	img, _ := dataset.Load(f.Images[4].Path)
	if want := meanStd(ex.Preprocess.Apply(img)); !reflect.DeepEqual(cold[4], want) {
		t.Errorf("vector 4 = %v, want %v", cold[4], want)
	}

	cache.ResetStats()
	warm, err := ex.Files(f.Paths())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(warm, cold) || model.images != 21 || cache.Stats().Hits != 21 {
		t.Fatalf("warm: model saw %d images, stats %v", model.images, cache.Stats())
	}

	// Renaming an image keeps its entry.
	renamed := filepath.Join(filepath.Dir(f.Images[0].Path), "renamed.png")
	if err := os.Rename(f.Images[0].Path, renamed); err != nil {
		t.Fatal(err)
	}
	v, err := ex.Files([]string{renamed})
	if err != nil || model.images != 21 || !reflect.DeepEqual(v[0], cold[0]) {
		t.Errorf("renamed image recomputed or changed: %v %v", err, model.images)
	}

	// A corrupt entry is recomputed and rewritten.
	h := HashContent(mustRead(t, f.Images[1].Path))
	p := cache.path(ex.Key().namespace(), h)
	os.WriteFile(p, []byte("garbage"), 0o644)
	cache.ResetStats()
	v, err = ex.Files([]string{f.Images[1].Path})
	if err != nil || model.images != 22 || !reflect.DeepEqual(v[0], cold[1]) || cache.Stats().Corrupt != 1 || cache.Stats().Writes != 1 {
		t.Errorf("corrupt entry: %v, model %d, stats %v", err, model.images, cache.Stats())
	}

	// Another preprocessing is another key.
	ex2 := *ex
	ex2.Preprocess.Mean = 1
	if _, err := ex2.Files(f.Paths()[1:4]); err != nil || model.images != 25 {
		t.Errorf("new preprocessing reused entries: model %d", model.images)
	}
}

func mustRead(t *testing.T, p string) []byte {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExtractorErrors(t *testing.T) {
	ex := &Extractor{Model: &meanColorModel{}, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}}
	if _, err := ex.Files([]string{"/nonexistent/x.jpg"}); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	os.WriteFile(bad, []byte("not a jpeg"), 0o644)
	if _, err := ex.Files([]string{bad}); err == nil {
		t.Error("undecodable file: no error")
	}
	short := &Extractor{Preprocess: ex.Preprocess, Model: FuncModel{ID: "x", Output: "y", Fn: func(imgs []*dataset.FloatImage) ([][]float32, error) {
		return [][]float32{{1}}, nil
	}}}
	f := synthFolder(t, 2, 2)
	if _, err := short.Files(f.Paths()); err == nil {
		t.Error("model returning too few vectors: no error")
	}
}

func TestTextRoundTrip(t *testing.T) {
	f := synthFolder(t, 2, 3)
	ex := &Extractor{Model: &meanColorModel{}, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}}
	vs, err := ex.Files(f.Paths())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	vs[2] = nil
	if err := ExportText(dir, f, vs, "https://tfhub.dev/google/x/1"); err != nil {
		t.Fatal(err)
	}
	p := TextPath(dir, f, f.Images[0], "https://tfhub.dev/google/x/1")
	if filepath.Base(p) != f.Images[0].Name+"_https~tfhub.dev~google~x~1.txt" {
		t.Errorf("text path %s", p)
	}
	back, missing, err := ImportText(dir, f, "https://tfhub.dev/google/x/1")
	if err != nil || missing != 1 {
		t.Fatalf("import: %v, missing %d", err, missing)
	}
	if !reflect.DeepEqual(back, vs) {
		t.Errorf("round trip changed vectors:\n%v\n%v", back, vs)
	}
	// A file as CPython writes it (str of numpy float32 values).
	if v, err := ParseText([]byte("0.12345679,1e-05,-3.0,2.5e+20\n")); err != nil || v[1] != 1e-5 || v[3] != 2.5e20 {
		t.Errorf("ParseText: %v %v", v, err)
	}
	os.WriteFile(p, []byte("1,2,x"), 0o644)
	if _, _, err := ImportText(dir, f, "https://tfhub.dev/google/x/1"); err == nil {
		t.Error("bad text bottleneck imported")
	}
}

// Splits pairs every image of a folder with its vector in the folder's
// retrain.py split; naming splits computes only those.
func TestExtractorSplits(t *testing.T) {
	f := synthFolder(t, 3, 20)
	cache, _ := Open(t.TempDir())
	ex := &Extractor{Model: &meanColorModel{}, Cache: cache, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}}
	s, err := ex.Splits(f, dataset.Validation, dataset.Testing)
	if err != nil {
		t.Fatal(err)
	}
	counts := [3]int{}
	for _, c := range f.Counts() {
		for split, n := range c {
			counts[split] += n
		}
	}
	if len(s.Training) != 0 || len(s.Validation) != counts[dataset.Validation] || len(s.Testing) != counts[dataset.Testing] {
		t.Fatalf("validation and testing only: %v, folder %v", s.Counts(), counts)
	}
	if got := cache.Stats().Writes; got != int64(counts[dataset.Validation]+counts[dataset.Testing]) {
		t.Errorf("%d vectors computed for the validation and test splits", got)
	}
	all, err := ex.Splits(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Training) != counts[dataset.Training] || !reflect.DeepEqual(all.Testing, s.Testing) || !reflect.DeepEqual(all.Labels, f.Labels()) {
		t.Errorf("all splits: %v, labels %v", all.Counts(), all.Labels)
	}
	for _, e := range all.Training {
		img, _ := dataset.Load(e.Name)
		if want := meanStd(ex.Preprocess.Apply(img)); !reflect.DeepEqual(e.Input, want) || f.Classes[e.Label].Dir != filepath.Base(filepath.Dir(e.Name)) {
			t.Fatalf("%s: label %d, vector %v, want %v", e.Name, e.Label, e.Input, want)
		}
	}
}

// Text bottlenecks imported into an empty cache are hits afterwards.
func TestImportTextToCache(t *testing.T) {
	f := synthFolder(t, 2, 3)
	ex := &Extractor{Model: &meanColorModel{}, Preprocess: dataset.Preprocess{Height: 8, Width: 8, Std: 1}}
	vs, err := ex.Files(f.Paths())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ExportText(dir, f, vs, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ex.ImportTextToCache(dir, f, ""); err == nil {
		t.Error("import without a cache: no error")
	}
	ex.Cache, _ = Open(t.TempDir())
	n, err := ex.ImportTextToCache(dir, f, "")
	if err != nil || n != len(vs) {
		t.Fatalf("imported %d of %d: %v", n, len(vs), err)
	}
	back, err := ex.Files(f.Paths())
	if err != nil || !reflect.DeepEqual(back, vs) || ex.Cache.Stats().Hits != int64(len(vs)) {
		t.Errorf("after import: %v, stats %v", err, ex.Cache.Stats())
	}
}
