package compute

import "math"

// Naive TensorFlow-semantics references in float64, written from TF's
// documented definitions independently of the code under test.

type geom struct {
	strides, dilations [2]int
	padding            string    // SAME, VALID, EXPLICIT
	explicit           [2][2]int // for EXPLICIT: (top,bottom), (left,right)
}

// tfPads returns output size and top/left padding for one axis.
func tfPads(in, k int, g geom, axis int) (out, before int) {
	s, d := g.strides[axis], g.dilations[axis]
	kEff := (k-1)*d + 1
	switch g.padding {
	case "SAME":
		out = int(math.Ceil(float64(in) / float64(s)))
		total := (out-1)*s + kEff - in
		if total < 0 {
			total = 0
		}
		return out, total / 2 // TF: the extra element goes after
	case "VALID":
		return int(math.Ceil(float64(in-kEff+1) / float64(s))), 0
	default:
		p := g.explicit[axis]
		return (in+p[0]+p[1]-kEff)/s + 1, p[0]
	}
}

func conv2DRef(x, f arr, g geom) arr {
	n, h, w, c := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	kh, kw, o := f.dims[0], f.dims[1], f.dims[3]
	oh, top := tfPads(h, kh, g, 0)
	ow, left := tfPads(w, kw, g, 1)
	out := newArr(n, oh, ow, o)
	for b := range n {
		for y := range oh {
			for xx := range ow {
				for oc := range o {
					sum := 0.0
					for i := range kh {
						for j := range kw {
							iy := y*g.strides[0] + i*g.dilations[0] - top
							ix := xx*g.strides[1] + j*g.dilations[1] - left
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							for ic := range c {
								sum += x.data[x.at4(b, iy, ix, ic)] * f.data[f.at4(i, j, ic, oc)]
							}
						}
					}
					out.data[out.at4(b, y, xx, oc)] = sum
				}
			}
		}
	}
	return out
}

func depthwiseRef(x, f arr, g geom) arr {
	n, h, w, c := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	kh, kw, m := f.dims[0], f.dims[1], f.dims[3]
	oh, top := tfPads(h, kh, g, 0)
	ow, left := tfPads(w, kw, g, 1)
	out := newArr(n, oh, ow, c*m)
	for b := range n {
		for y := range oh {
			for xx := range ow {
				for ic := range c {
					for q := range m {
						sum := 0.0
						for i := range kh {
							for j := range kw {
								iy := y*g.strides[0] + i*g.dilations[0] - top
								ix := xx*g.strides[1] + j*g.dilations[1] - left
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								sum += x.data[x.at4(b, iy, ix, ic)] * f.data[f.at4(i, j, ic, q)]
							}
						}
						out.data[out.at4(b, y, xx, ic*m+q)] = sum
					}
				}
			}
		}
	}
	return out
}

// poolRef computes max or average pooling; padded positions never count.
func poolRef(x arr, k [2]int, g geom, isMax bool) arr {
	n, h, w, c := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	oh, top := tfPads(h, k[0], g, 0)
	ow, left := tfPads(w, k[1], g, 1)
	out := newArr(n, oh, ow, c)
	for b := range n {
		for y := range oh {
			for xx := range ow {
				for ch := range c {
					best, sum, count := math.Inf(-1), 0.0, 0
					for i := range k[0] {
						for j := range k[1] {
							iy, ix := y*g.strides[0]+i-top, xx*g.strides[1]+j-left
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							v := x.data[x.at4(b, iy, ix, ch)]
							best = math.Max(best, v)
							sum += v
							count++
						}
					}
					if isMax {
						out.data[out.at4(b, y, xx, ch)] = best
					} else {
						out.data[out.at4(b, y, xx, ch)] = sum / float64(count)
					}
				}
			}
		}
	}
	return out
}

// resizeBilinearRef follows TF's resize_bilinear kernel: per output pixel,
// top/bottom rows and left/right columns with lerps.
func resizeBilinearRef(x arr, oh, ow int, alignCorners, halfPixel bool) arr {
	n, h, w, c := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	scale := func(in, out int) float64 {
		if alignCorners && out > 1 {
			return float64(in-1) / float64(out-1)
		}
		return float64(in) / float64(out)
	}
	source := func(i int, s float64) float64 {
		if halfPixel {
			return (float64(i)+0.5)*s - 0.5
		}
		return float64(i) * s
	}
	sy, sx := scale(h, oh), scale(w, ow)
	out := newArr(n, oh, ow, c)
	for b := range n {
		for y := range oh {
			in := source(y, sy)
			y0 := max(int(math.Floor(in)), 0)
			y1 := min(int(math.Ceil(in)), h-1)
			ly := in - math.Floor(in)
			for xx := range ow {
				in := source(xx, sx)
				x0 := max(int(math.Floor(in)), 0)
				x1 := min(int(math.Ceil(in)), w-1)
				lx := in - math.Floor(in)
				for ch := range c {
					tl, tr := x.data[x.at4(b, y0, x0, ch)], x.data[x.at4(b, y0, x1, ch)]
					bl, br := x.data[x.at4(b, y1, x0, ch)], x.data[x.at4(b, y1, x1, ch)]
					top := tl + (tr-tl)*lx
					bottom := bl + (br-bl)*lx
					out.data[out.at4(b, y, xx, ch)] = top + (bottom-top)*ly
				}
			}
		}
	}
	return out
}
