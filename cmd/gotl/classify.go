package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/limits"
)

func init() {
	register(&command{
		name:    "classify",
		summary: "label an image with a frozen classifier graph, like TensorFlow's label_image.py (top 5)",
		run:     runClassify,
	})
}

func runClassify(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("classify", "--graph G --labels L --image IMG [flags]", stderr)
	graphPath := fs.String("graph", "", "frozen GraphDef (.pb/.pbtxt), e.g. retrained_graph.pb (required)")
	labelsPath := fs.String("labels", "", "labels file, one label per line in output order (required)")
	imagePath := fs.String("image", "", "JPEG, PNG or GIF image (required)")
	inputLayer := fs.String("input_layer", "input", "input tensor name (\":0\" optional); a DecodeJpeg contents input\n(DecodeJpeg/contents in classify_image_graph_def.pb) is fed the file itself")
	outputLayer := fs.String("output_layer", "final_result", "output tensor name: the softmax (\":0\" optional)")
	height := fs.Int("input_height", 0, "height the image is resized to (default: the input placeholder's static height;\n"+
		"299, label_image.py's default, when it has none; must agree with it when it has one)")
	width := fs.Int("input_width", 0, "width the image is resized to (default: the input placeholder's static width; as --input_height)")
	mean := fs.Float64("input_mean", 0, "subtracted from each pixel (0 Inception v3 in label_image.py; 127.5 MobileNet)")
	std := fs.Float64("input_std", 255, "pixels are divided by this after the mean (255 Inception v3; 127.5 MobileNet)")
	top := fs.Int("top", 5, "how many labels to print")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: unexpected arguments %v", errUsage, pos)
	}
	for flagName, v := range map[string]string{"graph": *graphPath, "labels": *labelsPath, "image": *imagePath} {
		if v == "" {
			return fmt.Errorf("%w: --%s is required", errUsage, flagName)
		}
	}
	if *top < 1 {
		return fmt.Errorf("%w: --top must be positive", errUsage)
	}
	if *height < 0 || *width < 0 {
		return fmt.Errorf("%w: --input_height and --input_width cannot be negative (0: from the graph)", errUsage)
	}
	res, err := classify(*graphPath, *labelsPath, *imagePath, tensorName(*inputLayer), tensorName(*outputLayer),
		graphrun.ImageOptions{Height: *height, Width: *width, Mean: float32(*mean), Std: float32(*std)}, *top)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	for _, p := range res.Top {
		fmt.Fprintf(stdout, "%s %.6g\n", p.Label, p.Score)
	}
	return nil
}

// classification is what --json prints.
type classification struct {
	Image string                `json:"image"`
	Top   []graphrun.Prediction `json:"top"`
}

// tensorName accepts label_image.py's layer names ("final_result") and
// tensor names ("final_result:0"); a leading "import/" (what label_image.py
// prepends) is dropped.
func tensorName(s string) string {
	s = strings.TrimPrefix(s, "import/")
	if !strings.Contains(s, ":") {
		s += ":0"
	}
	return s
}

func classify(graphPath, labelsPath, imagePath, input, output string, opts graphrun.ImageOptions, top int) (*classification, error) {
	labels, err := graphrun.ReadLabels(labelsPath)
	if err != nil {
		return nil, err
	}
	data, err := limits.ReadFile(imagePath)
	if err != nil {
		return nil, err
	}
	g, err := graphrun.Load(graphPath)
	if err != nil {
		return nil, err
	}
	c, err := graphrun.NewClassifier(g, input, output, labels, opts)
	if err != nil {
		return nil, sizeFlagsError(err, graphPath, classifySizeFlags)
	}
	best, err := c.Classify(data, top)
	if err != nil {
		return nil, fmt.Errorf("%s (labels %s): %w", imagePath, labelsPath, err)
	}
	return &classification{Image: imagePath, Top: best}, nil
}
