package graphfile

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// marshalTextTF writes m in protobuf text format the way TensorFlow's Python
// tools do (tf.io.write_graph uses text_format.MessageToString): fields in
// number order, two-space indentation, map entries sorted by key, strings
// C-escaped with octal escapes, floats in their shortest round-trip form.
// Go's prototext output is valid too, but deliberately unstable in spacing;
// this output is stable and diffs cleanly against TensorFlow's own files.
func marshalTextTF(m protoreflect.Message) []byte {
	var b bytes.Buffer
	writeTextMessage(&b, m, 0)
	return b.Bytes()
}

func writeTextMessage(b *bytes.Buffer, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	var set []protoreflect.FieldDescriptor
	for i := 0; i < fields.Len(); i++ {
		if fd := fields.Get(i); m.Has(fd) {
			set = append(set, fd)
		}
	}
	sort.Slice(set, func(i, j int) bool { return set[i].Number() < set[j].Number() })
	for _, fd := range set {
		v := m.Get(fd)
		switch {
		case fd.IsMap():
			mp := v.Map()
			keys := make([]protoreflect.MapKey, 0, mp.Len())
			mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k)
				return true
			})
			sort.Slice(keys, func(i, j int) bool { return mapKeyLess(keys[i], keys[j]) })
			for _, k := range keys {
				indent(b, depth)
				b.WriteString(string(fd.Name()))
				b.WriteString(" {\n")
				writeTextField(b, fd.MapKey(), k.Value(), depth+1)
				writeTextField(b, fd.MapValue(), mp.Get(k), depth+1)
				indent(b, depth)
				b.WriteString("}\n")
			}
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				writeTextField(b, fd, l.Get(i), depth)
			}
		default:
			writeTextField(b, fd, v, depth)
		}
	}
}

func writeTextField(b *bytes.Buffer, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) {
	indent(b, depth)
	b.WriteString(string(fd.Name()))
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		b.WriteString(" {\n")
		writeTextMessage(b, v.Message(), depth+1)
		indent(b, depth)
		b.WriteString("}\n")
		return
	}
	b.WriteString(": ")
	switch fd.Kind() {
	case protoreflect.StringKind:
		writeCEscaped(b, []byte(v.String()))
	case protoreflect.BytesKind:
		writeCEscaped(b, v.Bytes())
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			b.WriteString(string(ev.Name()))
		} else {
			b.WriteString(strconv.Itoa(int(v.Enum())))
		}
	case protoreflect.FloatKind:
		b.WriteString(pythonFloat(v.Float(), 32))
	case protoreflect.DoubleKind:
		b.WriteString(pythonFloat(v.Float(), 64))
	case protoreflect.BoolKind:
		b.WriteString(strconv.FormatBool(v.Bool()))
	default: // integers
		b.WriteString(v.String())
	}
	b.WriteByte('\n')
}

func indent(b *bytes.Buffer, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
}

func mapKeyLess(a, b protoreflect.MapKey) bool {
	switch x := a.Interface().(type) {
	case string:
		return x < b.String()
	case bool:
		return !x && b.Bool()
	case int32, int64:
		return a.Int() < b.Int()
	default:
		return a.Uint() < b.Uint()
	}
}

// writeCEscaped writes s quoted, escaping like protobuf's CEscape.
func writeCEscaped(b *bytes.Buffer, s []byte) {
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c >= 0x7f {
				b.WriteByte('\\')
				b.WriteByte('0' + c>>6)
				b.WriteByte('0' + (c>>3)&7)
				b.WriteByte('0' + c&7)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// pythonFloat formats x like Python's repr of the shortest decimal that
// reads back as the same float32 (bits 32) or float64: "5.0", "0.0001",
// "1e-05", "1e+16", "inf", "nan".
func pythonFloat(x float64, bits int) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(x, 'e', -1, bits) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return sign + m + "e" + es + pad2(exp)
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
