package compute

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// ResizeBilinear is TensorFlow's ResizeBilinear on NHWC images, with its
// align_corners and half_pixel_centers attributes. The output is float32
// (as TF's), except that float64 input stays float64.
//
// It is computed as two matrix products with constant interpolation
// matrices built from TF's formulas (source coordinate (y+0.5)·scale-0.5
// with half-pixel centers, y·scale otherwise; scale (in-1)/(out-1) with
// align_corners, in/out otherwise; neighbours clamped to the image), so it
// is exact, fast on every backend, and its gradient is correct (GoMLX's
// Interpolate gradient is not, in v0.26.0).
func ResizeBilinear(images *graph.Node, height, width int, alignCorners, halfPixelCenters bool) (out *graph.Node, err error) {
	const op = "ResizeBilinear"
	defer catch(op, &err)
	if images.Rank() != 4 {
		return nil, errorf(op, "images %s must have rank 4 (NHWC)", images.Shape())
	}
	if height < 1 || width < 1 {
		return nil, errorf(op, "size %dx%d must be positive", height, width)
	}
	if alignCorners && halfPixelCenters {
		return nil, errorf(op, "align_corners and half_pixel_centers cannot both be true")
	}
	dims := images.Shape().Dimensions
	if dims[1] < 1 || dims[2] < 1 {
		return nil, errorf(op, "images %s are empty", images.Shape())
	}
	dtype := dtypes.Float32
	if images.DType() == dtypes.Float64 {
		dtype = dtypes.Float64
	}
	x := images
	if x.DType() != dtype {
		x = graph.ConvertDType(x, dtype)
	}
	g := images.Graph()
	wy := graph.ConvertDType(graph.Const(g, interpolationMatrix(dims[1], height, alignCorners, halfPixelCenters, dtype)), dtype)
	wx := graph.ConvertDType(graph.Const(g, interpolationMatrix(dims[2], width, alignCorners, halfPixelCenters, dtype)), dtype)
	// [oh,H]·[N,H,W,C] -> [oh,N,W,C]; ·[ow,W] -> [oh,N,C,ow]; -> [N,oh,ow,C].
	t := graph.DotGeneral(wy, []int{1}, nil, x, []int{1}, nil)
	t = graph.DotGeneral(t, []int{2}, nil, wx, []int{1}, nil)
	return graph.TransposeAllAxes(t, 1, 0, 3, 2), nil
}

// interpolationMatrix returns the [out][in] bilinear weights TF's
// compute_interpolation_weights implies. For float32 the coordinates are
// computed in float32, as TF does.
func interpolationMatrix(in, out int, alignCorners, halfPixel bool, dtype dtypes.DType) [][]float64 {
	m := make([][]float64, out)
	f32 := dtype == dtypes.Float32
	var scale float64
	if alignCorners && out > 1 {
		scale = float64(in-1) / float64(out-1)
		if f32 {
			scale = float64(float32(in-1) / float32(out-1))
		}
	} else {
		scale = float64(in) / float64(out)
		if f32 {
			scale = float64(float32(in) / float32(out))
		}
	}
	for i := range out {
		var src float64
		switch {
		case halfPixel && f32:
			src = float64((float32(i)+0.5)*float32(scale) - 0.5)
		case halfPixel:
			src = (float64(i)+0.5)*scale - 0.5
		case f32:
			src = float64(float32(i) * float32(scale))
		default:
			src = float64(i) * scale
		}
		fl := math.Floor(src)
		lo := max(int(fl), 0)
		hi := min(int(math.Ceil(src)), in-1)
		lerp := src - fl
		if f32 {
			lerp = float64(float32(src) - float32(fl))
		}
		row := make([]float64, in)
		lo = min(lo, in-1)
		row[lo] += 1 - lerp
		row[hi] += lerp
		m[i] = row
	}
	return m
}
