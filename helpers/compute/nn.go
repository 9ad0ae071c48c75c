package compute

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// channelAxis returns the channel axis of a rank-r tensor in a TF data format.
func channelAxis(op, format string, rank int) (int, error) {
	switch format {
	case "", "NHWC", "NDHWC", "NWC":
		return rank - 1, nil
	case "NCHW", "NCDHW", "NCW":
		if rank < 2 {
			return 0, errorf(op, "data_format %s needs rank >= 2", format)
		}
		return 1, nil
	}
	return 0, errorf(op, "data_format %q not supported", format)
}

// perChannel broadcasts a [C] vector to x's shape along axis.
func perChannel(v *graph.Node, x *graph.Node, axis int) *graph.Node {
	dims := make([]int, x.Rank())
	for i := range dims {
		dims[i] = 1
	}
	dims[axis] = v.Shape().Size()
	if fastFloat32(x.Graph(), x) {
		// The fast binary executors broadcast a per-channel vector
		// without materializing it.
		return graph.Reshape(v, dims...)
	}
	// Explicit broadcast to the full shape: simplego's implicit broadcasting
	// in binary ops is much slower.
	return graph.BroadcastToShape(graph.Reshape(v, dims...), x.Shape())
}

func checkVector(op, name string, v *graph.Node, c int, x *graph.Node) error {
	if v.Rank() != 1 || v.Shape().Dimensions[0] != c {
		return errorf(op, "%s %s must be a vector of %d (channels of %s)", name, v.Shape(), c, x.Shape())
	}
	if v.DType() != x.DType() {
		return errorf(op, "%s dtype %s differs from input dtype %s", name, v.DType(), x.DType())
	}
	return nil
}

// BiasAdd is TensorFlow's BiasAdd: adds bias [C] along the channel axis given
// by dataFormat ("NHWC"/"" = last axis, "NCHW" = axis 1).
func BiasAdd(x, bias *graph.Node, dataFormat string) (out *graph.Node, err error) {
	const op = "BiasAdd"
	defer catch(op, &err)
	if x.Rank() < 1 {
		return nil, errorf(op, "input %s must have rank >= 1", x.Shape())
	}
	axis, err := channelAxis(op, dataFormat, x.Rank())
	if err != nil {
		return nil, err
	}
	if err := checkVector(op, "bias", bias, x.Shape().Dimensions[axis], x); err != nil {
		return nil, err
	}
	return graph.Add(x, perChannel(bias, x, axis)), nil
}

// scaleShift returns x*factor + shift with per-channel factor/shift.
func scaleShift(x, factor, shift *graph.Node, axis int) *graph.Node {
	return graph.Add(graph.Mul(x, perChannel(factor, x, axis)), perChannel(shift, x, axis))
}

// BatchNormWithGlobalNormalization is TensorFlow's (deprecated, used by the
// Inception v3 classify_image graph) op: (t-mean)/sqrt(variance+epsilon),
// times gamma if scaleAfterNormalization, plus beta; per last-axis channel.
func BatchNormWithGlobalNormalization(t, mean, variance, beta, gamma *graph.Node, epsilon float64, scaleAfterNormalization bool) (out *graph.Node, err error) {
	const op = "BatchNormWithGlobalNormalization"
	defer catch(op, &err)
	if t.Rank() != 4 {
		return nil, errorf(op, "input %s must have rank 4", t.Shape())
	}
	c := t.Shape().Dimensions[3]
	for _, p := range []struct {
		name string
		v    *graph.Node
	}{{"mean", mean}, {"variance", variance}, {"beta", beta}, {"gamma", gamma}} {
		if err := checkVector(op, p.name, p.v, c, t); err != nil {
			return nil, err
		}
	}
	factor := graph.Rsqrt(graph.AddScalar(variance, epsilon))
	if scaleAfterNormalization {
		factor = graph.Mul(factor, gamma)
	}
	shift := graph.Sub(beta, graph.Mul(mean, factor))
	return scaleShift(t, factor, shift, 3), nil
}

// FusedBatchNormInference is TensorFlow's FusedBatchNorm / V2 / V3 with
// is_training=false (output y only): scale*(x-mean)/sqrt(variance+epsilon)
// + offset along the channel axis of dataFormat.
func FusedBatchNormInference(x, scale, offset, mean, variance *graph.Node, epsilon float64, dataFormat string) (out *graph.Node, err error) {
	const op = "FusedBatchNorm"
	defer catch(op, &err)
	if x.Rank() < 2 {
		return nil, errorf(op, "input %s must have rank >= 2", x.Shape())
	}
	axis, err := channelAxis(op, dataFormat, x.Rank())
	if err != nil {
		return nil, err
	}
	c := x.Shape().Dimensions[axis]
	for _, p := range []struct {
		name string
		v    *graph.Node
	}{{"scale", scale}, {"offset", offset}, {"mean", mean}, {"variance", variance}} {
		if err := checkVector(op, p.name, p.v, c, x); err != nil {
			return nil, err
		}
	}
	factor := graph.Mul(scale, graph.Rsqrt(graph.AddScalar(variance, epsilon)))
	shift := graph.Sub(offset, graph.Mul(mean, factor))
	return scaleShift(x, factor, shift, axis), nil
}

