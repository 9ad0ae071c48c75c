package kernels

// ConvGeom describes a 2-D convolution (no channel or batch groups) as an
// implicit GEMM: C[rows, O] = A[rows, K]·B[K, O] with K = KH·KW·Cin in
// (tap row, tap column, input channel) order.
//
// Rows are the output positions (batch b, output row o0, output column o1)
// in the order of the output's memory: RowKinds lists, outermost first,
// which of b (0), o0 (1) and o1 (2) each row axis is, RowDims their sizes.
//
// Input element (b, c, y, x) is In[b*InB + c*InC + y*InY + x*InX]. Output
// (o0, o1) and tap (t0, t1) read dilated input position
// p = o·Stride + t·Dil − Pad per axis; p must be inside the input dilated
// by InDil (holes between input elements contribute nothing), and the
// input element is p/InDil. Kernel element (t0, t1, c, o) is
// Kernel[t0*KT0 + t1*KT1 + c*KC + o*KO].
type ConvGeom struct {
	RowKinds, RowDims  [3]int
	Cin, O             int
	H, W               int // input spatial sizes (undilated)
	KH, KW             int
	InB, InC, InY, InX int
	Stride, Dil, InDil [2]int
	Pad                [2]int
	KT0, KT1, KC, KO   int
}

// Rows returns the GEMM's row count.
func (g *ConvGeom) Rows() int { return g.RowDims[0] * g.RowDims[1] * g.RowDims[2] }

// K returns the GEMM's contraction size.
func (g *ConvGeom) K() int { return g.KH * g.KW * g.Cin }

// decode returns the (b, o0, o1) of a row.
func (g *ConvGeom) decode(row int) (idx [3]int) {
	r2 := row % g.RowDims[2]
	row /= g.RowDims[2]
	r1 := row % g.RowDims[1]
	r0 := row / g.RowDims[1]
	idx[g.RowKinds[0]], idx[g.RowKinds[1]], idx[g.RowKinds[2]] = r0, r1, r2
	return idx
}

// inPos maps output o and tap t on axis a to the input index, or -1.
func (g *ConvGeom) inPos(a, o, t, size int) int {
	p := o*g.Stride[a] + t*g.Dil[a] - g.Pad[a]
	if p < 0 || p%g.InDil[a] != 0 {
		return -1
	}
	p /= g.InDil[a]
	if p >= size {
		return -1
	}
	return p
}

// ConvA is the implicit im2col matrix of a convolution's input: an ASource
// that gathers blocks of patches on demand (never the whole matrix).
type ConvA struct {
	G  *ConvGeom
	In []float32
}

// Block implements ASource.
func (a ConvA) Block(buf []float32, i0, rows, k0, cols int) ([]float32, int) {
	g := a.G
	switch {
	case g.InC == 1:
		a.blockChannelsInner(buf, i0, rows, k0, cols)
	case g.InB == 1 && g.RowKinds[2] == 0:
		a.blockBatchInner(buf, i0, rows, k0, cols)
	default:
		a.blockGeneric(buf, i0, rows, k0, cols)
	}
	return buf, cols
}

