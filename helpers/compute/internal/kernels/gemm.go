package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Blocking: KC columns of A (rows of B) per pass, MC rows of A per block;
// an MC×KC block of A (≤ 96 KB) stays in L2 while the packed B panels
// (KC×NR) stream through L1.
const (
	kc = 256
	mc = 96
)

// ASource gives blocks of the left GEMM operand A[m, k].
type ASource interface {
	// Block returns rows [i0, i0+rows) and columns [k0, k0+cols) of A as a
	// row-major view with leading dimension lda: a view into the operand,
	// or buf (len ≥ rows*cols) filled with lda = cols.
	Block(buf []float32, i0, rows, k0, cols int) (view []float32, lda int)
}

// BSource packs the right GEMM operand B[k, n].
type BSource interface {
	// Pack writes rows [k0, k0+rows) and columns [j0, j0+cols) of B to dst
	// as rows of nr floats (cols ≤ nr); Pack zero-fills the rest.
	Pack(dst []float32, k0, rows, j0, cols, nr int)
}

// Dense is a strided matrix: element (i, j) is Data[Off + i*RowStride +
// j*ColStride]. It is an ASource and a BSource.
type Dense struct {
	Data                 []float32
	Off                  int
	RowStride, ColStride int
}

// Block implements ASource: a view when rows are contiguous, else a copy.
func (d Dense) Block(buf []float32, i0, rows, k0, cols int) ([]float32, int) {
	if d.ColStride == 1 {
		return d.Data[d.Off+i0*d.RowStride+k0:], d.RowStride
	}
	if d.RowStride == 1 { // transposed: walk columns, reading contiguous memory
		for kk := range cols {
			src := d.Data[d.Off+(k0+kk)*d.ColStride+i0:]
			src = src[:rows]
			for r, v := range src {
				buf[r*cols+kk] = v
			}
		}
		return buf, cols
	}
	for r := range rows {
		base := d.Off + (i0+r)*d.RowStride + k0*d.ColStride
		dst := buf[r*cols : r*cols+cols]
		for kk := range dst {
			dst[kk] = d.Data[base+kk*d.ColStride]
		}
	}
	return buf, cols
}

// Pack implements BSource.
func (d Dense) Pack(dst []float32, k0, rows, j0, cols, nr int) {
	for kk := range rows {
		row := dst[kk*nr : kk*nr+nr]
		base := d.Off + (k0+kk)*d.RowStride + j0*d.ColStride
		if d.ColStride == 1 {
			copy(row, d.Data[base:base+cols])
		} else {
			for j := range cols {
				row[j] = d.Data[base+j*d.ColStride]
			}
		}
		clear(row[cols:])
	}
}

var floatPool sync.Pool

func getFloats(n int) []float32 {
	if p, ok := floatPool.Get().(*[]float32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float32, n)
}

func putFloats(s []float32) { floatPool.Put(&s) }

// Threads is the number of goroutines a large kernel call uses.
func Threads() int { return runtime.GOMAXPROCS(0) }

// PackedB is B packed for the micro-kernels of one Set: [k-block][panel]
// [kc][nr]. Packing once and reusing it saves the pass over B on every
// call (weights of a network).
type PackedB struct {
	set  *Set
	k, n int
	data []float32
}

// PackB packs B[k, n] from src, in parallel when it is large. buf, if long
// enough, is used as storage.
func (s *Set) PackB(k, n int, src BSource, buf []float32) *PackedB {
	panels := (n + s.nr - 1) / s.nr
	size := k * panels * s.nr
	if cap(buf) >= size {
		buf = buf[:size]
	} else {
		buf = make([]float32, size)
	}
	p := &PackedB{set: s, k: k, n: n, data: buf}
	type job struct{ pc, jp int }
	var jobs []job
	for pc := 0; pc < k; pc += kc {
		for jp := range panels {
			jobs = append(jobs, job{pc, jp})
		}
	}
	parallel(len(jobs), k*n >= 1<<15, func(i int) {
		j := jobs[i]
		rows := min(kc, k-j.pc)
		off := j.pc*panels*s.nr + j.jp*rows*s.nr
		j0 := j.jp * s.nr
		src.Pack(p.data[off:off+rows*s.nr], j.pc, rows, j0, min(s.nr, n-j0), s.nr)
	})
	return p
}

