// Command compare is the script form of notebooks/04_retrain_vs_finetune.ipynb:
// both run helpers/compare's experiment and keep the same records. On
// TinyNet's transfer target classes (a fresh synthetic image folder per
// seed, split exactly as retrain.py splits), for every seed, it
//
//	(a) retrains only a new softmax layer on cached TinyNet bottlenecks
//	    (helpers/bottleneck + helpers/retrain), also for --long_retrain_steps,
//	(b) fine-tunes TinyNet end to end (helpers/finetune), and
//	(c) fine-tunes only its top N layers (--top_layers, 0 to skip),
//
// then prints, per method over the seeds, the steady time per step, the time
// spent preparing data and training, the validation accuracy and the test
// accuracy pooled over the seeds with its 95% interval, and the conclusion
// the notebook draws: a table, JSON with --json, Markdown with --markdown.
//
//	go run ./tools/compare
//	go run ./tools/compare --json > cpu.json
//	go run ./tools/compare --markdown      # docs/retrain_vs_finetune.md's tables
//	GOMLX_BACKEND=xla:cuda go run ./tools/compare --json
//
// The defaults are the notebook's presets (compare.CPUSettings and
// compare.GPUSettings): small settings on the pure-Go backend, bigger ones
// when the backend is a GPU (compute.IsGPU). Every setting can be
// overridden by a flag, and --settings=cpu|gpu picks a preset regardless of
// the backend.
//
// Speed is reported two ways. "ms/step" is the steady rate between the first
// and the last periodic evaluation (train.Result.SecondsPerStep), so it
// leaves out graph compilation (XLA compiles on the first step) and data
// preparation; "train s" is the whole training call. The JSON also has CPU
// seconds (user+system of this process) beside wall seconds, because on a
// shared machine wall time also measures the other processes.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotl/gotl/helpers/compare"
	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/nb"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// Report is the --json output. Methods holds the first seed's run of each
