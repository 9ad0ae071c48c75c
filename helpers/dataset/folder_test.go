package dataset

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Percentages computed here with CPython 3 from retrain.py's expression
//
//	h = re.sub(r'_nohash_.*$', '', p)
//	(int(hashlib.sha1(h.encode()).hexdigest(), 16) % (2**27)) * (100.0 / (2**27 - 1))
//
// independently of this package.
var pythonPercentages = []struct {
	path string
	want float64
}{
	{"flower_photos/daisy/100080576_f52e8ee070_n.jpg", 64.65381655584139},
	{"flower_photos/roses/12240303_80d87f77a3_n.jpg", 7.044158928425304},
	{"/tmp/img/cats/cat_nohash_2.jpg", 32.60389516207498},
	{"./data/dogs/dog.1.jpg", 81.65049539246034},
	{"data/Sun_Flowers/x_nohash_1_nohash_2.png", 47.141683452886966},
}

func TestHashPercentageMatchesPython(t *testing.T) {
	for _, c := range pythonPercentages {
		if got := HashPercentage(c.path); got != c.want {
			t.Errorf("HashPercentage(%q) = %v, CPython gives %v", c.path, got, c.want)
		}
	}
}

func TestHashPercentageMatchesBigIntTranscription(t *testing.T) {
	paths := []string{"a", "", "x/y/z.jpg", "imgs/Cats/c_nohash_9.jpg", "deep/path/with spaces/ünïcode.JPEG"}
	for i := 0; i < 200; i++ {
		paths = append(paths, filepath.Join("dir", string(rune('a'+i%26)), "img"+string(rune('0'+i%10))+".jpg"))
	}
	for _, p := range paths {
		hashName := p
		if i := indexNohash(p); i >= 0 {
			hashName = p[:i]
		}
		if stripNohash(p) != hashName {
			t.Errorf("stripNohash(%q) = %q, want %q", p, stripNohash(p), hashName)
		}
		if got, want := HashPercentage(p), hashPercentageBig(hashName); got != want {
			t.Errorf("HashPercentage(%q) = %v, big.Int transcription %v", p, got, want)
		}
	}
}

func indexNohash(s string) int {
	for i := 0; i+8 <= len(s); i++ {
		if s[i:i+8] == "_nohash_" {
			return i
		}
	}
	return -1
}

