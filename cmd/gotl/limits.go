package main

import (
	"fmt"
	"io"

	"github.com/gotl/gotl/helpers/limits"
)

func init() {
	register(&command{
		name:    "limits",
		summary: "print the resource limits every reader enforces (tensor elements, image pixels, …) and the variables that raise them",
		run:     runLimits,
		// runLimits names an ignored value beside its variable ("  ! …").
		listsLimits: true,
	})
}

func runLimits(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("limits", "", stderr)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	fmt.Fprintln(stdout, "gotl's resource policy (see the helpers/limits package); set a variable to raise a limit:")
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "%-26s %-14s %-12s %s\n", "VARIABLE", "VALUE", "DEFAULT", "LIMITS")
	for _, l := range limits.All() {
		value := fmt.Sprint(l.Get())
		if l.Source() != "default" {
			value += " *" // set by the environment
		}
		fmt.Fprintf(stdout, "%-26s %-14s %-12d %s, in %s\n", l.Env, value, l.Default, l.Name, l.Unit)
		if err := l.EnvError(); err != nil {
			fmt.Fprintf(stdout, "  ! %v\n", err)
		}
	}
	fmt.Fprintln(stdout, "\n* set by the environment")
	return nil
}

// warnIgnoredLimits prints one line per GOTL_MAX_… variable whose value
// could not be used, so that a typo does not silently keep the default.
func warnIgnoredLimits(stderr io.Writer) {
	for _, l := range limits.All() {
		if err := l.EnvError(); err != nil {
			fmt.Fprintf(stderr, "gotl: warning: %v\n", err)
		}
	}
}
