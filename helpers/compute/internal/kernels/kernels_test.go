package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// levels returns the sets this machine can test; the test is skipped
// where there are none (other architectures, purego builds).
func levels(t *testing.T) []*Set {
	t.Helper()
	var out []*Set
	for _, l := range []Level{AVX2, AVX512} {
		if s := For(l); s != nil {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		t.Skip("no SIMD kernels on this machine/build")
	}
	return out
}

func randFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// closeTo compares with a tolerance relative to the sum of |terms| that
// produced each value (want64 and scale64), NaN and ±Inf exactly.
func closeTo(got float32, want, scale float64) bool {
	g := float64(got)
	if math.IsNaN(want) || math.IsNaN(g) {
		return math.IsNaN(want) && math.IsNaN(g)
	}
	if math.IsInf(want, 0) || math.IsInf(g, 0) {
		return g == want
	}
	return math.Abs(g-want) <= 1e-5*scale+1e-30
}

func naiveGemm(m, n, k int, a, b Dense) (out, scale []float64) {
	out, scale = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			s, sa := 0.0, 0.0
			for p := range k {
				x := float64(a.Data[a.Off+i*a.RowStride+p*a.ColStride]) * float64(b.Data[b.Off+p*b.RowStride+j*b.ColStride])
				s += x
				sa += math.Abs(x)
			}
			out[i*n+j], scale[i*n+j] = s, sa
		}
	}
	return
}

