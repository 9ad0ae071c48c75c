package bottleneck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/gotl/gotl/helpers/dataset"
)

var testKey = Key{Model: "model-a", Tensor: "pool:0", Preprocess: "p"}

func TestCachePutGet(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := HashContent([]byte("image bytes"))
	if _, ok := c.Get(testKey, h); ok {
		t.Fatal("hit in an empty cache")
	}
	v := []float32{1.5, -2, 0, 3e-9}
	if err := c.Put(testKey, h, v); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(testKey, h)
	if !ok || !reflect.DeepEqual(got, v) {
		t.Fatalf("Get = %v %v", got, ok)
	}
	// Any change of model, tensor or preprocessing is another namespace.
	for _, k := range []Key{{"model-b", "pool:0", "p"}, {"model-a", "pool:1", "p"}, {"model-a", "pool:0", "q"}, {"model-a", "pool:0p", ""}} {
		if _, ok := c.Get(k, h); ok {
			t.Errorf("key %+v hit an entry of %+v", k, testKey)
		}
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 5 || s.Writes != 1 || s.Corrupt != 0 {
		t.Errorf("stats %v", s)
	}
	if n, err := c.Len(testKey); err != nil || n != 1 {
		t.Errorf("Len = %d, %v", n, err)
	}
	if err := c.Put(testKey, h, nil); err == nil {
		t.Error("empty vector cached")
	}
}

func TestCacheDetectsCorruption(t *testing.T) {
	c, _ := Open(t.TempDir())
	h := HashContent([]byte("x"))
	v := []float32{1, 2, 3, 4, 5}
	p := c.path(testKey.namespace(), h)
	damage := map[string]func([]byte) []byte{
		"bit flip":   func(b []byte) []byte { b[len(b)-6] ^= 1; return b },
		"truncated":  func(b []byte) []byte { return b[:len(b)-3] },
		"empty":      func(b []byte) []byte { return nil },
		"extended":   func(b []byte) []byte { return append(b, 0) },
		"bad magic":  func(b []byte) []byte { b[0] = 'G'; return b },
		"count only": func(b []byte) []byte { b[headerSize-4]++; return b },
	}
	for name, f := range damage {
		if err := c.Put(testKey, h, v); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		if err := os.WriteFile(p, f(data), 0o644); err != nil {
			t.Fatal(err)
		}
		c.ResetStats()
		if got, ok := c.Get(testKey, h); ok {
			t.Errorf("%s: corrupt entry returned %v", name, got)
		}
		if s := c.Stats(); s.Corrupt != 1 || s.Misses != 1 {
			t.Errorf("%s: stats %v", name, s)
		}
	}
	// An intact entry copied to another image's name is misfiled.
	if err := c.Put(testKey, h, v); err != nil {
		t.Fatal(err)
	}
	other := HashContent([]byte("y"))
	op := c.path(testKey.namespace(), other)
	os.MkdirAll(filepath.Dir(op), 0o755)
	data, _ := os.ReadFile(p)
	os.WriteFile(op, data, 0o644)
	if _, ok := c.Get(testKey, other); ok {
		t.Error("misfiled entry accepted")
	}
}

// TestCacheConcurrentWriters runs goroutines and child processes that write
// the same and different entries into one directory at once; afterwards every
// entry must read back intact and no temporary file may remain.
func TestCacheConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	const procs, goroutines, entries = 3, 4, 40
	var cmds []*exec.Cmd
	for p := 0; p < procs; p++ {
		cmd := exec.Command(os.Args[0], "-test.run=TestHelperWriter")
		cmd.Env = append(os.Environ(), "GOTL_BOTTLENECK_WRITER="+dir, "GOTL_BOTTLENECK_ENTRIES="+strconv.Itoa(entries))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := writeEntries(dir, entries); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	c, _ := Open(dir)
	for i := 0; i < entries; i++ {
		v, ok := c.Get(testKey, HashContent([]byte(strconv.Itoa(i))))
		if !ok || !reflect.DeepEqual(v, entryValue(i)) {
			t.Errorf("entry %d: %v %v", i, v, ok)
		}
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && filepath.Ext(p) != ".bn" && filepath.Base(p) != "key.json" {
			t.Errorf("stray file %s", p)
		}
		return nil
	})
}

func entryValue(i int) []float32 {
	v := make([]float32, 512)
	for j := range v {
		v[j] = float32(i*1000 + j)
	}
	return v
}

func writeEntries(dir string, n int) error {
	c, err := Open(dir)
	if err != nil {
		return err
	}
	for round := 0; round < 3; round++ {
		for i := 0; i < n; i++ {
			if err := c.Put(testKey, HashContent([]byte(strconv.Itoa(i))), entryValue(i)); err != nil {
				return err
			}
			if v, ok := c.Get(testKey, HashContent([]byte(strconv.Itoa((i*7)%n)))); ok && !reflect.DeepEqual(v, entryValue((i*7)%n)) {
				return fmt.Errorf("read a wrong entry while writing")
			}
		}
	}
	return nil
}

// TestHelperWriter is the child process of TestCacheConcurrentWriters.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv("GOTL_BOTTLENECK_WRITER")
	if dir == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("GOTL_BOTTLENECK_ENTRIES"))
	if err := writeEntries(dir, n); err != nil {
		t.Fatal(err)
	}
}

// meanColorModel is a hand-written "network": per-channel means and
// standard deviations of the preprocessed image. It counts its calls.
type meanColorModel struct {
	mu     sync.Mutex
	images int
	calls  int
}

func (m *meanColorModel) Fingerprint() string { return "mean-color-v1" }
func (m *meanColorModel) OutputName() string  { return "stats:0" }
func (m *meanColorModel) Bottlenecks(imgs []*dataset.FloatImage) ([][]float32, error) {
	m.mu.Lock()
	m.images += len(imgs)
	m.calls++
	m.mu.Unlock()
	out := make([][]float32, len(imgs))
	for i, img := range imgs {
		out[i] = meanStd(img)
	}
	return out, nil
}

func meanStd(img *dataset.FloatImage) []float32 {
	var s, ss [3]float64
	n := float64(len(img.Pix) / 3)
	for p := 0; p < len(img.Pix); p += 3 {
		for c := 0; c < 3; c++ {
			x := float64(img.Pix[p+c])
			s[c] += x
			ss[c] += x * x
		}
	}
	v := make([]float32, 6)
	for c := 0; c < 3; c++ {
		m := s[c] / n
		v[c] = float32(m)
		v[3+c] = float32(ss[c]/n - m*m)
	}
	return v
}
