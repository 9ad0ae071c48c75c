package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
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
	height := fs.Int("input_height", 299, "height the image is resized to (299 Inception v3; 224 or 128 MobileNet)")
	width := fs.Int("input_width", 299, "width the image is resized to")
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

type prediction struct {
	Label string  `json:"label"`
	Index int     `json:"index"`
	Score float32 `json:"score"`
}

type classification struct {
	Image string       `json:"image"`
	Top   []prediction `json:"top"`
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
	labels, err := readLabels(labelsPath)
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
	m, err := graphrun.NewModel(g, []string{input}, []string{output})
	if err != nil {
		return nil, err
	}
	var img *tensor.Tensor
	if m.EncodedImageFeed(0) {
		// Graphs like classify_image_graph_def.pb decode and resize themselves
		// ("DecodeJpeg/contents"): feed the file, ignore the size flags.
		img, err = tensor.FromStrings(nil, []string{string(data)})
	} else {
		img, err = graphrun.PrepareImage(data, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", imagePath, err)
	}
	outs, err := m.Run(img)
	if err != nil {
		return nil, err
	}
	scores, err := outs[0].Float32s()
	if err != nil {
		return nil, err
	}
	if len(scores) != len(labels) {
		return nil, fmt.Errorf("%s has %d outputs but %s lists %d labels", output, len(scores), labelsPath, len(labels))
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	if top > len(idx) {
		top = len(idx)
	}
	res := &classification{Image: imagePath}
	for _, i := range idx[:top] {
		res.Top = append(res.Top, prediction{Label: labels[i], Index: i, Score: scores[i]})
	}
	return res, nil
}

// readLabels reads one label per line, trailing whitespace removed, as
// label_image.py's load_labels does.
func readLabels(path string) ([]string, error) {
	f, _, err := limits.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var labels []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		labels = append(labels, strings.TrimRight(sc.Text(), " \t\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%s: no labels", path)
	}
	return labels, nil
}