func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {1, 1008, 2048}, {5, 7, 3}, {13, 33, 17}, {12, 32, 256}, {97, 65, 300},
		{100, 31, 513}, {289, 192, 768}, {7, 200, 1}, {25, 17, 1000}}
	for _, s := range levels(t) {
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, accumulate := range []bool{false, true} {
						name := fmt.Sprintf("%s/%dx%dx%d/ta=%v,tb=%v,acc=%v", s.Level(), m, n, k, ta, tb, accumulate)
						a := Dense{Data: randFloats(r, m*k+3), Off: 3, RowStride: k, ColStride: 1}
						if ta {
							a.RowStride, a.ColStride = 1, m
						}
						b := Dense{Data: randFloats(r, k*n+1), Off: 1, RowStride: n, ColStride: 1}
						if tb {
							b.RowStride, b.ColStride = 1, k
						}
						ldc := n + 2
						c := randFloats(r, m*ldc)
						before := append([]float32(nil), c...)
						s.Gemm(m, n, k, a, b, c, ldc, accumulate)
						want, scale := naiveGemm(m, n, k, a, b)
						for i := range m {
							for j := range n {
								w := want[i*n+j]
								if accumulate {
									w += float64(before[i*ldc+j])
								}
								if !closeTo(c[i*ldc+j], w, scale[i*n+j]+1) {
									t.Fatalf("%s: C[%d,%d] = %g, want %g", name, i, j, c[i*ldc+j], w)
								}
							}
							for j := n; j < ldc; j++ {
								if c[i*ldc+j] != before[i*ldc+j] {
									t.Fatalf("%s: wrote outside C at [%d,%d]", name, i, j)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestGemmNaNInf(t *testing.T) {
	for _, s := range levels(t) {
		m, n, k := 14, 35, 20
		r := rand.New(rand.NewPCG(3, 4))
		a := Dense{Data: randFloats(r, m*k), RowStride: k, ColStride: 1}
		b := Dense{Data: randFloats(r, k*n), RowStride: n, ColStride: 1}
		a.Data[2*k+5] = float32(math.NaN()) // row 2 → NaN
		a.Data[7*k+1] = float32(math.Inf(1))
		b.Data[1*n+3] = 0 // row 7 · column 3 = Inf·0 = NaN
		c := make([]float32, m*n)
		for i := range c {
			c[i] = float32(math.NaN()) // garbage must be overwritten
		}
		s.Gemm(m, n, k, a, b, c, n, false)
		want, scale := naiveGemm(m, n, k, a, b)
		for i := range c {
			if !closeTo(c[i], want[i], scale[i]+1) {
				t.Fatalf("%s: C[%d] = %g, want %g", s.Level(), i, c[i], want[i])
			}
		}
		if !math.IsNaN(float64(c[2*n])) || !math.IsNaN(float64(c[7*n+3])) || !math.IsInf(float64(c[7*n+4]), 0) {
			t.Fatalf("%s: NaN/Inf not propagated: %g %g %g", s.Level(), c[2*n], c[7*n+3], c[7*n+4])
		}
	}
}

func naiveConv(g *ConvGeom, in, kernel []float32) (out, scale []float64) {
	rows := g.Rows()
	out, scale = make([]float64, rows*g.O), make([]float64, rows*g.O)
	for row := range rows {
		idx := g.decode(row)
		for o := range g.O {
			s, sa := 0.0, 0.0
			for t0 := range g.KH {
				for t1 := range g.KW {
					y, x := g.inPos(0, idx[1], t0, g.H), g.inPos(1, idx[2], t1, g.W)
					if y < 0 || x < 0 {
						continue
					}
					for c := range g.Cin {
						p := float64(in[idx[0]*g.InB+c*g.InC+y*g.InY+x*g.InX]) * float64(kernel[t0*g.KT0+t1*g.KT1+c*g.KC+o*g.KO])
						s += p
						sa += math.Abs(p)
					}
				}
			}
			out[row*g.O+o], scale[row*g.O+o] = s, sa
		}
	}
	return
}

func outSize(in, k, stride, dil, inDil, padLo, padHi int) int {
	span := (in-1)*inDil + 1 + padLo + padHi - ((k-1)*dil + 1)
	if span < 0 {
		return 0
	}
	return span/stride + 1
}

// TestConvGemm checks the implicit GEMM on NHWC forward geometry, on the
// input-gradient form (input dilation) and on the filter-gradient form
// (batch innermost, channels strided).
func TestConvGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range levels(t) {
		for iter := range 40 {
			n, h, w, cin, o := 1+r.IntN(3), 1+r.IntN(9), 1+r.IntN(9), 1+r.IntN(20), 1+r.IntN(40)
			kh, kw := 1+r.IntN(3), 1+r.IntN(3)
			g := &ConvGeom{Cin: cin, O: o, H: h, W: w, KH: kh, KW: kw,
				Stride: [2]int{1 + r.IntN(2), 1 + r.IntN(2)}, Dil: [2]int{1 + r.IntN(2), 1 + r.IntN(2)},
				InDil: [2]int{1 + r.IntN(2), 1 + r.IntN(2)}, Pad: [2]int{r.IntN(3), r.IntN(3)}}
			oh := outSize(h, kh, g.Stride[0], g.Dil[0], g.InDil[0], g.Pad[0], r.IntN(3))
			ow := outSize(w, kw, g.Stride[1], g.Dil[1], g.InDil[1], g.Pad[1], r.IntN(3))
			if oh == 0 || ow == 0 {
				continue
			}
			layout := iter % 3
			switch layout {
			case 0: // NHWC input, rows (b, y, x)
				g.InB, g.InY, g.InX, g.InC = h*w*cin, w*cin, cin, 1
				g.RowKinds, g.RowDims = [3]int{0, 1, 2}, [3]int{n, oh, ow}
			case 1: // batch innermost: "input" [cin][h][w][n], rows (y, x, b)
				g.InC, g.InY, g.InX, g.InB = h*w*n, w*n, n, 1
				g.RowKinds, g.RowDims = [3]int{1, 2, 0}, [3]int{oh, ow, n}
			default: // NCHW-like input, rows (b, y, x)
				g.InB, g.InC, g.InY, g.InX = cin*h*w, h*w, w, 1
				g.RowKinds, g.RowDims = [3]int{0, 1, 2}, [3]int{n, oh, ow}
			}
			// Kernel HWIO or HWOI.
			g.KT0, g.KT1 = kw*cin*o, cin*o
			if r.IntN(2) == 0 {
				g.KC, g.KO = o, 1
			} else {
				g.KC, g.KO = 1, cin
			}
			in := randFloats(r, n*h*w*cin)
			kernel := randFloats(r, kh*kw*cin*o)
			out := make([]float32, g.Rows()*o)
			s.Gemm(g.Rows(), o, g.K(), ConvA{G: g, In: in}, ConvB{G: g, Kernel: kernel}, out, o, false)
			want, scale := naiveConv(g, in, kernel)
			for i := range out {
				if !closeTo(out[i], want[i], scale[i]+1) {
					t.Fatalf("%s iter %d layout %d %+v: out[%d] = %g, want %g", s.Level(), iter, layout, *g, i, out[i], want[i])
				}
			}
		}
	}
}

func naiveDepthwise(g DepthwiseGeom, in, f []float32) (out, scale []float64) {
	out, scale = make([]float64, g.N*g.OH*g.OW*g.C), make([]float64, g.N*g.OH*g.OW*g.C)
	for n := range g.N {
		for oy := range g.OH {
			for ox := range g.OW {
				for c := range g.C {
					s, sa := 0.0, 0.0
					for i := range g.KH {
						for j := range g.KW {
							py := oy*g.StrideH + i*g.DilH - g.PadTop
							px := ox*g.StrideW + j*g.DilW - g.PadLeft
							if py < 0 || px < 0 || py%g.InDilH != 0 || px%g.InDilW != 0 || py/g.InDilH >= g.H || px/g.InDilW >= g.W {
								continue
							}
							p := float64(in[((n*g.H+py/g.InDilH)*g.W+px/g.InDilW)*g.C+c]) * float64(f[(i*g.KW+j)*g.C+c])
							s += p
							sa += math.Abs(p)
						}
					}
					k := ((n*g.OH+oy)*g.OW+ox)*g.C + c
					out[k], scale[k] = s, sa
				}
			}
		}
	}
	return
}

func randDepthwise(r *rand.Rand, inDil bool) (DepthwiseGeom, bool) {
	g := DepthwiseGeom{N: 1 + r.IntN(3), H: 1 + r.IntN(12), W: 1 + r.IntN(12),
		C: []int{1, 3, 8, 16, 24, 37, 40, 64}[r.IntN(8)], KH: 1 + r.IntN(4), KW: 1 + r.IntN(4),
		StrideH: 1 + r.IntN(2), StrideW: 1 + r.IntN(3), DilH: 1 + r.IntN(2), DilW: 1 + r.IntN(2),
		InDilH: 1, InDilW: 1, PadTop: r.IntN(3), PadLeft: r.IntN(3)}
	if inDil {
		g.InDilH, g.InDilW = 1+r.IntN(3), 1+r.IntN(2)
	}
	g.OH = outSize(g.H, g.KH, g.StrideH, g.DilH, g.InDilH, g.PadTop, r.IntN(3))
	g.OW = outSize(g.W, g.KW, g.StrideW, g.DilW, g.InDilW, g.PadLeft, r.IntN(3))
	return g, g.OH > 0 && g.OW > 0
}

func TestDepthwiseForward(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range levels(t) {
		for iter := range 300 {
			g, ok := randDepthwise(r, iter%2 == 1)
			if !ok {
				continue
			}
			in := randFloats(r, g.N*g.H*g.W*g.C)
			f := randFloats(r, g.KH*g.KW*g.C)
			if iter%7 == 0 {
				in[r.IntN(len(in))] = float32(math.NaN())
				in[r.IntN(len(in))] = float32(math.Inf(-1))
			}
			out := make([]float32, g.N*g.OH*g.OW*g.C)
			for i := range out {
				out[i] = 42
			}
			s.DepthwiseForward(g, in, f, out)
			want, scale := naiveDepthwise(g, in, f)
			for i := range out {
				if !closeTo(out[i], want[i], scale[i]+1) {
					t.Fatalf("%s iter %d %+v: out[%d] = %g, want %g", s.Level(), iter, g, i, out[i], want[i])
				}
			}
		}
	}
}

func TestDepthwiseFilterGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, s := range levels(t) {
		for iter := range 200 {
			g, ok := randDepthwise(r, false)
			if !ok {
				continue
			}
			if iter%5 == 0 { // large enough to run in parallel
				g.N, g.H, g.W, g.C = 2, 30, 30, 40
				g.OH = outSize(g.H, g.KH, g.StrideH, g.DilH, 1, g.PadTop, 1)
				g.OW = outSize(g.W, g.KW, g.StrideW, g.DilW, 1, g.PadLeft, 1)
			}
			in := randFloats(r, g.N*g.H*g.W*g.C)
			dy := randFloats(r, g.N*g.OH*g.OW*g.C)
			df := make([]float32, g.KH*g.KW*g.C)
			s.DepthwiseFilterGrad(g, in, dy, df)
			for i := range g.KH {
				for j := range g.KW {
					for c := range g.C {
						sum, sa := 0.0, 0.0
						for n := range g.N {
							for oy := range g.OH {
								for ox := range g.OW {
									y, x := oy*g.StrideH+i*g.DilH-g.PadTop, ox*g.StrideW+j*g.DilW-g.PadLeft
									if y < 0 || x < 0 || y >= g.H || x >= g.W {
										continue
									}
									p := float64(in[((n*g.H+y)*g.W+x)*g.C+c]) * float64(dy[((n*g.OH+oy)*g.OW+ox)*g.C+c])
									sum += p
									sa += math.Abs(p)
								}
							}
						}
						k := (i*g.KW+j)*g.C + c
						if !closeTo(df[k], sum, sa+1) {
							t.Fatalf("%s iter %d %+v: df[%d] = %g, want %g", s.Level(), iter, g, k, df[k], sum)
						}
					}
				}
			}
		}
	}
}

func TestElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, 1e-40}
	for _, s := range levels(t) {
		for op := Op(0); op < numOps; op++ {
			for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 100} {
				a, b := randFloats(r, n), randFloats(r, n)
				for i := range a {
					if r.IntN(4) == 0 {
						a[i] = special[r.IntN(len(special))]
					}
					if r.IntN(4) == 0 {
						b[i] = special[r.IntN(len(special))]
					}
				}
				c := float32(0.5)
				if n > 0 && r.IntN(2) == 0 {
					c = special[r.IntN(len(special))]
				}
				out := make([]float32, n)
				check := func(kind string, i int, got, want float32) {
					if got != want && !(got != got && want != want) {
						t.Fatalf("%s %s %s n=%d [%d]: got %g, want %g (a=%g b=%g c=%g)", s.Level(), op, kind, n, i, got, want, a[i], b[i], c)
					}
				}
				s.VV(op, out, a, b)
				for i := range out {
					check("VV", i, out[i], op.Scalar(a[i], b[i]))
				}
				s.VS(op, out, a, c)
				for i := range out {
					check("VS", i, out[i], op.Scalar(a[i], c))
				}
				s.SV(op, out, c, b)
				for i := range out {
					check("SV", i, out[i], op.Scalar(c, b[i]))
				}
			}
		}
	}
}
