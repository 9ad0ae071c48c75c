package util

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	for _, write := range []func(string, []byte, fs.FileMode) error{WriteFileAtomic, WriteFileAtomicNoSync} {
		if err := write(p, []byte("first"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := write(p, []byte("second"), 0o600); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil || string(data) != "second" {
			t.Errorf("read back %q, %v", data, err)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("temporary files left behind: %v", entries)
		}
	}
	// A missing directory is an error naming the file, and wraps the cause.
	missing := filepath.Join(dir, "no", "such", "file")
	err := WriteFileAtomic(missing, nil, 0o644)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing directory: %v", err)
	}
	// Renaming over a directory fails after the temporary file was written:
	// it must be removed.
	sub := filepath.Join(dir, "sub")
	os.MkdirAll(filepath.Join(sub, "taken", "x"), 0o755)
	if err := WriteFileAtomic(filepath.Join(sub, "taken"), []byte("x"), 0o644); err == nil {
		t.Error("writing over a non-empty directory succeeded")
	}
	if entries, _ := os.ReadDir(sub); len(entries) != 1 {
		t.Errorf("temporary file left after a failed rename: %v", entries)
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"kitten", "sitting", 10, 3},
		{"", "abc", 10, 3},
		{"abc", "abc", 0, 0},
		{"flaw", "lawn", 10, 2},
		{"kitten", "sitting", 2, 3}, // over the limit: limit+1
		{"a", "abcdefgh", 3, 4},     // length difference alone exceeds it
		{strings.Repeat("x", 300), strings.Repeat("x", 299) + "y", 5, 6}, // too long to compare
		{strings.Repeat("x", 300), strings.Repeat("x", 300), 5, 0},
	} {
		if got := EditDistance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("EditDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

func TestWalkAncestors(t *testing.T) {
	// d depends on b and c, which both depend on a; e is unrelated; b has a
	// control input from e that the walk does not follow; a and f form a
	// cycle.
	inputs := map[string][]string{"d": {"b", "c"}, "b": {"a", "^e"}, "c": {"a"}, "a": {"f"}, "f": {"a"}}
	var order []string
	seen := WalkAncestors([]string{"d"}, func(n string, follow func(string)) {
		order = append(order, n)
		for _, in := range inputs[n] {
			if !strings.HasPrefix(in, "^") {
				follow(in)
			}
		}
	})
	want := map[string]bool{"a": true, "b": true, "c": true, "d": true, "f": true}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("visited %v, want %v", seen, want)
	}
	// Depth first, the last input followed first, each node once.
	if got := strings.Join(order, " "); got != "d c a f b" {
		t.Errorf("visit order %q", got)
	}
}

// A chain far deeper than any recursion would survive.
func TestWalkAncestorsLongChain(t *testing.T) {
	const n = 200_000
	visits := 0
	seen := WalkAncestors([]string{"n0"}, func(node string, follow func(string)) {
		visits++
		i, _ := strconv.Atoi(node[1:])
		if i+1 < n {
			follow("n" + strconv.Itoa(i+1))
		}
	})
	if visits != n || len(seen) != n {
		t.Errorf("%d visits, %d seen, want %d", visits, len(seen), n)
	}
}

// BenchmarkWalkAncestorsChain reports the cost per node of a long chain and
// of a ten times longer one: linear time gives the same ns/node.
func BenchmarkWalkAncestorsChain(b *testing.B) {
	for _, n := range []int{20_000, 200_000} {
		names := make([]string, n)
		for i := range names {
			names[i] = "n" + strconv.Itoa(i)
		}
		next := make(map[string]string, n)
		for i := 0; i+1 < n; i++ {
			next[names[i]] = names[i+1]
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				WalkAncestors(names[:1], func(node string, follow func(string)) {
					if in, ok := next[node]; ok {
						follow(in)
					}
				})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/node")
		})
	}
}

// RemoveStaleTemps removes only old temporary files of WriteFileAtomic:
// never young ones (a writer may be between creating and locking), other
// names, or links.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * StaleTempAge)
	mk := func(name string, age time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, age, age); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{mk(".ab.bn.tmp-123", old), mk(".key.json.tmp-4", old)}
	kept := []string{
		mk(".ab.bn.tmp-999", time.Now()),   // young
		mk("ab.bn", old),                   // an entry
		mk(".ab.bn.tmp-12x", old),          // not our digits
		mk("ab.bn.tmp-123", old),           // not hidden
		mk(".ab.bn.tempstate0123", old),    // a checkpoint's, not ours
		mk(".ab.bn.partial-12345", old),    // a download's
		filepath.Join(dir, ".l.bn.tmp-77"), // a link
	}
	if err := os.Symlink(kept[1], kept[len(kept)-1]); err != nil {
		t.Fatal(err)
	}
	n, err := RemoveStaleTemps(dir, StaleTempAge)
	if err != nil || n != len(stale) {
		t.Errorf("removed %d (%v), want %d", n, err, len(stale))
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: stale temporary file kept", filepath.Base(p))
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s: removed: %v", filepath.Base(p), err)
		}
	}
	if _, err := RemoveStaleTemps(filepath.Join(dir, "missing"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: %v", err)
	}
}

func TestFirstNonFinite(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, c := range []struct {
		v    []float32
		want int
	}{
		{nil, -1}, {[]float32{0, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32}, -1},
		{[]float32{1, nan}, 1}, {[]float32{-inf, nan}, 0}, {[]float32{1, 2, inf}, 2},
	} {
		if got := FirstNonFinite(c.v); got != c.want {
			t.Errorf("FirstNonFinite(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}
