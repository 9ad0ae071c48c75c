package main

import (
	"fmt"
	"io"

	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/optim"
	"github.com/gotl/gotl/helpers/retrain"
)

// What retrain and finetune share: both take retrain.py's image folder,
// split and optimizer flags, and report the same way.

// checkTrainingArgs checks the arguments both training commands require.
func checkTrainingArgs(rest []string, imageDir, optimizer string) error {
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	if imageDir == "" {
		return fmt.Errorf("%w: --image_dir is required", errUsage)
	}
	if _, err := optim.Lookup(optimizer); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// loadSplitFolder reads an image folder with retrain.py's split.
func loadSplitFolder(dir string, validationPct, testingPct float64) (*dataset.Folder, error) {
	opts := dataset.DefaultFolderOptions()
	opts.ValidationPercentage, opts.TestingPercentage = validationPct, testingPct
	return dataset.LoadFolder(dir, opts)
}

// printMisclassified lists wrong test images as retrain.py's
// --print_misclassified_test_images does.
func printMisclassified(w io.Writer, mis []retrain.Misclassified, labels []string) {
	if len(mis) == 0 {
		return
	}
	fmt.Fprintln(w, "=== MISCLASSIFIED TEST IMAGES ===")
	for _, m := range mis {
		fmt.Fprintf(w, "%70s  %s\n", m.Name, labels[m.Predicted])
	}
}
