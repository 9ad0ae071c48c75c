package nb

import (
	"fmt"
	"io"
	"os"
)

// exit ends the program; tests replace it.
var exit = os.Exit

// errOut is where Check reports; tests replace it.
var errOut io.Writer = os.Stderr

// Check stops the cell when err is not nil, printing the error on one line
// ("error: …") instead of a panic's goroutine dump: what a notebook's
// reader needs to see, and all a cell can do with a failure. Outside a
// notebook it does the same to a program.
func Check(err error) {
	if err != nil {
		fmt.Fprintf(errOut, "error: %v\n", err)
		exit(1)
	}
}

// Must returns v, or stops the cell as Check does when err is not nil:
// g := nb.Must(graphfile.Load(path)).
func Must[T any](v T, err error) T {
	Check(err)
	return v
}