// method (what the report held before it had seeds); Runs every seed's,
// Runs[i] being Methods[i]'s method on each of Seeds.
type Report struct {
	Backend    string             `json:"backend"`
	GPU        bool               `json:"gpu"`
	Settings   compare.Settings   `json:"settings"`
	Classes    []string           `json:"classes"`
	Images     map[string]int     `json:"images"` // per seed
	Methods    []compare.Record   `json:"methods"`
	Seconds    float64            `json:"seconds"` // whole run
	Seeds      []uint64           `json:"seeds"`
	Runs       [][]compare.Record `json:"runs"`
	Summary    []compare.Summary  `json:"summary"`
	Conclusion string             `json:"conclusion"` // Markdown
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("settings", "auto", "preset: cpu, gpu, or auto (gpu when the backend is a GPU)")
	perClass := fs.Int("per_class", 0, "images per class (default: the preset's)")
	imageSize := fs.Int("image_size", 0, "size of the written images, resized to TinyNet's 32×32 input (default: the preset's)")
	noise := fs.Float64("noise", 0, "per-pixel noise stddev of the synthetic images, in levels (default: the preset's)")
	steps := fs.Int("steps", 0, "training steps of each method (default: the preset's)")
	batch := fs.Int("batch", 0, "training batch size of each method (default: the preset's)")
	lr := fs.Float64("learning_rate", 0, "learning rate of the new layer; pretrained layers get a tenth (default: the preset's)")
	evalEvery := fs.Int("eval_every", 0, "evaluate every this many steps (default: the preset's)")
	topLayers := fs.Int("top_layers", -1, "also fine-tune only the top N layers; 0 skips it (default: the preset's)")
	longSteps := fs.Int("long_retrain_steps", -1, "also retrain for this many steps; 0 skips it (default: the preset's)")
	scale := fs.Float64("pretrained_lr_scale", 0, "learning rate scale of pretrained weights when fine-tuning (default: the preset's)")
	valPct := fs.Float64("validation_percentage", 0, "percentage of images in the validation split (default: the preset's)")
	testPct := fs.Float64("testing_percentage", 0, "percentage of images in the test split (default: the preset's)")
	initHead := fs.String("init_head", "", "true: fine-tuning starts from the retrained softmax; false: from a random one (default: the preset's)")
	optName := fs.String("optimizer", "", "TF1 optimizer of every method, e.g. Momentum (with momentum 0.9), Adam, GradientDescent (default: the preset's)")
	methods := fs.String("methods", "retrain,finetune", "methods to run, comma-separated: retrain (also the long retrain) and finetune (also top N)")
	seed := fs.Uint64("seed", 0, "first seed of images, initialisation and batches (default: the preset's)")
	seeds := fs.Int("seeds", 0, "number of seeds, each a fresh image folder, initialisation and batches (default: the preset's)")
	workDir := fs.String("work_dir", "", "keep the images, the bottleneck cache and the runs here (default: a temporary directory, removed)")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout (progress goes to stderr)")
	asMarkdown := fs.Bool("markdown", false, "print the results as Markdown tables and the conclusion (progress goes to stderr)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: compare [flags]\n\nRetrain a softmax on TinyNet bottlenecks vs fine-tune TinyNet, on fresh synthetic data per seed.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *asJSON && *asMarkdown {
		return errors.New("--json and --markdown: choose one")
	}
	selected := map[string]bool{}
	for _, m := range strings.Split(*methods, ",") {
		switch m = strings.TrimSpace(m); m {
		case "retrain", "finetune":
			selected[m] = true
		default:
			return fmt.Errorf("--methods: unknown method %q (want retrain, finetune)", m)
		}
	}
	start := time.Now()
	backend, err := graphrun.DefaultBackend()
	if err != nil {
		return err
	}
	gpu := compute.IsGPU(backend)
	var s compare.Settings
	switch *preset {
	case "auto":
		s = compare.Preset(gpu)
	case "cpu":
		s = compare.CPUSettings
	case "gpu":
		s = compare.GPUSettings
	default:
		return fmt.Errorf("--settings %q: want cpu, gpu or auto", *preset)
	}
	for _, o := range []struct {
		dst *int
		v   int
	}{{&s.PerClass, *perClass}, {&s.ImageSize, *imageSize}, {&s.Steps, *steps}, {&s.Batch, *batch}, {&s.EvalEvery, *evalEvery}, {&s.Seeds, *seeds}} {
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	for _, o := range []struct {
		dst *float64
		v   float64
	}{{&s.ValidationPercent, *valPct}, {&s.TestPercent, *testPct}, {&s.PretrainedScale, *scale}, {&s.Noise, *noise}, {&s.LearningRate, *lr}} {
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	if *topLayers >= 0 {
		s.TopLayers = *topLayers
	}
	if *longSteps >= 0 {
		s.LongRetrainSteps = *longSteps
	}
	switch *initHead {
	case "":
	case "true", "false":
		s.InitHead = *initHead == "true"
	default:
		return fmt.Errorf("--init_head %q: want true or false", *initHead)
	}
	if *optName != "" {
		s.Optimizer = *optName
	}
	if *seed > 0 {
		s.Seed = *seed
	}
	if err := s.Check(); err != nil {
		return err
	}

	log := stdout
	if *asJSON || *asMarkdown {
		log = stderr
	}
	dir := *workDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gotl-compare-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	e := &compare.Experiment{Settings: s, Dir: dir, Progress: nb.Bars, Log: log}
	fmt.Fprintf(log, "Backend: %s\nSettings: %+v\n", compute.Describe(backend), s)
	if err := e.Prepare(); err != nil {
		return err
	}
	folder, err := e.Folder(s.Seed)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, c := range folder.Counts() {
		counts["training"] += c[dataset.Training]
		counts["validation"] += c[dataset.Validation]
		counts["testing"] += c[dataset.Testing]
	}
	fmt.Fprintf(log, "Images per seed: %d classes %v, split %v; seeds %v\n", len(folder.Classes), folder.Labels(), counts, s.SeedList())

	rep := Report{Backend: compute.Describe(backend), GPU: gpu, Settings: s, Classes: folder.Labels(), Images: counts, Seeds: s.SeedList()}
	for _, m := range s.Plan() {
		if (m.FineTune && !selected["finetune"]) || (!m.FineTune && !selected["retrain"]) {
			continue
		}
		records, err := e.RunSeeds(m.ID)
		if err != nil {
			return err
		}
		var runs []compare.Record
		for _, r := range records {
			runs = append(runs, *r)
		}
		rep.Methods, rep.Runs = append(rep.Methods, runs[0]), append(rep.Runs, runs)
		sum, err := compare.Summarize(records)
		if err != nil {
			return err
		}
		rep.Summary = append(rep.Summary, sum)
	}
	rep.Conclusion = compare.Conclusion(rep.Backend, s, rep.Summary)
	rep.Seconds = time.Since(start).Seconds()
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case *asMarkdown:
		return printMarkdown(stdout, rep)
	}
	return printTable(stdout, rep)
}

func printTable(w io.Writer, rep Report) error {
	fmt.Fprintf(w, "\nBackend: %s\n", rep.Backend)
	fmt.Fprintf(w, "Data per seed: %d classes, %d training / %d validation / %d test images; batches of %d; seeds %v\n\n",
		len(rep.Classes), rep.Images["training"], rep.Images["validation"], rep.Images["testing"], rep.Settings.Batch, rep.Seeds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header, rows := compare.Table(rep.Summary)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n\nwhole run: %.1f s\n", rep.Conclusion, rep.Seconds)
	return nil
}

// printMarkdown writes the summary table, the per-seed test accuracies and
// the conclusion as Markdown: what docs/retrain_vs_finetune.md shows.
func printMarkdown(w io.Writer, rep Report) error {
	header, rows := compare.Table(rep.Summary)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	var seeds []string
	for _, s := range rep.Seeds {
		seeds = append(seeds, fmt.Sprintf("seed %d", s))
	}
	fmt.Fprintf(w, "\nTest images right per seed:\n\n| method | %s |\n|---|%s\n", strings.Join(seeds, " | "), strings.Repeat("---:|", len(rep.Seeds)))
	for _, s := range rep.Summary {
		var cells []string
		for _, p := range s.TestPerSeed {
			cells = append(cells, fmt.Sprintf("%d/%d", p.K, p.N))
		}
		fmt.Fprintf(w, "| %s | %s |\n", s.Name, strings.Join(cells, " | "))
	}
	_, err := fmt.Fprintf(w, "\n%s\n\nWhole run: %.1f s.\n", rep.Conclusion, rep.Seconds)
	return err
}
