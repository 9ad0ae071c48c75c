package kernels

// DepthwiseGeom is the geometry of a depthwise 2-D convolution (channel
// multiplier 1) on NHWC tensors with a [KH, KW, C] filter: output (oy, ox)
// reads, for tap (i, j), the input at dilated position
// (oy·StrideH + i·DilH − PadTop, ox·StrideW + j·DilW − PadLeft), where the
// input is first dilated by InDilH×InDilW (zeros between its rows and
// columns, as in the input gradient of a strided convolution). Positions
// outside the (dilated) input contribute nothing.
type DepthwiseGeom struct {
	N, H, W, C       int
	KH, KW           int
	OH, OW           int
	StrideH, StrideW int
	DilH, DilW       int
	InDilH, InDilW   int
	PadTop, PadLeft  int
}

// axisRun describes, for one kernel tap along one axis, which outputs read
// a real input element: outputs first, first+step, … (count of them)
// reading inputs in0, in0+inStep, ….
type axisRun struct {
	first, step, count, in0, inStep int
}

// run solves o·stride + off ≡ 0 (mod inDil), 0 ≤ (o·stride+off)/inDil < in
// for outputs o in [0, out).
func run(out, in, stride, off, inDil int) axisRun {
	span := (in-1)*inDil + 1 // dilated input size
	// first o with o·stride + off ≥ 0
	lo := 0
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	// last o with o·stride + off ≤ span-1
	hi := out - 1
	if lim := span - 1 - off; lim < 0 {
		return axisRun{}
	} else if h := lim / stride; h < hi {
		hi = h
	}
	if lo > hi {
		return axisRun{}
	}
	if inDil == 1 {
		return axisRun{first: lo, step: 1, count: hi - lo + 1, in0: lo*stride + off, inStep: stride}
	}
	g := gcd(stride, inDil)
	step := inDil / g
	first := -1
	for o := lo; o < lo+step && o <= hi; o++ {
		if (o*stride+off)%inDil == 0 {
			first = o
			break
		}
	}
	if first < 0 {
		return axisRun{}
	}
	return axisRun{first: first, step: step, count: (hi-first)/step + 1,
		in0: (first*stride + off) / inDil, inStep: step * stride / inDil}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// channels applies a per-channel kernel to nvec full vectors through fn
// and leaves the rest (from the returned offset) to the caller: AVX-512
// sets use an AVX2 vector for an 8-channel remainder.
func (s *Set) channels(c int, fn func(set *Set, off, nvec int)) (done int) {
	if nvec := c / s.lanes; nvec > 0 {
		fn(s, 0, nvec)
		done = nvec * s.lanes
	}
	if h := s.half; h != nil && c-done >= h.lanes {
		fn(h, done, 1)
		done += h.lanes
	}
	return done
}

// DepthwiseForward computes out[N, OH, OW, C] from in[N, H, W, C] and
// filter f[KH, KW, C] (both row-major).
func (s *Set) DepthwiseForward(g DepthwiseGeom, in, f, out []float32) {
	c := g.C
	cols := make([]axisRun, g.KW)
	for j := range g.KW {
		cols[j] = run(g.OW, g.W, g.StrideW, j*g.DilW-g.PadLeft, g.InDilW)
	}
	rowsTotal := g.N * g.OH
	parallel(rowsTotal, g.N*g.OH*g.OW*c*g.KH*g.KW >= 1<<16, func(r int) {
		n, oy := r/g.OH, r%g.OH
		orow := out[(n*g.OH+oy)*g.OW*c : (n*g.OH+oy+1)*g.OW*c]
		clear(orow)
		for i := range g.KH {
			py := oy*g.StrideH + i*g.DilH - g.PadTop
			if py < 0 || py%g.InDilH != 0 || py/g.InDilH >= g.H {
				continue
			}
			irow := in[(n*g.H+py/g.InDilH)*g.W*c : (n*g.H+py/g.InDilH+1)*g.W*c]
			for j := range g.KW {
				cr := cols[j]
				if cr.count == 0 {
					continue
				}
				tap := f[(i*g.KW+j)*c : (i*g.KW+j+1)*c]
				o0, i0 := cr.first*c, cr.in0*c
				oStep, iStep := cr.step*c, cr.inStep*c
				done := s.channels(c, func(set *Set, off, nvec int) {
					set.dwTap(&orow[o0+off], oStep, &irow[i0+off], iStep, &tap[off], cr.count, nvec)
				})
				for t := range cr.count {
					od, id := o0+t*oStep, i0+t*iStep
					for ch := done; ch < c; ch++ {
						orow[od+ch] += irow[id+ch] * tap[ch]
					}
				}
			}
		}
	})
}

// DepthwiseFilterGrad computes df[KH, KW, C] = Σ over batch and output
// positions of in·dy, the filter gradient of DepthwiseForward (g must have
// no input dilation).
func (s *Set) DepthwiseFilterGrad(g DepthwiseGeom, in, dy, df []float32) {
	if g.InDilH != 1 || g.InDilW != 1 {
		panic("kernels: DepthwiseFilterGrad with input dilation")
	}
	c := g.C
	taps := g.KH * g.KW * c
	cols := make([]axisRun, g.KW)
	for j := range g.KW {
		cols[j] = run(g.OW, g.W, g.StrideW, j*g.DilW-g.PadLeft, 1)
	}
	// Each worker sums into its own partial gradient; rows are split into
	// as many chunks as threads.
	rowsTotal := g.N * g.OH
	chunks := min(Threads(), rowsTotal)
	if g.N*g.OH*g.OW*c*g.KH*g.KW < 1<<16 {
		chunks = 1
	}
	partial := make([][]float32, chunks)
	per := (rowsTotal + chunks - 1) / chunks
	parallel(chunks, chunks > 1, func(t int) {
		acc := make([]float32, taps)
		partial[t] = acc
		for r := t * per; r < min((t+1)*per, rowsTotal); r++ {
			n, oy := r/g.OH, r%g.OH
			dyrow := dy[(n*g.OH+oy)*g.OW*c : (n*g.OH+oy+1)*g.OW*c]
			for i := range g.KH {
				iy := oy*g.StrideH + i*g.DilH - g.PadTop
				if iy < 0 || iy >= g.H {
					continue
				}
				irow := in[(n*g.H+iy)*g.W*c : (n*g.H+iy+1)*g.W*c]
				for j := range g.KW {
					cr := cols[j]
					if cr.count == 0 {
						continue
					}
					a := acc[(i*g.KW+j)*c : (i*g.KW+j+1)*c]
					o0, i0 := cr.first*c, cr.in0*c
					oStep, iStep := cr.step*c, cr.inStep*c
					done := s.channels(c, func(set *Set, off, nvec int) {
						set.dwGrad(&a[off], &irow[i0+off], iStep, &dyrow[o0+off], oStep, cr.count, nvec)
					})
					for t := range cr.count {
						od, id := o0+t*oStep, i0+t*iStep
						for ch := done; ch < c; ch++ {
							a[ch] += irow[id+ch] * dyrow[od+ch]
						}
					}
				}
			}
		}
	})
	copy(df[:taps], partial[0])
	for _, p := range partial[1:] {
		s.VV(Add, df[:taps], df[:taps], p)
	}
}
