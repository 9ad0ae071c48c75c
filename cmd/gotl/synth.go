package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
			c = strings.TrimSpace(c)
			if !slices.Contains(dataset.SyntheticClasses, c) {
				return fmt.Errorf("%w: unknown class %q (known: %s)", errUsage, c, strings.Join(dataset.SyntheticClasses, ", "))
			}
			want = append(want, c)
		}
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s exists and is not empty", *out)
	}
	// Draw every class up to the last one wanted (Synthetic takes a count),
	// in a temporary folder, keep the wanted ones, then move it into place.
	n := 0
	for _, c := range want {
		n = max(n, slices.Index(dataset.SyntheticClasses, c)+1)
	}
	n = max(n, 2)
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(*out)), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(*out)), ".synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := dataset.WriteSynthetic(tmp, dataset.SyntheticOptions{Classes: n, PerClass: *perClass,
		Height: *size, Width: *size, Seed: *seed, Format: *format}); err != nil {
		return err
	}
	for _, c := range dataset.SyntheticClasses[:n] {
		if !slices.Contains(want, c) {
			if err := os.RemoveAll(filepath.Join(tmp, c)); err != nil {
				return err
			}
		}
	}
	os.Remove(*out) // an empty directory may be replaced
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %d %s images of %d classes (%s) to %s\n", *perClass*len(want), *format, len(want), strings.Join(want, ", "), *out)
	return nil
}
