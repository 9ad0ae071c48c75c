// Command gotl is the command-line face of gotl: it installs the Jupyter
// kernel and runs the same helpers the notebooks use (inspect TensorFlow files,
// run graphs, classify images, step optimizers, cache bottlenecks, retrain and
// fine-tune).
//
// Each subcommand lives in its own file of this package and registers itself
// with register in an init function, so adding one touches no shared code.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one gotl subcommand.
type command struct {
	name    string
	summary string // one line, shown by "gotl help"
	// run executes the command with the arguments that follow its name.
	// Output goes to stdout; errors are returned, not printed.
	run func(args []string, stdout, stderr io.Writer) error
	// listsLimits marks a command that prints every limit, a bad
	// GOTL_MAX_… value included: runMain does not warn about one first.
	listsLimits bool
}

var commands = map[string]*command{}

// register adds c to the command table; it panics on a duplicate name, which
// is a programming error caught by any test of this package.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("gotl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks an error caused by bad command-line usage (exit status 2).
var errUsage = errors.New("usage error")

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain dispatches args to a subcommand and returns the process exit status.
// Errors are printed as one line: "gotl NAME: problem".
func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gotl: unknown command %q (known: %s)\n", args[0], strings.Join(commandNames(), ", "))
		return 2
	}
	if !c.listsLimits {
		warnIgnoredLimits(stderr)
	}
	if err := c.run(args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
		fmt.Fprintf(stderr, "gotl %s: %s\n", c.name, msg)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gotl: transfer learning with TensorFlow files in Go notebooks")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: gotl COMMAND [flags]   (gotl COMMAND -h for a command's flags)")
	fmt.Fprintln(w)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
}

// newFlagSet returns a FlagSet that reports errors instead of exiting, with
// usage text written to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gotl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: gotl %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs and wraps failures as usage errors. Flags may
// come before or after positional arguments, as users of TF's scripts expect.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
