package gapfill

import (
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// convParams are a ConvGeneral node's parameters.
type convParams struct {
	axes                              backends.ConvolveAxesConfig
	strides, inputDilations, dilation []int
	paddings                          [][2]int
	channelGroups, batchGroups        int
}

// readConvParams reads the unexported parameters of a ConvGeneral node by
// reflection (read only); ok is false if GoMLX's layout differs.
func readConvParams(node *Node) (p convParams, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v := reflect.ValueOf(node).Elem().FieldByName("inputs").Elem().Elem()
	ints := func(f reflect.Value) []int {
		if f.Kind() != reflect.Slice {
			panic("not a slice")
		}
		out := make([]int, f.Len())
		for i := range out {
			out[i] = int(f.Index(i).Int())
		}
		return out
	}
	ax := v.FieldByName("axes")
	p.axes = backends.ConvolveAxesConfig{
		InputBatch:           int(ax.FieldByName("InputBatch").Int()),
		InputChannels:        int(ax.FieldByName("InputChannels").Int()),
		InputSpatial:         ints(ax.FieldByName("InputSpatial")),
		KernelInputChannels:  int(ax.FieldByName("KernelInputChannels").Int()),
		KernelOutputChannels: int(ax.FieldByName("KernelOutputChannels").Int()),
		KernelSpatial:        ints(ax.FieldByName("KernelSpatial")),
		OutputBatch:          int(ax.FieldByName("OutputBatch").Int()),
		OutputChannels:       int(ax.FieldByName("OutputChannels").Int()),
		OutputSpatial:        ints(ax.FieldByName("OutputSpatial")),
	}
	p.strides = ints(v.FieldByName("strides"))
	p.inputDilations = ints(v.FieldByName("inputDilations"))
	p.dilation = ints(v.FieldByName("kernelDilations"))
	pads := v.FieldByName("paddings")
	p.paddings = make([][2]int, pads.Len())
	for i := range p.paddings {
		p.paddings[i] = [2]int{int(pads.Index(i).Index(0).Int()), int(pads.Index(i).Index(1).Int())}
	}
	p.channelGroups = int(v.FieldByName("channelGroupCount").Int())
	p.batchGroups = int(v.FieldByName("batchGroupCount").Int())
	return p, true
}

// convGeneralVJP replaces GoMLX v0.26.0's convolution gradient, which
// rejects common TF geometries (e.g. 7x7 input, 3x3 kernel, stride 2, SAME
// padding (1,1): "outputDimEnd=3 < outputDimSize=4"). For ungrouped
// convolutions without input dilation it uses the textbook forms, per
// spatial axis with input I, output O, kernel K, stride s, dilation d and
// padding (pb, pa), keff = (K-1)d+1:
//
//	dx = conv(v dilated by s, kernel reversed with in/out channels swapped,
//	          dilation d, padding (keff-1-pb, I-(O-1)s+pb-1))
//	dw = conv(x with batch and channel roles swapped, v as kernel with
//	          dilation s, stride d, padding (pb, (K-1)d+(O-1)s+1-I-pb))
//
// Grouped convolutions keep GoMLX's own VJP.
func convGeneralVJP(stock VJP) VJP {
	return func(node *Node, vjpOutputs []*Node, outputShape shapes.Shape) []*Node {
		p, ok := readConvParams(node)
		if !ok || p.batchGroups > 1 || !allOnes(p.inputDilations) {
			return stock(node, vjpOutputs, outputShape)
		}
		x, kernel := node.Inputs()[0], node.Inputs()[1]
		depthwise := p.channelGroups > 1
		if depthwise {
			c := x.Shape().Dimensions[p.axes.InputChannels]
			kd := kernel.Shape().Dimensions
			if !DepthwiseGradients() || p.channelGroups != c || kd[p.axes.KernelInputChannels] != 1 ||
				kd[p.axes.KernelOutputChannels] != c || x.DType() != dtypes.Float32 {
				return stock(node, vjpOutputs, outputShape)
			}
		}
		v := vjpOutputs[0]
		n := len(p.axes.InputSpatial)
		strides, dil, pads := orOnes(p.strides, n), orOnes(p.dilation, n), p.paddings
		if len(pads) == 0 {
			pads = make([][2]int, n)
		}
		ax := p.axes
		xPads := make([][2]int, n)
		wPads := make([][2]int, n)
		xTrim := make([]int, n) // trailing input elements the forward never read
		for a := range n {
			in := x.Shape().Dimensions[ax.InputSpatial[a]]
			out := node.Shape().Dimensions[ax.OutputSpatial[a]]
			k := kernel.Shape().Dimensions[ax.KernelSpatial[a]]
			kEff := (k-1)*dil[a] + 1
			xPads[a] = [2]int{kEff - 1 - pads[a][0], in - (out-1)*strides[a] + pads[a][0] - 1}
			end := (k-1)*dil[a] + (out-1)*strides[a] + 1 - in - pads[a][0]
			if end < 0 {
				xTrim[a] = -end
				end = 0
			}
			wPads[a] = [2]int{pads[a][0], end}
			if xPads[a][0] < 0 || wPads[a][0] < 0 {
				return stock(node, vjpOutputs, outputShape)
			}
		}

		// dx.
		revAxes := backends.ConvolveAxesConfig{
			InputBatch: ax.OutputBatch, InputChannels: ax.OutputChannels, InputSpatial: ax.OutputSpatial,
			KernelInputChannels: ax.KernelOutputChannels, KernelOutputChannels: ax.KernelInputChannels, KernelSpatial: ax.KernelSpatial,
			OutputBatch: ax.InputBatch, OutputChannels: ax.InputChannels, OutputSpatial: ax.InputSpatial,
		}
		revKernel := Reverse(kernel, ax.KernelSpatial...)
		groups := 1
		if depthwise {
			// One input channel per group: the reversed kernel needs no
			// channel swap, and groups stay groups.
			revAxes.KernelInputChannels, revAxes.KernelOutputChannels = ax.KernelInputChannels, ax.KernelOutputChannels
			groups = p.channelGroups
		}
		dx := ConvGeneral(v, revKernel, revAxes, orOnes(nil, n), xPads, strides, dil, groups, 1)
		return []*Node{dx, filterGrad(x, v, ax, dil, wPads, strides, xTrim, groups)}
	}
}

// DepthwiseGradients reports whether grouped (depthwise) convolution
// gradients may use the XLA-style batch-grouped filter-gradient
// convolution, which only gotl's fast executors compute correctly
// (simplego v0.26.0's batch grouping indexes the wrong batch); compute
// sets it to "the fast path is active". When false, depthwise convolutions
// keep GoMLX's own gradient.
var DepthwiseGradients = func() bool { return false }

// filterGrad is the filter gradient dw: a convolution of x, with its
// channels acting as batch and its batch as channels, by v as the kernel.
// groups is 1 for an ungrouped convolution; for a depthwise one it is C,
// dw[t, c] = Σ x[b, p(t), c]·v[b, o, c] written as XLA does, with x's
// channels as batch grouped C ways.
func filterGrad(x, v *Node, ax backends.ConvolveAxesConfig, dil []int, wPads [][2]int, strides, xTrim []int, groups int) *Node {
	n := len(ax.InputSpatial)
	wAxes := backends.ConvolveAxesConfig{
		InputBatch: ax.InputChannels, InputChannels: ax.InputBatch, InputSpatial: ax.InputSpatial,
		KernelInputChannels: ax.OutputBatch, KernelOutputChannels: ax.OutputChannels, KernelSpatial: ax.OutputSpatial,
		OutputBatch: ax.KernelInputChannels, OutputChannels: ax.KernelOutputChannels, OutputSpatial: ax.KernelSpatial,
	}
	return ConvGeneral(trimInput(x, ax, xTrim), v, wAxes, dil, wPads, orOnes(nil, n), strides, 1, groups)
}

// trimInput drops the trailing input elements the forward convolution
// never read (xTrim per spatial axis).
func trimInput(x *Node, ax backends.ConvolveAxesConfig, xTrim []int) *Node {
	xw := x
	if anyPositive(xTrim) {
		specs := make([]SliceAxisSpec, x.Rank())
		for i := range specs {
			specs[i] = AxisRange()
		}
		for a := range xTrim {
			if xTrim[a] > 0 {
				specs[ax.InputSpatial[a]] = AxisRange(0, x.Shape().Dimensions[ax.InputSpatial[a]]-xTrim[a])
			}
		}
		xw = Slice(x, specs...)
	}
	return xw
}

func allOnes(s []int) bool {
	for _, x := range s {
		if x != 1 {
			return false
		}
	}
	return true
}

func anyPositive(s []int) bool {
	for _, x := range s {
		if x > 0 {
			return true
		}
	}
	return false
}

func orOnes(s []int, n int) []int {
	if len(s) == n {
		return s
	}
	return ones(n)
}