// blockChannelsInner: channels contiguous in the input (NHWC); each row
// is a run of channel segments, one per tap. Without column dilation the
// taps of one kernel row read one contiguous run of the input row, copied
// at once (MobileNet's first layer has 3 channels: per-tap copies of 12
// bytes dominated its time).
func (a ConvA) blockChannelsInner(buf []float32, i0, rows, k0, cols int) {
	g := a.G
	rowLen := g.KW * g.Cin // k-span of one kernel row
	merge := g.Dil[1] == 1 && g.InDil[1] == 1 && g.InX == g.Cin
	for r := range rows {
		idx := g.decode(i0 + r)
		base := idx[0] * g.InB
		dst := buf[r*cols : r*cols+cols]
		for t0 := k0 / rowLen; t0*rowLen < k0+cols; t0++ {
			lo, hi := max(k0, t0*rowLen), min(k0+cols, (t0+1)*rowLen) // k-range of this kernel row
			seg := dst[lo-k0 : hi-k0]
			y := g.inPos(0, idx[1], t0, g.H)
			if y < 0 {
				clear(seg)
				continue
			}
			rowBase := base + y*g.InY
			if merge {
				// Offsets within the kernel row: [lo, hi) - t0*rowLen.
				// Real input columns x = ox*stride + j - pad for j in [jlo, jhi).
				x0 := idx[2]*g.Stride[1] - g.Pad[1]
				jlo, jhi := max(0, -x0), min(g.KW, g.W-x0)
				vlo, vhi := t0*rowLen+jlo*g.Cin, t0*rowLen+jhi*g.Cin // valid k-range
				vlo, vhi = max(vlo, lo), min(vhi, hi)
				if vlo >= vhi {
					clear(seg)
					continue
				}
				clear(dst[lo-k0 : vlo-k0])
				src := a.In[rowBase+x0*g.Cin+(vlo-t0*rowLen) : rowBase+x0*g.Cin+(vhi-t0*rowLen)]
				copyFloats(dst[vlo-k0:vhi-k0], src)
				clear(dst[vhi-k0 : hi-k0])
				continue
			}
			for k := lo; k < hi; {
				j, c := (k-t0*rowLen)/g.Cin, (k-t0*rowLen)%g.Cin
				n := min(g.Cin-c, hi-k)
				part := dst[k-k0 : k-k0+n]
				if x := g.inPos(1, idx[2], j, g.W); x < 0 {
					clear(part)
				} else {
					off := rowBase + x*g.InX + c
					copyFloats(part, a.In[off:off+n])
				}
				k += n
			}
		}
	}
}

// copyFloats is copy, with a plain loop for short runs (cheaper than a
// memmove call).
func copyFloats(dst, src []float32) {
	if len(dst) < 16 {
		for i := range dst {
			dst[i] = src[i]
		}
		return
	}
	copy(dst, src)
}

// blockBatchInner: rows' innermost axis is the batch and batch elements
// are contiguous in the input (the filter gradient, where input channels
// play the batch): runs of rows read contiguous memory for each column.
func (a ConvA) blockBatchInner(buf []float32, i0, rows, k0, cols int) {
	g := a.G
	nb := g.RowDims[2]
	for r := 0; r < rows; {
		idx := g.decode(i0 + r)
		run := min(nb-idx[0], rows-r)
		for kk := range cols {
			k := k0 + kk
			tap, c := k/g.Cin, k%g.Cin
			y := g.inPos(0, idx[1], tap/g.KW, g.H)
			x := g.inPos(1, idx[2], tap%g.KW, g.W)
			if y < 0 || x < 0 {
				for q := range run {
					buf[(r+q)*cols+kk] = 0
				}
				continue
			}
			src := a.In[idx[0]+c*g.InC+y*g.InY+x*g.InX:]
			src = src[:run]
			for q, v := range src {
				buf[(r+q)*cols+kk] = v
			}
		}
		r += run
	}
}

func (a ConvA) blockGeneric(buf []float32, i0, rows, k0, cols int) {
	g := a.G
	for r := range rows {
		idx := g.decode(i0 + r)
		base := idx[0] * g.InB
		for kk := range cols {
			k := k0 + kk
			tap, c := k/g.Cin, k%g.Cin
			y := g.inPos(0, idx[1], tap/g.KW, g.H)
			x := g.inPos(1, idx[2], tap%g.KW, g.W)
			if y < 0 || x < 0 {
				buf[r*cols+kk] = 0
			} else {
				buf[r*cols+kk] = a.In[base+c*g.InC+y*g.InY+x*g.InX]
			}
		}
	}
}

// ConvB is a convolution kernel seen as the GEMM's B[K, O].
type ConvB struct {
	G      *ConvGeom
	Kernel []float32
}

// Pack implements BSource.
func (b ConvB) Pack(dst []float32, k0, rows, j0, cols, nr int) {
	g := b.G
	for kk := range rows {
		k := k0 + kk
		tap, c := k/g.Cin, k%g.Cin
		base := (tap/g.KW)*g.KT0 + (tap%g.KW)*g.KT1 + c*g.KC + j0*g.KO
		row := dst[kk*nr : kk*nr+nr]
		if g.KO == 1 {
			copy(row, b.Kernel[base:base+cols])
		} else {
			for j := range cols {
				row[j] = b.Kernel[base+j*g.KO]
			}
		}
		clear(row[cols:])
	}
}
