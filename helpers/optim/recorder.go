package optim

import (
	"sort"
	"strconv"

	"github.com/gotl/gotl/helpers/limits"
)

// Record is a snapshot of an optimizer after Step steps.
type Record[T Float] struct {
	Step    int64                     // steps done when the snapshot was taken (0: initial state)
	Loss    float64                   // loss at Vars, as given to Recorder.Record (NaN if unknown)
	Vars    map[string][]T            // variable values
	Grads   map[string]Grad[T]        // gradients applied by the step that led here (nil at step 0)
	Slots   map[string]map[string][]T // variable → slot name → values
	NonSlot map[string]float64        // beta1_power, global_step, …
}

// Recorder keeps a copy of an optimizer's state per step, for tables and
// plots. Its memory is bounded: once more than MaxRecords+1 snapshots have
// been recorded it keeps every second one, then every fourth, … (the first
// always, and the latest as the last record), so a run of any length leaves
// at most MaxRecords+2 records, evenly spaced, with Record.Step telling which
// step each is.
type Recorder[T Float] struct {
	Records []Record[T]
	// MaxRecords bounds Records (see above); 0 means limits.HistoryPoints
	// (10,000 unless raised), so runs up to that many steps keep them all.
	MaxRecords int

	calls  int64 // Record calls so far
	stride int64 // snapshots kept for good are those of calls that are multiples of stride
	tail   bool  // the last record is off the stride: the latest state, replaced by the next
}

// Record appends a snapshot of opt; grads are the gradients of the step just
// taken (nil for the initial state) and loss the loss at the current
// variables (use math.NaN() when unknown). Everything is copied.
func (r *Recorder[T]) Record(opt *Optimizer[T], loss float64, grads map[string]Grad[T]) {
	call := r.calls
	r.calls++
	if r.stride == 0 {
		r.stride = 1
	}
	if r.tail {
		r.Records[len(r.Records)-1] = Record[T]{}
		r.Records = r.Records[:len(r.Records)-1]
		r.tail = false
	}
	r.Records = append(r.Records, r.snapshot(opt, loss, grads))
	if call%r.stride != 0 {
		r.tail = true
		return
	}
	limit := r.MaxRecords
	if limit <= 0 {
		limit = limits.HistoryPoints.Int()
	}
	if len(r.Records) > limit+1 {
		r.thin()
	}
}

// thin keeps every second record (those at even positions, the calls that
// are multiples of the doubled stride); the latest, if dropped, stays as the
// tail.
func (r *Recorder[T]) thin() {
	n := len(r.Records)
	last := r.Records[n-1]
	kept := 0
	for i := 0; i < n; i += 2 {
		r.Records[kept] = r.Records[i]
		kept++
	}
	if (n-1)%2 != 0 {
		r.Records[kept] = last
		kept++
		r.tail = true
	}
	clear(r.Records[kept:n]) // let the dropped snapshots be collected
	r.Records = r.Records[:kept]
	r.stride *= 2
}

func (r *Recorder[T]) snapshot(opt *Optimizer[T], loss float64, grads map[string]Grad[T]) Record[T] {
	rec := Record[T]{Step: opt.Steps(), Loss: loss, Vars: map[string][]T{}, Slots: map[string]map[string][]T{}, NonSlot: opt.NonSlot()}
	for _, n := range opt.VarNames() {
		rec.Vars[n] = append([]T(nil), opt.Var(n)...)
		s := map[string][]T{}
		for _, sn := range opt.SlotNames() {
			s[sn] = append([]T(nil), opt.Slot(n, sn)...)
		}
		rec.Slots[n] = s
	}
	if grads != nil {
		rec.Grads = map[string]Grad[T]{}
		for n, g := range grads {
			rec.Grads[n] = Grad[T]{Dense: append([]T(nil), g.Dense...), Indices: append([]int(nil), g.Indices...), Values: append([]T(nil), g.Values...)}
		}
	}
	return rec
}

// Losses returns the recorded losses in order.
func (r *Recorder[T]) Losses() []float64 {
	out := make([]float64, len(r.Records))
	for i, rec := range r.Records {
		out[i] = rec.Loss
	}
	return out
}

// Series returns element i of a variable (slot == "") or of one of its slots
// over the records, for plotting.
func (r *Recorder[T]) Series(varName, slot string, i int) []float64 {
	out := make([]float64, 0, len(r.Records))
	for _, rec := range r.Records {
		var vals []T
		if slot == "" {
			vals = rec.Vars[varName]
		} else {
			vals = rec.Slots[varName][slot]
		}
		if i < len(vals) {
			out = append(out, float64(vals[i]))
		}
	}
	return out
}

// Columns returns the table header matching Rows: "step", "loss", then for
// each variable (sorted) its value, gradient and slots, element-indexed when
// the variable has several elements ("x[0]", "x[0].m").
func (r *Recorder[T]) Columns() []string {
	if len(r.Records) == 0 {
		return nil
	}
	cols := []string{"step", "loss"}
	first := r.Records[0]
	for _, n := range sortedKeys(first.Vars) {
		slots := sortedKeys(first.Slots[n])
		for i := range first.Vars[n] {
			name := n
			if len(first.Vars[n]) > 1 {
				name = n + "[" + itoa(i) + "]"
			}
			cols = append(cols, name, name+".grad")
			for _, s := range slots {
				cols = append(cols, name+"."+s)
			}
		}
	}
	return cols
}

// Rows returns one row per record with the values named by Columns; the
// gradient columns hold NaN at step 0 and for rows a sparse step did not touch.
func (r *Recorder[T]) Rows() [][]float64 {
	var rows [][]float64
	nan := func() float64 { var z float64; return z / z }
	for _, rec := range r.Records {
		row := []float64{float64(rec.Step), rec.Loss}
		for _, n := range sortedKeys(rec.Vars) {
			dense := denseOf(rec.Grads[n], len(rec.Vars[n]))
			for i, x := range rec.Vars[n] {
				g := nan()
				if dense != nil && dense[i] != nil {
					g = *dense[i]
				}
				row = append(row, float64(x), g)
				for _, s := range sortedKeys(rec.Slots[n]) {
					row = append(row, float64(rec.Slots[n][s][i]))
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// TextRows is Rows written for a table: numbers with six significant
// digits, and an empty cell where Rows has NaN (no gradient before the
// first step).
func (r *Recorder[T]) TextRows() [][]string {
	var out [][]string
	for _, row := range r.Rows() {
		cells := make([]string, len(row))
		for i, v := range row {
			if v == v { // not NaN
				cells[i] = strconv.FormatFloat(v, 'g', 6, 64)
			}
		}
		out = append(out, cells)
	}
	return out
}

func denseOf[T Float](g Grad[T], n int) []*float64 {
	if g.Dense == nil && g.Indices == nil {
		return nil
	}
	out := make([]*float64, n)
	if !g.IsSparse() {
		for i, x := range g.Dense {
			v := float64(x)
			out[i] = &v
		}
		return out
	}
	if len(g.Indices) == 0 {
		return out
	}
	cols := len(g.Values) / len(g.Indices)
	for k, r := range g.Indices {
		for j := 0; j < cols; j++ {
			p := out[r*cols+j]
			if p == nil {
				p = new(float64)
				out[r*cols+j] = p
			}
			*p += float64(g.Values[k*cols+j])
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
