// Package fastpath replaces some of the executors of GoMLX v0.26.0's
// pure-Go backend (simplego) with float32 kernels from package kernels:
// DotGeneral (every axis layout, batched), ConvGeneral as an implicit GEMM
// (incl. the input- and filter-gradient layouts), depthwise convolution
// and its gradients, elementwise Add/Sub/Mul/Div/Max/Min and Sign, max/sum
// pooling (ReduceWindow), and the max-pool gradient (SelectAndScatter, an
// op simplego lacks; see selectscatter.go).
//
// simplego has no public hook for this: its executors live in the
// unexported table nodeExecutors, reached here with //go:linkname, and the
// executors read unexported fields of simplego's Node and of its per-op
// parameter structs. Install checks, with reflect, that every field read
// through unsafe has the name, offset and type this package expects (on a
// graph it builds for the purpose); on any difference it installs nothing
// and returns the reason. Each fast executor hands every case it does not
// handle (other dtypes, layouts, groupings) to the stock executor it
// replaced, and SetLevel(nil) turns them all into pass-throughs.
package fastpath

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/gotl/gotl/helpers/compute/internal/kernels"
)

// executor has the signature of simplego's unexported nodeExecutor.
type executor func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, inputsOwned []bool) (*simplego.Buffer, error)

//go:linkname nodeExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var nodeExecutors [backends.OpTypeLast]executor

var (
	// installMu serializes Install; installed is set, once, after the
	// executors are replaced and is read without the mutex.
	installMu sync.Mutex
	installed atomic.Bool
	stock     = map[backends.OpType]executor{}
	// active is the kernel set the executors use; nil makes every fast
	// executor call its stock one.
	active atomic.Pointer[kernels.Set]
	// installedSet is the last non-nil set, for the ops simplego gets
	// wrong (see execConv).
	installedSet atomic.Pointer[kernels.Set]
)

// Node field offsets, verified by checkLayout.
var (
	offShape, offData, offInputs, offOpType uintptr
)

// Install replaces simplego's executors with the fast ones (once per
// process) after verifying GoMLX's struct layouts, and activates set. It
// returns an error, and changes nothing, if a layout differs from what
// this package was written for. set may be nil (installed but inactive).
func Install(set *kernels.Set) error {
	installMu.Lock()
	defer installMu.Unlock()
	if !installed.Load() {
		if err := checkLayout(); err != nil {
			return err
		}
		fast := map[backends.OpType]executor{
			backends.OpTypeDotGeneral:   execDot,
			backends.OpTypeConvGeneral:  execConv,
			backends.OpTypeReduceWindow: execReduceWindow,
			backends.OpTypeSign:         execSign,
		}
		for op, fn := range binaryExecutors() {
			fast[op] = fn
		}
		for op := range fast {
			if nodeExecutors[op] == nil {
				return fmt.Errorf("fastpath: simplego has no executor for %s", op)
			}
		}
		for op, fn := range fast {
			stock[op] = nodeExecutors[op]
			nodeExecutors[op] = fn
		}
		// Ops simplego lacks, built only by SelectAndScatter.
		for _, op := range []backends.OpType{backends.OpTypeSelectAndScatterMax, backends.OpTypeSelectAndScatterMin} {
			if nodeExecutors[op] == nil {
				nodeExecutors[op] = execSelectAndScatter
			}
		}
		installed.Store(true)
	}
	if set != nil {
		installedSet.Store(set)
	}
	active.Store(set)
	return nil
}

// SetLevel activates set (nil: stock behaviour) on the installed
// executors; it has no effect before Install. Graphs built for the fast
// path (e.g. depthwise convolutions as grouped ConvGeneral) still compute
// correctly with the stock executors, only slower.
func SetLevel(set *kernels.Set) { active.Store(set) }

// Active returns the active kernel set, nil when the stock executors run.
func Active() *kernels.Set {
	if !installed.Load() {
		return nil
	}
	return active.Load()
}

