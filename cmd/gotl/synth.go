package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/zoo"
)

// gotl synth writes an offline image folder to try retrain and finetune on,
// so the README's examples run without downloading flower_photos.
func init() {
	register(&command{
		name:    "synth",
		summary: "write a synthetic labelled image folder (one sub-folder per class) to retrain or fine-tune on, offline",
		run:     runSynth,
	})
}

func runSynth(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("synth", "--out DIR [--classes target|source|all|NAME,NAME…] [--per_class N] [--size N]", stderr)
	out := fs.String("out", "", "directory to create (must not exist, or be empty)")
	classes := fs.String("classes", "target", `"target": the classes TinyNet never saw; "source": the ones it was pretrained on; "all"; or a comma-separated list of `+strings.Join(dataset.SyntheticClasses, ", "))
	perClass := fs.Int("per_class", 50, "images per class")
	size := fs.Int("size", 64, "image height and width")
	seed := fs.Uint64("seed", 1, "same seed, same images")
	format := fs.String("format", "jpg", "jpg or png")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	var want []string
	switch *classes {
	case "target":
		want = zoo.TinyNetTargetClasses
	case "source":
		want = zoo.TinyNetSourceClasses
	case "all":
		want = dataset.SyntheticClasses
	default:
		for _, c := range strings.Split(*classes, ",") {
			want = append(want, strings.TrimSpace(c))
		}
		for _, c := range want {
			if !slices.Contains(dataset.SyntheticClasses, c) {
				return fmt.Errorf("%w: unknown class %q (known: %s)", errUsage, c, strings.Join(dataset.SyntheticClasses, ", "))
			}
		}
	}
	if _, err := dataset.WriteSyntheticClasses(*out, want, dataset.SyntheticOptions{PerClass: *perClass,
		Height: *size, Width: *size, Seed: *seed, Format: *format}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %d %s images of %d classes (%s) to %s\n", *perClass*len(want), *format, len(want), strings.Join(want, ", "), *out)
	return nil
}
