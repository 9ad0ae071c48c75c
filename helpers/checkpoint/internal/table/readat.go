package table

import (
	"io"
	"runtime"
	"sync"
)

// parallelThreshold is the read size above which ReadAtCRC32C splits the work
// over several goroutines: copying from the page cache and checksumming are
// CPU-bound, so two cores handle a large tensor almost twice as fast as one.
const parallelThreshold = 8 << 20

// ReadAtCRC32C fills buf from r at off and returns the CRC32C of buf.
// Large buffers are read and checksummed in parallel pieces whose CRCs are
// then combined.
func ReadAtCRC32C(r io.ReaderAt, buf []byte, off int64) (uint32, error) {
	workers := min(runtime.GOMAXPROCS(0), 4)
	if len(buf) < parallelThreshold || workers < 2 {
		if _, err := r.ReadAt(buf, off); err != nil {
			return 0, err
		}
		return CRC32C(buf), nil
	}
	piece := (len(buf) + workers - 1) / workers
	var wg sync.WaitGroup
	errs := make([]error, workers)
	crcs := make([]uint32, workers)
	for w := 0; w < workers; w++ {
		lo, hi := w*piece, min((w+1)*piece, len(buf))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Checksum each chunk right after reading it, while it is
			// still in the CPU cache.
			const chunk = 1 << 20
			var crc uint32
			for c := lo; c < hi; c += chunk {
				end := min(c+chunk, hi)
				if _, err := r.ReadAt(buf[c:end], off+int64(c)); err != nil {
					errs[w] = err
					return
				}
				crc = ExtendCRC32C(crc, buf[c:end])
			}
			crcs[w] = crc
		}()
	}
	wg.Wait()
	crc := crcs[0]
	for w := 1; w < workers; w++ {
		if errs[w-1] != nil {
			return 0, errs[w-1]
		}
		lo, hi := w*piece, min((w+1)*piece, len(buf))
		if lo < hi {
			crc = CombineCRC32C(crc, crcs[w], int64(hi-lo))
		}
	}
	if errs[workers-1] != nil {
		return 0, errs[workers-1]
	}
	return crc, nil
}
