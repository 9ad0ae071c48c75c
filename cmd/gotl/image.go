package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tfjpeg"
)

func init() {
	register(&command{
		name:    "image",
		summary: "decode an image with TensorFlow's exact JPEG pixels (optionally resize and normalise) into tensor JSON for gotl run --feed",
		run:     runImage,
	})
}

func runImage(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("image", "IMAGE [--size HxW] [--mean M] [--std S] [--dct_method M] [--json]", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: gotl image IMAGE [--size HxW] [--mean M] [--std S] [--dct_method M] [--json]

Decodes IMAGE (JPEG with TensorFlow's DecodeJpeg pixels, or PNG/GIF) and
prints the tensor: a summary, or with --json the tensor JSON that
"gotl run --feed NAME=FILE.json" takes.

Without --size, --mean and --std the tensor is DecodeJpeg's output: uint8
[height, width, channels], row-major, RGB (channels: the file's, unless
--channels says). With any of them it is the input label_image.py and
retrain.py feed a graph: float32 [1, H, W, 3] (a batch of one), resized
with TensorFlow's legacy bilinear resize to --size (default: the image's
size), then (pixel - mean) / std. "gotl classify" prepares images the same
way, so

  gotl image photo.jpg --size 128x128 --mean 127.5 --std 127.5 --json > x.json
  gotl run retrained_graph.pb --feed input:0=x.json --fetch final_result:0

gives the scores "gotl classify" prints.

Flags:
`)
		fs.PrintDefaults()
	}
	size := fs.String("size", "", "HxW: resize to H rows and W columns (e.g. 224x224)")
	mean := fs.Float64("mean", 0, "subtracted from each pixel (127.5 for MobileNet, 128 for retrain.py's Inception v3)")
	std := fs.Float64("std", 1, "pixels are divided by this after the mean (127.5 MobileNet, 128 Inception v3)")
	channels := fs.Int("channels", -1, "DecodeJpeg channels: 0 (the file's), 1 or 3; default 0, or 3 when resizing or normalising")
	dct := fs.String("dct_method", "", `DecodeJpeg dct_method: "" or INTEGER_FAST (TensorFlow's default), INTEGER_ACCURATE`)
	ratio := fs.Int("ratio", 1, "DecodeJpeg ratio: downscale by 1, 2, 4 or 8 while decoding")
	fancy := fs.Bool("fancy_upscaling", true, "DecodeJpeg fancy_upscaling (triangle-filter chroma upsampling)")
	asJSON := fs.Bool("json", false, "print the tensor JSON instead of a summary")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want exactly one IMAGE argument, got %d", errUsage, len(pos))
	}
	prepare := false
	fs.Visit(func(f *flag.Flag) {
		prepare = prepare || f.Name == "size" || f.Name == "mean" || f.Name == "std"
	})
	opts := tfjpeg.Options{Channels: *channels, Ratio: *ratio, DCTMethod: *dct, NoFancyUpscaling: !*fancy}
	if opts.Channels < 0 {
		opts.Channels = 0
		if prepare {
			opts.Channels = 3
		}
	}
	var h, w int
	if *size != "" {
		if h, w, err = parseImageSize(*size); err != nil {
			return fmt.Errorf("%w: --size: %v", errUsage, err)
		}
	}
	data, err := limits.ReadFile(pos[0])
	if err != nil {
		return err
	}
	img, err := graphrun.DecodeJPEGWith(data, opts)
	if err != nil {
		return fmt.Errorf("%s: %v", pos[0], err)
	}
	if prepare {
		if h == 0 {
			h, w = int(img.Shape[0]), int(img.Shape[1])
		}
		img, err = graphrun.PrepareDecoded(img, graphrun.ImageOptions{Height: h, Width: w, Mean: float32(*mean), Std: float32(*std)})
		if err != nil {
			return fmt.Errorf("%s: %v", pos[0], err)
		}
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(img)
	}
	printTensorSummary(stdout, pos[0], img)
	return nil
}

// parseImageSize reads --size "HxW".
func parseImageSize(s string) (h, w int, err error) {
	hs, ws, ok := strings.Cut(strings.ToLower(s), "x")
	if ok {
		h, err = strconv.Atoi(hs)
		if err == nil {
			w, err = strconv.Atoi(ws)
		}
	}
	if !ok || err != nil || h < 1 || w < 1 {
		return 0, 0, fmt.Errorf("%q is not HxW with positive H and W (e.g. 224x224)", s)
	}
	return h, w, nil
}
