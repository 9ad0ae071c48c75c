package main

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gotl/gotl/helpers/graphrun"
)

// classify, bottlenecks, retrain and finetune feed images of the size the
// graph's input placeholder declares (graphrun.Graph.FeedImageSize), or of
// the size their flags give where the graph leaves it open. These helpers
// parse the flags and put FeedImageSize's errors in their terms.

// parseInputSize parses --input_size HxW; "" is no size asked for.
func parseInputSize(v string) (graphrun.ImageSize, error) {
	if v == "" {
		return graphrun.ImageSize{}, nil
	}
	var s graphrun.ImageSize
	if _, err := fmt.Sscanf(strings.ToLower(v), "%dx%d", &s.Height, &s.Width); err != nil || s.Height < 1 || s.Width < 1 ||
		fmt.Sprintf("%dx%d", s.Height, s.Width) != strings.ToLower(v) {
		return s, fmt.Errorf("%w: --input_size %q: want HxW, e.g. 299x299", errUsage, v)
	}
	return s, nil
}

// sizeFlagsError restates a *graphrun.ImageSizeError in err as a usage
// error in the command's terms; flags writes a size as the command's flags
// (0 for a dimension they leave out). graph names the graph file. Other
// errors are returned unchanged.
func sizeFlagsError(err error, graph string, flags func(graphrun.ImageSize) string) error {
	var se *graphrun.ImageSizeError
	if !errors.As(err, &se) {
		return err
	}
	e := *se
	e.Graph = graph
	// The nearest size the graph takes: its own dimensions, the user's
	// where it leaves one open.
	near := graphrun.ImageSize{Height: cmp.Or(e.Declared.Height, e.Asked.Height), Width: cmp.Or(e.Declared.Width, e.Asked.Width)}
	if !e.Mismatch() {
		return fmt.Errorf("%w: %s; pass %s", errUsage, e.Declaration(), flags(near))
	}
	fix := "pass " + flags(near)
	if e.Declared.Height > 0 && e.Declared.Width > 0 {
		fix = "omit the flags or " + fix
	}
	return fmt.Errorf("%w: %s but %s; %s", errUsage, flags(e.Asked), e.Declaration(), fix)
}

// inputSizeUsage documents --input_size.
const inputSizeUsage = "size HxW images are resized to (default: the input placeholder's static shape;\n" +
	"required when it has none, and must agree with it when it has one)"

// inputSizeFlags writes a size as --input_size HxW (H or W where unknown).
func inputSizeFlags(s graphrun.ImageSize) string {
	return "--input_size " + dimOr(s.Height, "H") + "x" + dimOr(s.Width, "W")
}

// classifySizeFlags writes a size as classify's --input_height and
// --input_width, leaving out unknown dimensions.
func classifySizeFlags(s graphrun.ImageSize) string {
	var flags []string
	if s.Height > 0 {
		flags = append(flags, "--input_height "+strconv.Itoa(s.Height))
	}
	if s.Width > 0 {
		flags = append(flags, "--input_width "+strconv.Itoa(s.Width))
	}
	if len(flags) == 0 {
		return "--input_height H --input_width W"
	}
	return strings.Join(flags, " ")
}

func dimOr(d int, unknown string) string {
	if d > 0 {
		return strconv.Itoa(d)
	}
	return unknown
}
