package compute

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// Expected values are Python/NumPy slicing of x = arange(18).reshape(3,2,3)
// (x[i,j,k] = 6i+3j+k), worked out by hand; TF's StridedSlice follows the
// same rules.
func TestStridedSlice(t *testing.T) {
	b := testBackend(t)
	x := newArr(3, 2, 3)
	for i := range x.data {
		x.data[i] = float64(i)
	}
	seq := func(v ...float64) []float64 { return v }
	for _, c := range []struct {
		name               string
		begin, end, stride []int
		masks              StridedSliceMasks
		dims               []int
		want               []float64
	}{
		{"TF doc [1:2,0:1,0:3]", []int{1, 0, 0}, []int{2, 1, 3}, []int{1, 1, 1}, StridedSliceMasks{}, []int{1, 1, 3}, seq(6, 7, 8)},
		{"TF doc [1:2,-1:-3:-1,0:3]", []int{1, -1, 0}, []int{2, -3, 3}, []int{1, -1, 1}, StridedSliceMasks{}, []int{1, 2, 3}, seq(9, 10, 11, 6, 7, 8)},
		{"[...,1]", []int{0, 1}, []int{0, 2}, []int{1, 1}, StridedSliceMasks{Ellipsis: 1, ShrinkAxis: 2}, []int{3, 2}, seq(1, 4, 7, 10, 13, 16)},
		{"[:,None,::-2]", []int{0, 0, 0}, []int{0, 0, 0}, []int{1, 1, -2}, StridedSliceMasks{Begin: 5, End: 5, NewAxis: 2}, []int{3, 1, 1, 3}, seq(3, 4, 5, 9, 10, 11, 15, 16, 17)},
		{"[-1]", []int{-1}, []int{0}, []int{1}, StridedSliceMasks{ShrinkAxis: 1}, []int{2, 3}, seq(12, 13, 14, 15, 16, 17)},
		{"[1:,:,-2:]", []int{1, 0, -2}, []int{0, 0, 0}, []int{1, 1, 1}, StridedSliceMasks{Begin: 2, End: 7}, []int{2, 2, 2}, seq(7, 8, 10, 11, 13, 14, 16, 17)},
		{"[-10:10:2] clamped", []int{-10}, []int{10}, []int{2}, StridedSliceMasks{}, []int{2, 2, 3}, seq(0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17)},
		{"[::-1]", []int{0}, []int{0}, []int{-1}, StridedSliceMasks{Begin: 1, End: 1}, []int{3, 2, 3}, seq(12, 13, 14, 15, 16, 17, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5)},
		{"[1,0,2] scalar", []int{1, 0, 2}, []int{2, 1, 3}, []int{1, 1, 1}, StridedSliceMasks{ShrinkAxis: 7}, []int{}, seq(8)},
		{"[None,...,:1]", []int{0, 0, 0}, []int{0, 0, 1}, []int{1, 1, 1}, StridedSliceMasks{NewAxis: 1, Ellipsis: 2}, []int{1, 3, 2, 1}, seq(0, 3, 6, 9, 12, 15)},
		{"[2:0:-1, 1]", []int{2, 1}, []int{0, 2}, []int{-1, 1}, StridedSliceMasks{ShrinkAxis: 2}, []int{2, 3}, seq(15, 16, 17, 9, 10, 11)},
	} {
		fn := op1(t, func(in []*graph.Node) (*graph.Node, error) {
			return StridedSlice(in[0], c.begin, c.end, c.stride, c.masks)
		})
		got := run(t, b, func(in []*graph.Node) []*graph.Node { return []*graph.Node{fn(in)} }, x)[0]
		assertClose(t, c.name, got, arr{dims: c.dims, data: c.want}, 0)
	}

	r := rand.New(rand.NewPCG(33, 34))
	xr := randArr(r, 4, 3, 5)
	for i, c := range []struct {
		begin, end, stride []int
		masks              StridedSliceMasks
	}{
		{[]int{1, -1, 0}, []int{4, -4, 5}, []int{2, -1, 2}, StridedSliceMasks{}},
		{[]int{0, 0, 3}, []int{0, 0, 0}, []int{1, 1, -2}, StridedSliceMasks{Begin: 3, End: 7, NewAxis: 2}},
		{[]int{0, 2}, []int{0, 3}, []int{1, 1}, StridedSliceMasks{Ellipsis: 1, ShrinkAxis: 2}},
	} {
		checkGrad(t, fmt.Sprintf("StridedSlice gradient %d", i), b, op1(t, func(in []*graph.Node) (*graph.Node, error) {
			return StridedSlice(in[0], c.begin, c.end, c.stride, c.masks)
		}), xr)
	}

	g := graph.NewGraph(b, "errors")
	xn := graph.Zeros(g, shapeF32(3, 2, 3))
	for _, c := range []struct {
		begin, end, stride []int
		masks              StridedSliceMasks
		want               string
	}{
		{[]int{2}, []int{1}, []int{1}, StridedSliceMasks{}, "empty result"},
		{[]int{0}, []int{1}, []int{0}, StridedSliceMasks{}, "non-zero"},
		{[]int{0, 0}, []int{1, 1}, []int{1, 1}, StridedSliceMasks{Ellipsis: 3}, "more than one ellipsis"},
		{[]int{3}, []int{4}, []int{1}, StridedSliceMasks{ShrinkAxis: 1}, "out of range"},
		{[]int{0, 0, 0, 0}, []int{1, 1, 1, 1}, []int{1, 1, 1, 1}, StridedSliceMasks{}, "4 indexed axes"},
		{[]int{0}, []int{1, 2}, []int{1}, StridedSliceMasks{}, "same length"},
	} {
		_, err := StridedSlice(xn, c.begin, c.end, c.stride, c.masks)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "compute: StridedSlice: ") {
			t.Errorf("StridedSlice(%v,%v,%v,%+v): err %v, want %q", c.begin, c.end, c.stride, c.masks, err, c.want)
		}
	}
}