// FusedBatchNormTraining is FusedBatchNorm with is_training=true: x is
// normalized with its own per-channel batch mean and (biased) variance.
// It returns y, the batch mean, and the batch variance with Bessel's
// correction (n/(n-1)), which is what TF outputs as batch_variance and feeds
// to moving averages.
func FusedBatchNormTraining(x, scale, offset *graph.Node, epsilon float64, dataFormat string) (y, batchMean, batchVariance *graph.Node, err error) {
	const op = "FusedBatchNorm"
	defer catch(op, &err)
	if x.Rank() < 2 {
		return nil, nil, nil, errorf(op, "input %s must have rank >= 2", x.Shape())
	}
	axis, err := channelAxis(op, dataFormat, x.Rank())
	if err != nil {
		return nil, nil, nil, err
	}
	c := x.Shape().Dimensions[axis]
	for _, p := range []struct {
		name string
		v    *graph.Node
	}{{"scale", scale}, {"offset", offset}} {
		if err := checkVector(op, p.name, p.v, c, x); err != nil {
			return nil, nil, nil, err
		}
	}
	var reduce []int
	for a := range x.Rank() {
		if a != axis {
			reduce = append(reduce, a)
		}
	}
	n := x.Shape().Size() / c
	mean := graph.ReduceMean(x, reduce...)
	centered := graph.Sub(x, perChannel(mean, x, axis))
	variance := graph.ReduceMean(graph.Square(centered), reduce...)
	factor := graph.Mul(scale, graph.Rsqrt(graph.AddScalar(variance, epsilon)))
	y = graph.Add(graph.Mul(centered, perChannel(factor, x, axis)), perChannel(offset, x, axis))
	corrected := variance
	if n > 1 {
		corrected = graph.MulScalar(variance, float64(n)/float64(n-1))
	}
	return y, mean, corrected, nil
}

// Relu6 is TensorFlow's Relu6, min(max(x, 0), 6). Its gradient is 1 inside
// (0, 6) and 0 outside (at exactly 0 or 6 it may differ from TF's
// Relu6Grad, which uses the open interval).
func Relu6(x *graph.Node) *graph.Node {
	return graph.Min(graph.Max(x, graph.ScalarZero(x.Graph(), x.DType())), graph.Scalar(x.Graph(), x.DType(), 6))
}

// MatMul is TensorFlow's MatMul on 2-D operands, with transpose_a and
// transpose_b. Its gradient is two matrix products (see the package
// documentation about the Dot gradients).
func MatMul(a, b *graph.Node, transposeA, transposeB bool) (out *graph.Node, err error) {
	const op = "MatMul"
	defer catch(op, &err)
	if a.Rank() != 2 || b.Rank() != 2 {
		return nil, errorf(op, "operands %s and %s must be matrices", a.Shape(), b.Shape())
	}
	ca, cb := 1, 0
	if transposeA {
		ca = 0
	}
	if transposeB {
		cb = 1
	}
	if a.Shape().Dimensions[ca] != b.Shape().Dimensions[cb] {
		return nil, errorf(op, "inner dimensions differ: %s (transpose_a=%v) x %s (transpose_b=%v)", a.Shape(), transposeA, b.Shape(), transposeB)
	}
	if ca == 1 && cb == 0 {
		return graph.Dot(a, b), nil
	}
	return graph.DotGeneral(a, []int{ca}, nil, b, []int{cb}, nil), nil
}

// Pad is TensorFlow's Pad / PadV2 with non-negative paddings ([rank][2]:
// before, after) and a constant fill value. It is built from Concatenate,
// so it is differentiable on every backend.
func Pad(x *graph.Node, paddings [][2]int, value float64) (out *graph.Node, err error) {
	const op = "Pad"
	defer catch(op, &err)
	if len(paddings) != x.Rank() {
		return nil, errorf(op, "%d paddings for input %s of rank %d", len(paddings), x.Shape(), x.Rank())
	}
	out = x
	for axis, p := range paddings {
		if p[0] < 0 || p[1] < 0 {
			return nil, errorf(op, "paddings %v must not be negative", paddings)
		}
		if p[0] == 0 && p[1] == 0 {
			continue
		}
		parts := make([]*graph.Node, 0, 3)
		for i, amount := range []int{p[0], -1, p[1]} {
			if i == 1 {
				parts = append(parts, out)
				continue
			}
			if amount == 0 {
				continue
			}
			s := out.Shape().Clone()
			s.Dimensions[axis] = amount
			parts = append(parts, graph.BroadcastToShape(graph.Scalar(x.Graph(), x.DType(), value), s))
		}
		out = graph.Concatenate(parts, axis)
	}
	return out, nil
}
