package checkpoint

import (
	"errors"
	"fmt"
	"os"

	"github.com/gotl/gotl/helpers/checkpoint/internal/bundlepb"
	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/tensor"
)

// v1reader reads TensorSliceWriter checkpoints: one table per shard whose
// record under the empty key lists the tensors and slices of that shard,
// every other record holding one slice (key: bundlepb.SliceKey).
type v1reader struct {
	files  []*os.File
	tables []*table.Reader
	total  int64 // bytes of all shards: bounds any tensor's element count
	slices map[string][]v1slice
}

type v1slice struct {
	shard int
	slice bundlepb.Slice
}

func openV1(pattern string, names []string) (*Reader, error) {
	v := &v1reader{slices: map[string][]v1slice{}}
	var sliceKeyBytes int64
	r := &Reader{format: FormatV1, path: pattern, files: names, vars: map[string]Variable{}, impl: v}
	for i, name := range names {
		f, t, err := openTable(name)
		if err != nil {
			v.close()
			return nil, err
		}
		v.files = append(v.files, f)
		v.tables = append(v.tables, t)
		st, _ := f.Stat()
		v.total += st.Size()
		val, ok, err := t.Get(nil)
		if err != nil {
			v.close()
			return nil, wrapTable(err)
		}
		if !ok {
			v.close()
			return nil, corruptf("%s: no metadata record (not a V1 checkpoint?)", name)
		}
		meta, err := bundlepb.DecodeSavedTensorSlices(val)
		if err != nil || !meta.HasMeta {
			v.close()
			return nil, corruptf("%s: bad metadata record: %v", name, err)
		}
		for _, m := range meta.Tensors {
			dims, err := checkShape(m.Shape)
			if err == nil && m.Name == "" {
				err = errors.New("empty tensor name")
			}
			if err != nil {
				v.close()
				return nil, corruptf("%s: tensor %q: %v", name, m.Name, err)
			}
			if old, ok := r.vars[m.Name]; ok {
				if old.DType != m.DType || fmt.Sprint(old.Shape) != fmt.Sprint(dims) {
					v.close()
					return nil, corruptf("%s: tensor %q is %v %v here but %v %v in another shard", name, m.Name, m.DType, dims, old.DType, old.Shape)
				}
			}
			sliceKeyBytes += int64(len(m.Slices)) * int64(len(m.Name)+16)
			if sliceKeyBytes > sliceKeyBudget(v.total) {
				v.close()
				return nil, corruptf("%s: implausibly many slices (tensor %q has %d)", name, m.Name, len(m.Slices))
			}
			r.vars[m.Name] = Variable{Name: m.Name, DType: m.DType, Shape: dims}
			for _, s := range m.Slices {
				v.slices[m.Name] = append(v.slices[m.Name], v1slice{shard: i, slice: s})
			}
		}
	}
	return r, nil
}

func (v *v1reader) close() error {
	var first error
	for _, f := range v.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	v.files, v.tables = nil, nil
	return first
}

func (v *v1reader) tensor(vr Variable) (*tensor.Tensor, error) {
	if v.tables == nil {
		return nil, errors.New("checkpoint: reader is closed")
	}
	parts := v.slices[vr.Name]
	if len(parts) == 0 {
		return nil, corruptf("tensor %q has no stored slices", vr.Name)
	}
	slices := make([]bundlepb.Slice, len(parts))
	shardOf := map[string]int{}
	for i, p := range parts {
		slices[i] = p.slice
		shardOf[string(bundlepb.SliceKey(vr.Name, p.slice))] = p.shard
	}
	file := v.tables[parts[0].shard].Name()
	cursors := make([]*table.Cursor, len(v.tables)) // slices of a tensor usually share blocks
	return assembleSlices(vr, slices, v.total, file, func(s bundlepb.Slice, dims []int64) (*tensor.Tensor, error) {
		key := bundlepb.SliceKey(vr.Name, s)
		shard := shardOf[string(key)]
		t := v.tables[shard]
		if cursors[shard] == nil {
			cursors[shard] = t.NewCursor()
		}
		val, ok, err := cursors[shard].Get(key)
		if err != nil {
			return nil, wrapTable(err)
		}
		if !ok {
			return nil, corruptf("%s: tensor %q: no record for slice %s", t.Name(), vr.Name, sliceString(s))
		}
		rec, err := bundlepb.DecodeSavedTensorSlices(val)
		if err != nil || rec.Data == nil {
			return nil, corruptf("%s: tensor %q: bad record for slice %s: %v", t.Name(), vr.Name, sliceString(s), err)
		}
		if rec.Data.Name != vr.Name {
			return nil, corruptf("%s: tensor %q: slice record names %q", t.Name(), vr.Name, rec.Data.Name)
		}
		n := tensor.NumElements(dims)
		data, strs, err := bundlepb.DecodeTensorValues(rec.Data.Data, vr.DType, n)
		if err != nil {
			return nil, corruptf("%s: tensor %q slice %s: %v", t.Name(), vr.Name, sliceString(s), err)
		}
		return &tensor.Tensor{DType: tensor.BaseType(vr.DType), Shape: append([]int64{}, dims...), Data: data, Strings: strs}, nil
	})
}
