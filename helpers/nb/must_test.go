package nb

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestMustAndCheck(t *testing.T) {
	defer func(w io.Writer, e func(int)) { errOut, exit = w, e }(errOut, exit)
	var out bytes.Buffer
	code := -1
	errOut, exit = &out, func(c int) { code = c }

	if got := Must(42, nil); got != 42 || code != -1 || out.Len() != 0 {
		t.Fatalf("Must(42, nil) = %d, exit %d, output %q; want 42, no exit, no output", got, code, out.String())
	}
	Check(nil)
	if code != -1 {
		t.Fatalf("Check(nil) exited with %d", code)
	}
	Must("", errors.New("graphfile: x.pb: no such file"))
	if code != 1 || out.String() != "error: graphfile: x.pb: no such file\n" {
		t.Fatalf("Must with an error: exit %d, output %q; want exit 1 and one error line", code, out.String())
	}
}
