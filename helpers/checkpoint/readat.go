package checkpoint

import (
	"io"
	"runtime"
	"sync"
)

// parallelThreshold is the read size above which readFull splits the read
// over several goroutines: copying from the page cache is CPU-bound, so two
// cores copy a large tensor almost twice as fast as one.
const parallelThreshold = 8 << 20

// readFull fills buf from r at off, in parallel pieces for large buffers.
func readFull(r io.ReaderAt, buf []byte, off int64) error {
	workers := min(runtime.GOMAXPROCS(0), 4)
	if len(buf) < parallelThreshold || workers < 2 {
		_, err := r.ReadAt(buf, off)
		return err
	}
	piece := (len(buf) + workers - 1) / workers
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		lo := w * piece
		hi := min(lo+piece, len(buf))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[w] = r.ReadAt(buf[lo:hi], off+int64(lo))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