// fieldSpec is one field an unsafe read depends on.
type fieldSpec struct {
	name, typ string
}

// checkStruct verifies that t (a struct) has exactly the fields want, in
// order, with these names and types, and returns their offsets.
func checkStruct(t reflect.Type, want []fieldSpec) ([]uintptr, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("fastpath: %s is not a struct", t)
	}
	if t.NumField() != len(want) {
		return nil, fmt.Errorf("fastpath: %s has %d fields, expected %d", t, t.NumField(), len(want))
	}
	offs := make([]uintptr, len(want))
	for i, w := range want {
		f := t.Field(i)
		if f.Name != w.name || f.Type.String() != w.typ {
			return nil, fmt.Errorf("fastpath: %s field %d is %s %s, expected %s %s", t, i, f.Name, f.Type, w.name, w.typ)
		}
		offs[i] = f.Offset
	}
	return offs, nil
}

// checkMirror verifies that mirror (this package's copy of an unexported
// GoMLX struct) has the same field names, types and offsets as real.
func checkMirror(real, mirror reflect.Type) error {
	if real.Kind() == reflect.Pointer {
		real = real.Elem()
	}
	if real.Size() != mirror.Size() || real.NumField() != mirror.NumField() {
		return fmt.Errorf("fastpath: %s is %d bytes in %d fields, this package expects %d in %d",
			real, real.Size(), real.NumField(), mirror.Size(), mirror.NumField())
	}
	for i := range real.NumField() {
		a, b := real.Field(i), mirror.Field(i)
		if a.Name != b.Name || a.Offset != b.Offset || a.Type.String() != b.Type.String() {
			return fmt.Errorf("fastpath: %s field %d is %s %s at %d, expected %s %s at %d",
				real, i, a.Name, a.Type, a.Offset, b.Name, b.Type, b.Offset)
		}
	}
	return nil
}

// checkLayout builds a small simplego graph with one node of every kind
// the executors read and verifies the layouts behind every unsafe read.
func checkLayout() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fastpath: layout check: %v", r)
		}
	}()
	offs, err := checkStruct(reflect.TypeOf(simplego.Node{}), []fieldSpec{
		{"builderIdx", "int"}, {"inputs", "[]*simplego.Node"}, {"opType", "backends.OpType"},
		{"shape", "shapes.Shape"}, {"builder", "*simplego.Builder"}, {"multiOutputsShapes", "[]shapes.Shape"},
		{"multiOutputsNodes", "[]*simplego.Node"}, {"isNodeSelectOutput", "bool"}, {"selectOutputIdx", "int"},
		{"data", "interface {}"},
	})
	if err != nil {
		return err
	}
	offInputs, offOpType, offShape, offData = offs[1], offs[2], offs[3], offs[9]

	b, err := simplego.New("")
	if err != nil {
		return err
	}
	defer b.Finalize()
	bl := b.Builder("fastpath_layout_check")
	f32 := shapes.Make(dtypeFloat32, 1, 4, 4, 2)
	x, err := bl.Parameter("x", f32, nil)
	if err != nil {
		return err
	}
	k, err := bl.Parameter("k", shapes.Make(dtypeFloat32, 3, 3, 2, 2), nil)
	if err != nil {
		return err
	}
	axes := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2}}
	conv, err := bl.ConvGeneral(x, k, axes, []int{1, 1}, [][2]int{{1, 1}, {1, 1}}, []int{1, 1}, []int{1, 1}, 1, 1)
	if err != nil {
		return err
	}
	if err := checkMirror(reflect.TypeOf(dataOf(conv.(*simplego.Node))), reflect.TypeOf(convNode{})); err != nil {
		return err
	}
	dot, err := bl.DotGeneral(x, []int{3}, []int{0}, k, []int{2}, []int{0})
	if err != nil {
		// k's axis 0 (3) does not match x's batch 1: use a valid pairing.
		dot, err = bl.DotGeneral(x, []int{3}, nil, k, []int{3}, nil)
		if err != nil {
			return err
		}
	}
	// DotGeneral returns a Reshape of the DotGeneral node.
	dn := dot.(*simplego.Node)
	if opTypeOf(dn) == backends.OpTypeReshape {
		dn = inputsOf(dn)[0]
	}
	if opTypeOf(dn) != backends.OpTypeDotGeneral {
		return fmt.Errorf("fastpath: DotGeneral built a %s node", opTypeOf(dn))
	}
	if err := checkMirror(reflect.TypeOf(dataOf(dn)), reflect.TypeOf(dotNode{})); err != nil {
		return err
	}
	rw, err := bl.ReduceWindow(x, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 1, 1, 1}, nil, nil, nil)
	if err != nil {
		return err
	}
	if err := checkMirror(reflect.TypeOf(dataOf(rw.(*simplego.Node))), reflect.TypeOf(reduceWindowNode{})); err != nil {
		return err
	}
	c, err := bl.Constant([]float32{1, 2}, 2)
	if err != nil {
		return err
	}
	if _, ok := dataOf(c.(*simplego.Node)).(*simplego.Buffer); !ok {
		return fmt.Errorf("fastpath: a Constant node's data is %T, expected *simplego.Buffer", dataOf(c.(*simplego.Node)))
	}
	sh := shapeOf(conv.(*simplego.Node))
	if !sh.Equal(shapes.Make(dtypeFloat32, 1, 4, 4, 2)) {
		return fmt.Errorf("fastpath: reading a Node's shape gave %s", sh)
	}
	return nil
}

