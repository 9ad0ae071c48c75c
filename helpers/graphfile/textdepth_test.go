package graphfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gotl/gotl/helpers/limits"
)

// nestedAttrs is a schema-valid GraphDef whose node nests functions in
// attributes n times: attr { value { func { attr { value { func … (three
// messages per level, plus the map entry).
func nestedAttrs(n int) string {
	return `node { name: "n" op: "C" ` + strings.Repeat(`attr { key: "a" value { func { name: "f" `, n) +
		strings.Repeat("} } } ", n) + "}"
}

// The hostile text files: 'z{'*n (an unknown field nested n deep)
// crashed every text reader with a stack overflow from a few MB; schema-valid
// nesting did the same. Both are refused before parsing, with an error that
// names the line and the limit, in time and memory linear in the input.
func TestTextNestingIsBounded(t *testing.T) {
	const n = 200000
	unknown := `node { name: "n" op: "C" ` + strings.Repeat("z{", n) + strings.Repeat("}", n) + "}"
	for name, text := range map[string]string{
		"unknown field":   unknown,
		"attr value func": nestedAttrs(n / 4),
		"angle brackets":  `node < name: "n" op: "C" ` + strings.Repeat("z<", n) + strings.Repeat(">", n) + ">",
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Parse([]byte(text), "deep.pbtxt")
		runtime.ReadMemStats(&after)
		if !errors.Is(err, limits.ErrExceeded) || !strings.Contains(err.Error(), "deep.pbtxt: not a valid GraphDef (text protobuf): message nesting at line 1:") ||
			!strings.Contains(err.Error(), "more than the limit of 100 (protobuf nesting depth; raise it with GOTL_MAX_PROTO_DEPTH)") {
			t.Errorf("%s: %v", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*uint64(len(text))+1<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte file", name, alloc, len(text))
		}
	}
	// MetaGraphDefs and SavedModels share the check.
	if _, err := ParseMetaGraph([]byte("graph_def { "+unknown+" }"), "deep.meta"); !errors.Is(err, limits.ErrExceeded) {
		t.Errorf("meta graph: %v", err)
	}
	if _, err := parseSavedModel([]byte("meta_graphs { graph_def { "+unknown+" } }"), "dir", "saved_model.pbtxt"); !errors.Is(err, limits.ErrExceeded) {
		t.Errorf("saved model: %v", err)
	}
}

// The limit is exact in both encodings. Depth counts the messages below the
// top level; a text file writes each map entry as a message (attr { key …
// value { … } }) and counts it, while protobuf-go's binary decoder does not
// count map entries. nestedAttrs(L) is 1+3L deep as text and 1+2L as binary.
func TestNestingLimitIsExactInBothEncodings(t *testing.T) {
	defer limits.ProtoDepth.Set(limits.ProtoDepth.Set(40))
	for levels := 1; levels <= 25; levels++ {
		text := nestedAttrs(levels)
		_, textErr := Parse([]byte(text), "t.pbtxt")
		if wantOK := 1+3*levels <= 40; (textErr == nil) != wantOK {
			t.Errorf("text depth %d (limit 40): %v", 1+3*levels, textErr)
		}
		limits.ProtoDepth.Set(1000)
		g, err := Parse([]byte(text), "t.pbtxt")
		limits.ProtoDepth.Set(40)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := proto.Marshal(g.Def)
		_, binErr := Parse(b, "t.pb")
		if wantOK := 1+2*levels <= 40; (binErr == nil) != wantOK || (!wantOK && !errors.Is(binErr, limits.ErrExceeded)) {
			t.Errorf("binary depth %d (limit 40): %v", 1+2*levels, binErr)
		}
	}
}

func TestCheckTextDepthSkipsStringsAndComments(t *testing.T) {
	for text, want := range map[string]bool{
		`a { b { } }`:                  true,
		`a { b { c { } } }`:            false,
		`a { s: "{{{{" }`:              true,
		`a { s: '{{\'{{' }`:            true,
		`a { s: "\"{{{" }`:             true,
		"a { # {{{{\n }":               true,
		"a { s: \"x\n{ { { }":          false, // a newline ends a string for the tokenizer too
		`a < b < > >`:                  true,
		`a < b < c < > > >`:            false,
		`}}}} a { b { } }`:             true, // unbalanced closers do not lower the count below 0
		"# only a comment without end": true,
	} {
		err := checkTextDepth([]byte(text), 2)
		if (err == nil) != want {
			t.Errorf("checkTextDepth(%q, 2) = %v, want ok=%v", text, err, want)
		}
	}
}

// Text graph files read through Load report the file and the limit.
func TestLoadDeepTextFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.pbtxt")
	n := 100000
	if err := os.WriteFile(path, []byte(`node{name:"n" op:"C" `+strings.Repeat("z{", n)+strings.Repeat("}", n)+"}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := fmt.Sprintf("graphfile: %s: not a valid GraphDef (text protobuf): message nesting at line 1:", path)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load: %v", err)
	}
}
