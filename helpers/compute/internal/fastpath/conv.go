package fastpath

import (
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

// convNode mirrors simplego's convNode (v0.26.0).
type convNode struct {
	axes              backends.ConvolveAxesConfig
	strides           []int
	paddings          [][2]int
	inputDilations    []int
	kernelDilations   []int
	channelGroupCount int
	batchGroupCount   int

	hasInputDilations, hasKernelDilations            bool
	inputStrides, inputSpatialStrides, kernelStrides []int
	dilatedInputSpatialDims                          []int
}

func orOne(s []int, i int) int {
	if i < len(s) && s[i] > 0 {
		return s[i]
	}
	return 1
}

func isNHWC(a backends.ConvolveAxesConfig) bool {
	return a.InputBatch == 0 && a.InputSpatial[0] == 1 && a.InputSpatial[1] == 2 && a.InputChannels == 3 &&
		a.KernelSpatial[0] == 0 && a.KernelSpatial[1] == 1 && a.KernelInputChannels == 2 && a.KernelOutputChannels == 3 &&
		a.OutputBatch == 0 && a.OutputSpatial[0] == 1 && a.OutputSpatial[1] == 2 && a.OutputChannels == 3
}

func execConv(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	const name = "ConvGeneral"
	set := active.Load()
	inShape, kShape := bufShape(backend, inputs[0]), bufShape(backend, inputs[1])
	data := dataOf(node)
	if set == nil && inShape.DType == dtypes.Float32 && reflect.TypeOf(data).String() == "*simplego.convNode" &&
		(*convNode)(reflect.ValueOf(data).UnsafePointer()).batchGroupCount > 1 {
		// simplego v0.26.0 picks the wrong batch for batch-grouped
		// convolutions; those come from the depthwise gradients built
		// while the fast path was active, so keep computing them here.
		set = installedSet.Load()
	}
	if set == nil || inShape.DType != dtypes.Float32 || inShape.Rank() != 4 ||
		reflect.TypeOf(data).String() != "*simplego.convNode" {
		return passStock(backends.OpTypeConvGeneral, name, backend, node, inputs, owned)
	}
	p := (*convNode)(reflect.ValueOf(data).UnsafePointer())
	outShape := shapeOf(node)
	ax := p.axes
	if len(ax.InputSpatial) != 2 || ax.OutputChannels != 3 {
		return passStock(backends.OpTypeConvGeneral, name, backend, node, inputs, owned)
	}
	in, kernel := float32s(backend, inputs[0]), float32s(backend, inputs[1])
	switch {
	case p.channelGroupCount == 1 && p.batchGroupCount == 1:
		count(name, true)
		out := backend.NewBuffer(outShape)
		convGemm(set, node, p, inShape.Dimensions, kShape.Dimensions, outShape.Dimensions, in, kernel, float32s(backend, out))
		return out, nil
	case p.channelGroupCount > 1 && isNHWC(ax) && kShape.Dimensions[2] == 1 &&
		p.channelGroupCount == inShape.Dimensions[3] && kShape.Dimensions[3] == inShape.Dimensions[3]:
		count("DepthwiseConv", true)
		out := backend.NewBuffer(outShape)
		d, kd, od := inShape.Dimensions, kShape.Dimensions, outShape.Dimensions
		g := kernels.DepthwiseGeom{N: d[0], H: d[1], W: d[2], C: d[3], KH: kd[0], KW: kd[1], OH: od[1], OW: od[2],
			StrideH: orOne(p.strides, 0), StrideW: orOne(p.strides, 1),
			DilH: orOne(p.kernelDilations, 0), DilW: orOne(p.kernelDilations, 1),
			InDilH: orOne(p.inputDilations, 0), InDilW: orOne(p.inputDilations, 1),
			PadTop: p.paddings[0][0], PadLeft: p.paddings[1][0]}
		set.DepthwiseForward(g, in, kernel, float32s(backend, out))
		return out, nil
	case p.batchGroupCount > 1 && isDepthwiseFilterGrad(ax) && orOne(p.inputDilations, 0) == 1 && orOne(p.inputDilations, 1) == 1 &&
		p.batchGroupCount == inShape.Dimensions[3] && kShape.Dimensions[3] == inShape.Dimensions[3] &&
		outShape.Dimensions[2] == 1 && kShape.Dimensions[0] == inShape.Dimensions[0]:
		// The filter gradient of a depthwise convolution (see
		// gapfill's depthwise VJP): input x [N,H,W,C] read with C as batch,
		// "kernel" dy [N,OH,OW,C], output [KH,KW,1,C]. This op's strides
		// are the forward dilations and its kernel dilations the forward
		// strides.
		count("DepthwiseFilterGrad", true)
		out := backend.NewBuffer(outShape)
		d, dy, od := inShape.Dimensions, kShape.Dimensions, outShape.Dimensions
		g := kernels.DepthwiseGeom{N: d[0], H: d[1], W: d[2], C: d[3], KH: od[0], KW: od[1], OH: dy[1], OW: dy[2],
			StrideH: orOne(p.kernelDilations, 0), StrideW: orOne(p.kernelDilations, 1),
			DilH: orOne(p.strides, 0), DilW: orOne(p.strides, 1), InDilH: 1, InDilW: 1,
			PadTop: p.paddings[0][0], PadLeft: p.paddings[1][0]}
		set.DepthwiseFilterGrad(g, in, kernel, float32s(backend, out))
		return out, nil
	}
	return passStock(backends.OpTypeConvGeneral, name, backend, node, inputs, owned)
}

func isDepthwiseFilterGrad(a backends.ConvolveAxesConfig) bool {
	return a.InputBatch == 3 && a.InputChannels == 0 && a.InputSpatial[0] == 1 && a.InputSpatial[1] == 2 &&
		a.KernelInputChannels == 0 && a.KernelOutputChannels == 3 && a.KernelSpatial[0] == 1 && a.KernelSpatial[1] == 2 &&
		a.OutputBatch == 2 && a.OutputChannels == 3 && a.OutputSpatial[0] == 0 && a.OutputSpatial[1] == 1
}

// convGemm runs an ungrouped convolution whose output channels are the
// last axis as an implicit GEMM.
func convGemm(set *kernels.Set, node *simplego.Node, p *convNode, id, kd, od []int, in, kernel, out []float32) {
	ax := p.axes
	inStrides := strides(id)
	kStrides := strides(kd)
	g := &kernels.ConvGeom{
		Cin: id[ax.InputChannels], O: kd[ax.KernelOutputChannels],
		H: id[ax.InputSpatial[0]], W: id[ax.InputSpatial[1]],
		KH: kd[ax.KernelSpatial[0]], KW: kd[ax.KernelSpatial[1]],
		InB: inStrides[ax.InputBatch], InC: inStrides[ax.InputChannels],
		InY: inStrides[ax.InputSpatial[0]], InX: inStrides[ax.InputSpatial[1]],
		Stride: [2]int{orOne(p.strides, 0), orOne(p.strides, 1)},
		Dil:    [2]int{orOne(p.kernelDilations, 0), orOne(p.kernelDilations, 1)},
		InDil:  [2]int{orOne(p.inputDilations, 0), orOne(p.inputDilations, 1)},
		KT0:    kStrides[ax.KernelSpatial[0]], KT1: kStrides[ax.KernelSpatial[1]],
		KC: kStrides[ax.KernelInputChannels], KO: kStrides[ax.KernelOutputChannels],
	}
	if len(p.paddings) == 2 {
		g.Pad = [2]int{p.paddings[0][0], p.paddings[1][0]}
	}
	for i, axis := range []int{0, 1, 2} {
		g.RowDims[i] = od[axis]
		switch axis {
		case ax.OutputBatch:
			g.RowKinds[i] = 0
		case ax.OutputSpatial[0]:
			g.RowKinds[i] = 1
		default:
			g.RowKinds[i] = 2
		}
	}
	rows, k := g.Rows(), g.K()
	var a kernels.ASource = kernels.ConvA{G: g, In: in}
	if g.KH == 1 && g.KW == 1 && g.InC == 1 && g.InX == g.Cin && g.InY == g.W*g.Cin && g.InB == g.H*g.W*g.Cin &&
		g.RowKinds == [3]int{0, 1, 2} && g.RowDims[1] == g.H && g.RowDims[2] == g.W &&
		g.Stride == [2]int{1, 1} && g.InDil == [2]int{1, 1} && g.Pad == [2]int{} {
		// 1×1, stride 1, unpadded: the NHWC input already is the matrix.
		a = kernels.Dense{Data: in, RowStride: g.Cin, ColStride: 1}
	}
	bsrc := func() kernels.BSource { return kernels.ConvB{G: g, Kernel: kernel} }
	if packed := cachedPack(set, node, 1, k, g.O, bsrc); packed != nil {
		set.GemmPacked(rows, a, packed, out, g.O, false)
		return
	}
	set.Gemm(rows, g.O, k, a, bsrc(), out, g.O, false)
}

func strides(dims []int) []int {
	s := make([]int, len(dims))
	st := 1
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = st
		st *= dims[i]
	}
	return s
}
