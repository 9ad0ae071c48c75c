package checkpoint_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotl/gotl/helpers/checkpoint"
	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/internal/memtest"
)

// The V2 entry: shape [4294967296, 4294967296] with size 0 has 2^64
// elements, which wrapped to 0, so gotl printed "values":[] and exited 0.
func TestV2EntryWhoseElementCountOverflows(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "m.ckpt")
	writeIndex(t, prefix, map[string]bundlepb.Entry{"x": {DType: tensor.Float, Shape: bundlepb.Shape{Dims: []int64{1 << 32, 1 << 32}}}})
	r, err := checkpoint.Open(prefix)
	if err != nil {
		t.Fatal(err) // listing the variable is fine; reading it is not
	}
	defer r.Close()
	_, err = r.Tensor("x")
	if !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), `tensor "x": tensor of shape [4294967296 4294967296] needs more elements than an int64 can count`) {
		t.Errorf("Tensor(x) = %v", err)
	}
}

// Zero-sized tensors stay readable: a zero dimension makes the others
// irrelevant, however large.
func TestV2ZeroSizedEntries(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "m.ckpt")
	writeIndex(t, prefix, map[string]bundlepb.Entry{"x": {DType: tensor.Float, Shape: bundlepb.Shape{Dims: []int64{1 << 40, 0}}}})
	r, err := checkpoint.Open(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if x, err := r.Tensor("x"); err != nil || x.NumElements() != 0 || len(x.Data) != 0 {
		t.Errorf("Tensor(x) = %v, %v", x, err)
	}
}

// Checkpoint tensors follow the same element limit as every other reader,
// in V1 and V2, whole or partitioned, and the error says how to raise it.
func TestCheckpointTensorsFollowTheElementLimit(t *testing.T) {
	dir := t.TempDir()
	v2 := filepath.Join(dir, "v2.ckpt")
	if err := checkpoint.Write(v2, map[string]*tensor.Tensor{"w": iota32([]int64{40, 50}, 0)}); err != nil {
		t.Fatal(err)
	}
	v1 := filepath.Join(dir, "v1.ckpt")
	buildV1(t, v1, []partitioned{{name: "w", dtype: tensor.Float, shape: []int64{40, 50}, parts: []slicePart{
		{bundlepb.Slice{ext(0, 20), {}}, iota32([]int64{20, 50}, 0)},
		{bundlepb.Slice{ext(20, 20), {}}, iota32([]int64{20, 50}, 1000)},
	}}})
	for _, path := range []string{v2, v1} {
		r := mustOpen(t, path)
		prev := limits.TensorElements.Set(1999)
		_, err := r.Tensor("w")
		limits.TensorElements.Set(prev)
		if !errors.Is(err, limits.ErrExceeded) || errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(err.Error(), "GOTL_MAX_TENSOR_ELEMENTS") {
			t.Errorf("%s under a limit of 1999 elements: %v", filepath.Base(path), err)
		}
		if w, err := r.Tensor("w"); err != nil || w.NumElements() != 2000 {
			t.Errorf("%s under the default limit: %v", filepath.Base(path), err)
		}
		r.Close()
	}
}

// Only regular files are read: a FIFO or a symbolic link to /dev/zero in
// place of an index, a data shard, a V1 file or the state file fails at once
// instead of blocking forever or reading until memory runs out.
func TestCheckpointRefusesFilesThatAreNotRegular(t *testing.T) {
	swap := func(path, how string) {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		var err error
		if how == "fifo" {
			err = syscall.Mkfifo(path, 0o644)
		} else {
			err = os.Symlink("/dev/zero", path)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	open := func(path string) error {
		done := make(chan error, 1)
		go func() {
			r, err := checkpoint.Open(path)
			if err == nil {
				_, err = r.Tensor("dense/bias")
				r.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("Open(%s) blocked", path)
			return nil
		}
	}
	for _, how := range []string{"fifo", "zero"} {
		prefix, _ := writeSmall(t)
		swap(checkpoint.DataFilename(prefix, 0, 1), how)
		if err := open(prefix); !errors.Is(err, limits.ErrNotRegular) {
			t.Errorf("data shard as %s: %v", how, err)
		}
		prefix, _ = writeSmall(t)
		swap(prefix+".index", how)
		if err := open(prefix + ".index"); err == nil {
			t.Errorf("index as %s: no error", how)
		}
		prefix, _ = writeSmall(t)
		dir := filepath.Dir(prefix)
		swap(filepath.Join(dir, checkpoint.StateFile), how)
		if err := open(dir); !errors.Is(err, limits.ErrNotRegular) {
			t.Errorf("state file as %s: %v", how, err)
		}
	}
}

// Hostile checkpoints are refused in bounded memory, measured in a child
// process (internal/memtest): each declares a tensor of 2^64 or 2^40
// elements in an index of a few hundred bytes.
func TestHostileCheckpointsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	build := map[string]func(prefix string){
		"v2 overflowing shape": func(p string) {
			writeIndex(t, p, map[string]bundlepb.Entry{"x": {DType: tensor.Float, Shape: bundlepb.Shape{Dims: []int64{1 << 32, 1 << 32}}}})
		},
		"v2 huge float": func(p string) {
			writeIndex(t, p, map[string]bundlepb.Entry{"x": {DType: tensor.Float, Shape: bundlepb.Shape{Dims: []int64{1 << 20, 1 << 20}}, Size: 4 << 40}})
		},
		"v2 huge strings": func(p string) {
			writeIndex(t, p, map[string]bundlepb.Entry{"x": {DType: tensor.String, Shape: bundlepb.Shape{Dims: []int64{1 << 30}}, Size: 8}})
		},
		"v1 huge": func(p string) {
			buildV1(t, p, []partitioned{{name: "x", dtype: tensor.Double, shape: []int64{1 << 20, 1 << 20}, parts: []slicePart{{bundlepb.Slice{ext(0, 1<<20), {}}, iota32([]int64{1}, 0)}}}})
		},
	}
	var cases []memtest.Case
	for name, b := range build {
		prefix := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		b(prefix)
		cases = append(cases, memtest.Case{
			Name: name,
			Run: func(_, stderr io.Writer) int {
				r, err := checkpoint.Open(prefix)
				if err == nil {
					_, err = r.Tensor("x")
				}
				if err == nil {
					return 0
				}
				fmt.Fprintln(stderr, err)
				return 1
			},
			Exit:   1,
			Stderr: `^checkpoint: [^\n]*tensor "x"[^\n]*\n$`,
			MaxRSS: 64 << 20,
		})
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	memtest.Run(t, cases...)
}