func field(node *simplego.Node, off uintptr) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(node), off)
}

func shapeOf(node *simplego.Node) shapes.Shape { return *(*shapes.Shape)(field(node, offShape)) }
func dataOf(node *simplego.Node) any           { return *(*any)(field(node, offData)) }
func inputsOf(node *simplego.Node) []*simplego.Node {
	return *(*[]*simplego.Node)(field(node, offInputs))
}
func opTypeOf(node *simplego.Node) backends.OpType {
	return *(*backends.OpType)(field(node, offOpType))
}

// Counters count the calls each fast executor served (Fast) and passed to
// the stock executor (Stock), per op; for tests and benchmarks.
type Counters struct {
	Fast, Stock map[string]int64
}

var (
	countMu               sync.Mutex
	fastCount, stockCount = map[string]int64{}, map[string]int64{}
	countersOn            atomic.Bool
)

// EnableCounters turns call counting on or off (off by default: a lock per
// executed op).
func EnableCounters(on bool) { countersOn.Store(on) }

// ReadCounters returns a copy of the counters and, if reset, zeroes them.
func ReadCounters(reset bool) Counters {
	countMu.Lock()
	defer countMu.Unlock()
	c := Counters{Fast: map[string]int64{}, Stock: map[string]int64{}}
	for k, v := range fastCount {
		c.Fast[k] = v
	}
	for k, v := range stockCount {
		c.Stock[k] = v
	}
	if reset {
		clear(fastCount)
		clear(stockCount)
	}
	return c
}

func count(name string, fast bool) {
	if !countersOn.Load() {
		return
	}
	countMu.Lock()
	if fast {
		fastCount[name]++
	} else {
		stockCount[name]++
	}
	countMu.Unlock()
}

// passStock runs the stock executor of op.
func passStock(op backends.OpType, name string, backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	count(name, false)
	return stock[op](backend, node, inputs, owned)
}

// float32s returns a buffer's data as []float32.
func float32s(b *simplego.Backend, buf *simplego.Buffer) []float32 {
	flat, err := b.BufferData(buf)
	if err != nil {
		panic(err)
	}
	return flat.([]float32)
}

func bufShape(b *simplego.Backend, buf *simplego.Buffer) shapes.Shape {
	s, err := b.BufferShape(buf)
	if err != nil {
		panic(err)
	}
	return s
}