func TestStripNohashNewlines(t *testing.T) {
	// Results of CPython's re.sub(r'_nohash_.*$', '', s).
	cases := map[string]string{
		"a_nohash_b\nc_nohash_d": "a_nohash_b\nc",
		"a_nohash_b\n":           "a\n",
		"a_nohash_b\nc":          "a_nohash_b\nc",
		"x_nohash__nohash_y":     "x",
	}
	for in, want := range cases {
		if got := stripNohash(in); got != want {
			t.Errorf("stripNohash(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLabelName(t *testing.T) {
	cases := map[string]string{
		"daisy":                 "daisy",
		"Sun_Flowers":           "sun flowers",
		"Sun_Flowers--2024 Été": "sun flowers 2024 t ", // CPython: re.sub(r'[^a-z0-9]+', ' ', s.lower())
		"__x__":                 " x ",
	}
	for in, want := range cases {
		if got := LabelName(in); got != want {
			t.Errorf("LabelName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyJoin(t *testing.T) {
	cases := []struct{ a, b, c, want string }{
		{"imgs", "Cats", "a.jpg", "imgs/Cats/a.jpg"},
		{"imgs/", "Cats", "a.jpg", "imgs/Cats/a.jpg"},
		{"./imgs", "Cats", "a.jpg", "./imgs/Cats/a.jpg"},
		{"imgs//", "Cats", "a.jpg", "imgs//Cats/a.jpg"},
	}
	for _, c := range cases {
		if got := pyJoin(c.a, c.b, c.c); got != c.want {
			t.Errorf("pyJoin(%q,%q,%q) = %q, want %q", c.a, c.b, c.c, got, c.want)
		}
	}
}

func writeEmpty(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadFolderSplitsLikeRetrainPy(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root) // the hashed path starts with the directory string as given
	writeEmpty(t, root,
		"imgs/Cats/img05.jpg", "imgs/Cats/img12.jpg", "imgs/Cats/img00.jpg",
		"imgs/Cats/c_nohash_1.jpg", "imgs/Cats/c_nohash_2.jpg", "imgs/Cats/d.JPG", "imgs/Cats/e.png",
		"imgs/Cats/notes.txt", "imgs/Cats/.hidden.jpg",
		"imgs/dogs/img00.jpg", "imgs/dogs/img02.jpg", "imgs/dogs/img01.jpg",
		"imgs/empty/readme.txt")
	f, err := LoadFolder("imgs", DefaultFolderOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Labels(), []string{"cats", "dogs"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("labels %v, want %v", got, want)
	}
	type row struct {
		path  string
		label int
		split Split
	}
	var got []row
	for _, img := range f.Images {
		got = append(got, row{img.Path, img.Label, img.Split})
	}
	// Splits from CPython (see pythonPercentages); order: extension groups
	// jpg, jpeg, JPG, JPEG, png…, names sorted within a group.
	want := []row{
		{"imgs/Cats/c_nohash_1.jpg", 0, Training}, // 25.905 for "imgs/Cats/c"
		{"imgs/Cats/c_nohash_2.jpg", 0, Training},
		{"imgs/Cats/img00.jpg", 0, Training},   // 76.812
		{"imgs/Cats/img05.jpg", 0, Validation}, // 0.732
		{"imgs/Cats/img12.jpg", 0, Testing},    // 16.147
		{"imgs/Cats/d.JPG", 0, Training},       // 26.787
		{"imgs/Cats/e.png", 0, Training},       // 26.311
		{"imgs/dogs/img00.jpg", 1, Testing},    // 13.754
		{"imgs/dogs/img01.jpg", 1, Training},   // 61.722
		{"imgs/dogs/img02.jpg", 1, Validation}, // 0.657
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("images:\n got %v\nwant %v", got, want)
	}
	if c := f.Counts(); c[0] != [3]int{5, 1, 1} || c[1] != [3]int{1, 1, 1} {
		t.Errorf("counts %v", c)
	}
	var first []string
	for _, img := range f.FirstPerClass(2) {
		first = append(first, img.Path)
	}
	if want := []string{"imgs/Cats/c_nohash_1.jpg", "imgs/Cats/c_nohash_2.jpg", "imgs/dogs/img00.jpg", "imgs/dogs/img01.jpg"}; !reflect.DeepEqual(first, want) {
		t.Errorf("FirstPerClass(2) = %v, want %v", first, want)
	}

	// retrain.py's own extensions exclude the PNG.
	opts := DefaultFolderOptions()
	opts.Extensions = RetrainExtensions
	f2, err := LoadFolder("imgs/", opts) // trailing slash: same hashed strings
	if err != nil {
		t.Fatal(err)
	}
	if len(f2.Images) != 9 || f2.Images[6].Path != "imgs/dogs/img00.jpg" || f2.Images[6].Split != Testing {
		t.Errorf("retrain extensions: %+v", f2.Images)
	}

	// The same folder by its absolute path, hashed as "imgs": the same
	// split, real paths.
	opts = DefaultFolderOptions()
	opts.HashDir = "imgs"
	f3, err := LoadFolder(filepath.Join(root, "imgs"), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range f3.Images {
		if img.Split != want[i].split || img.Path != filepath.Join(root, want[i].path) {
			t.Errorf("HashDir: image %d: %s in %v, want %s in %v", i, img.Path, img.Split, filepath.Join(root, want[i].path), want[i].split)
		}
	}
}

func TestLoadFolderErrors(t *testing.T) {
	root := t.TempDir()
	if _, err := LoadFolder(filepath.Join(root, "missing"), DefaultFolderOptions()); err == nil {
		t.Error("missing dir: no error")
	}
	writeEmpty(t, root, "one/a/x.jpg")
	if _, err := LoadFolder(filepath.Join(root, "one"), DefaultFolderOptions()); err == nil {
		t.Error("single class: no error")
	}
	writeEmpty(t, root, "dup/A_b/x.jpg", "dup/a-b/y.jpg")
	if _, err := LoadFolder(filepath.Join(root, "dup"), DefaultFolderOptions()); err == nil {
		t.Error("duplicate labels: no error")
	}
	bad := DefaultFolderOptions()
	bad.ValidationPercentage = 80
	bad.TestingPercentage = 30
	if _, err := LoadFolder(root, bad); err == nil {
		t.Error("percentages over 100: no error")
	}
}

func TestSplitFractionsOnManyPaths(t *testing.T) {
	// With 10/10 about 10% land in each held-out split.
	n, counts := 20000, [3]int{}
	for i := 0; i < n; i++ {
		counts[SplitOf(filepath.Join("d", "c", "img"+itoa(i)+".jpg"), 10, 10)]++
	}
	for s, c := range counts {
		want := 0.1
		if Split(s) == Training {
			want = 0.8
		}
		if frac := float64(c) / float64(n); math.Abs(frac-want) > 0.01 {
			t.Errorf("%v: fraction %.3f, want ≈ %.1f", Split(s), frac, want)
		}
	}
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}