// panel returns packed B rows [pc, pc+rows) of panel jp.
func (p *PackedB) panel(pc, rows, jp int) []float32 {
	panels := (p.n + p.set.nr - 1) / p.set.nr
	off := pc*panels*p.set.nr + jp*rows*p.set.nr
	return p.data[off : off+rows*p.set.nr]
}

// parallel runs fn(0..n-1) on up to Threads() goroutines (inline when
// !worthIt or n == 1).
func parallel(n int, worthIt bool, fn func(i int)) {
	threads := min(Threads(), n)
	if !worthIt || threads <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Gemm computes C[m, n] = A[m, k]·B[k, n] (plus C when accumulate), C
// row-major with leading dimension ldc. B is packed here; see GemmPacked
// to reuse a packed B.
func (s *Set) Gemm(m, n, k int, a ASource, b BSource, c []float32, ldc int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	panels := (n + s.nr - 1) / s.nr
	buf := getFloats(k * panels * s.nr)
	p := s.PackB(k, n, b, buf)
	s.GemmPacked(m, a, p, c, ldc, accumulate)
	putFloats(buf)
}

// GemmPacked is Gemm with B already packed (by the same Set).
func (s *Set) GemmPacked(m int, a ASource, b *PackedB, c []float32, ldc int, accumulate bool) {
	k, n := b.k, b.n
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	panels := (n + s.nr - 1) / s.nr
	// Tasks: blocks of mc rows × ranges of panels. Split the panels too
	// when there are fewer row blocks than threads (small m: a batch-1
	// dense layer, a filter gradient).
	blocks := (m + mc - 1) / mc
	threads := Threads()
	worth := 2*float64(m)*float64(n)*float64(k) >= 2e6
	split := 1
	if worth && blocks < threads {
		split = min(panels, (threads+blocks-1)/blocks)
	}
	per := (panels + split - 1) / split
	parallel(blocks*split, worth, func(t int) {
		ib, js := t/split, t%split
		i0 := ib * mc
		rows := min(mc, m-i0)
		p0, p1 := js*per, min((js+1)*per, panels)
		if p0 >= p1 {
			return
		}
		s.gemmBlock(i0, rows, p0, p1, a, b, c, ldc, accumulate)
	})
}

// gemmBlock computes rows [i0, i0+rows) × panels [p0, p1) of C.
func (s *Set) gemmBlock(i0, rows, p0, p1 int, a ASource, b *PackedB, c []float32, ldc int, accumulate bool) {
	mr, nr := s.mr, s.nr
	k, n := b.k, b.n
	abuf := getFloats(mc * kc)
	tail := getFloats(mr * kc)
	var edge [12 * 32]float32
	for pc := 0; pc < k; pc += kc {
		kcur := min(kc, k-pc)
		acc := 0
		if accumulate || pc > 0 {
			acc = 1
		}
		view, lda := a.Block(abuf, i0, rows, pc, kcur)
		for jp := p0; jp < p1; jp++ {
			j0 := jp * nr
			w := min(nr, n-j0)
			bp := b.panel(pc, kcur, jp)
			for ir := 0; ir < rows; ir += mr {
				h := min(mr, rows-ir)
				ap, ld := &view[ir*lda], lda
				if h < mr {
					clear(tail[:mr*kcur])
					for r := range h {
						copy(tail[r*kcur:r*kcur+kcur], view[(ir+r)*lda:(ir+r)*lda+kcur])
					}
					ap, ld = &tail[0], kcur
				}
				row := i0 + ir
				if h == mr && w == nr {
					s.gemm(kcur, ap, ld, &bp[0], &c[row*ldc+j0], ldc, acc)
					continue
				}
				s.gemm(kcur, ap, ld, &bp[0], &edge[0], nr, 0)
				for r := range h {
					dst := c[(row+r)*ldc+j0 : (row+r)*ldc+j0+w]
					src := edge[r*nr : r*nr+w]
					if acc != 0 {
						for x := range dst {
							dst[x] += src[x]
						}
					} else {
						copy(dst, src)
					}
				}
			}
		}
	}
	putFloats(abuf)
	putFloats(tail)
}
