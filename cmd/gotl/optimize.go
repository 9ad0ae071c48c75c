package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/optim/testfunc"
)

func init() {
	register(&command{
		name:    "optimize",
		summary: "step a TF1 optimizer: replay a JSON case (--case) or trace a trajectory on a 2-D test function (--function)",
		run:     runOptimize,
	})
}

// paramFlags collects repeated --param name=value flags.
type paramFlags map[string]any

func (p paramFlags) String() string { return fmt.Sprint(map[string]any(p)) }

func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "true":
		p[k] = true
	case "false":
		p[k] = false
	default:
		p[k] = v // numbers are parsed (and checked) by optim
	}
	return nil
}

func runOptimize(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("optimize", "--case FILE.json | --function NAME --optimizer NAME [--param name=value]... [--steps N] [--start x,y] [--json]", stderr)
	casePath := fs.String("case", "", "JSON case file to replay (- for stdin); prints the final variables and slots as JSON")
	function := fs.String("function", "", "2-D test function: "+strings.Join(testfunc.Names(), ", ")+" (quadratic:K sets the condition number)")
	optimizer := fs.String("optimizer", "", "TF1 optimizer: "+strings.Join(optim.Names(), ", "))
	params := paramFlags{}
	fs.Var(params, "param", "optimizer argument with its TF1 name, e.g. learning_rate=0.01 (repeatable)")
	steps := fs.Int("steps", 500, "number of steps (--function); at most $GOTL_MAX_STEPS (default 1000000). Runs longer than\n$GOTL_MAX_HISTORY_POINTS (default 10000) steps print every 2nd, 4th, … step and the last")
	start := fs.String("start", "", "starting point x,y (--function; default: the function's conventional start)")
	asJSON := fs.Bool("json", false, "print the trajectory as JSON (--function)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	switch {
	case *casePath != "" && *function != "":
		return fmt.Errorf("%w: --case and --function are exclusive", errUsage)
	case *casePath != "":
		return optimizeCase(*casePath, stdout)
	case *function != "":
		return optimizeFunction(*function, *optimizer, params, *steps, *start, *asJSON, stdout)
	}
	return fmt.Errorf("%w: give --case FILE.json or --function NAME (optimizers: %s)", errUsage, strings.Join(optim.Names(), ", "))
}

func optimizeCase(path string, stdout io.Writer) error {
	var r io.Reader = os.Stdin
	name := "stdin"
	if path != "-" {
		f, _, err := limits.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, path
	}
	c, err := optim.ParseCase(r, name)
	if err != nil {
		return err
	}
	res, err := optim.RunCase(c)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func optimizeFunction(fname, oname string, params paramFlags, steps int, start string, asJSON bool, stdout io.Writer) error {
	fn, err := testfunc.ByName(fname)
	if err != nil {
		return err
	}
	if oname == "" {
		return fmt.Errorf("%w: --optimizer is required with --function (valid: %s)", errUsage, strings.Join(optim.Names(), ", "))
	}
	if steps < 0 {
		return fmt.Errorf("%w: --steps must be ≥ 0", errUsage)
	}
	var x0 []float64
	if start != "" {
		parts := strings.Split(start, ",")
		if len(parts) != 2 {
			return fmt.Errorf("%w: --start wants x,y, got %q", errUsage, start)
		}
		for _, p := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return fmt.Errorf("%w: --start wants x,y, got %q", errUsage, start)
			}
			x0 = append(x0, v)
		}
	}
	cfg := optim.Config{Optimizer: oname, Params: params}
	tr, err := testfunc.Run(fn, cfg, x0, steps)
	if err != nil {
		return err
	}
	spec, hyper, _ := cfg.Resolve()
	if asJSON {
		type point struct {
			Step  int                             `json:"step"`
			X     float64                         `json:"x"`
			Y     float64                         `json:"y"`
			Loss  *float64                        `json:"loss"`
			Slots map[string]map[string][]float64 `json:"slots,omitempty"`
		}
		out := struct {
			Function  string             `json:"function"`
			Optimizer string             `json:"optimizer"`
			Params    map[string]float64 `json:"params"`
			Diverged  bool               `json:"diverged"`
			Points    []point            `json:"points"`
		}{Function: fn.Name, Optimizer: spec.Name, Params: finite(hyper), Diverged: tr.Diverged}
		for i, x := range tr.X {
			p := point{Step: tr.Steps[i], X: x[0], Y: x[1], Slots: tr.Recorder.Records[i].Slots}
			if l := tr.Loss[i]; !isBad(l) && !isBad(x[0]) && !isBad(x[1]) {
				p.Loss = &l
			} else {
				p.X, p.Y = 0, 0 // JSON has no NaN/Inf; loss null marks the point
			}
			out.Points = append(out.Points, p)
		}
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "# %s on %s from (%g, %g), %d steps; %s\n", spec.Name, fn.Name, tr.X[0][0], tr.X[0][1], steps, fmtHyper(spec, hyper))
	fmt.Fprintf(stdout, "%6s %14s %14s %14s\n", "step", "x", "y", "loss")
	for i, x := range tr.X {
		fmt.Fprintf(stdout, "%6d %14.8g %14.8g %14.8g\n", tr.Steps[i], x[0], x[1], tr.Loss[i])
	}
	if tr.Diverged {
		fmt.Fprintf(stdout, "# diverged at step %d\n", tr.DivergedAt)
	} else {
		fmt.Fprintf(stdout, "# final loss %.8g (minimum %g)\n", tr.Final(), fn.Min)
	}
	return nil
}

func isBad(v float64) bool { return v != v || v > 1e308 || v < -1e308 }

func finite(h optim.Hyper) map[string]float64 {
	m := map[string]float64{}
	for k, v := range h {
		if !isBad(v) {
			m[k] = v
		}
	}
	return m
}

func fmtHyper(spec optim.Spec, h optim.Hyper) string {
	var parts []string
	for _, p := range spec.Params {
		if v, ok := h[p.Name]; ok && !isBad(v) {
			parts = append(parts, fmt.Sprintf("%s=%g", p.Name, v))
		}
	}
	return strings.Join(parts, " ")
}
