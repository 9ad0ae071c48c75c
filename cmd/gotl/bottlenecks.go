package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/zoo"
)

func init() {
	register(&command{
		name:    "bottlenecks",
		summary: "compute and cache the bottleneck vectors of an image folder (reports cache hits/misses)",
		run:     runBottlenecks,
	})
}

// defaultBottleneckBatch is the default --batch_size: on the CPU fast path a
// batch computes no faster per image than a single image, while peak memory
// grows by 8 MB (MobileNet 0.25/224) to 50 MB (Inception v3) per image in
// the batch (docs/benchmarks.md); 4 keeps memory near batch 1's.
const defaultBottleneckBatch = 4

// modelFlags are the flags that say how to turn an image into a bottleneck,
// shared by bottlenecks and retrain.
type modelFlags struct {
	graph, input, bottleneck, size string
	mean, std                      float64
	batch                          int
	fs                             *flag.FlagSet
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	m.fs = fs
	fs.StringVar(&m.graph, "graph", "", "frozen GraphDef (.pb or .pbtxt) to compute bottlenecks with (default: gotl's offline TinyNet, with its own input, bottleneck, mean and std)")
	fs.StringVar(&m.input, "input_tensor", "ResizeBilinear:0", "tensor the preprocessed [N,H,W,3] float images are fed to")
	fs.StringVar(&m.bottleneck, "bottleneck_tensor", "pool_3/_reshape:0", "bottleneck tensor (Inception v3: pool_3/_reshape:0)")
	fs.StringVar(&m.size, "input_size", "", "input size HxW (default: the input placeholder's shape)")
	fs.Float64Var(&m.mean, "input_mean", 0, "subtracted from every pixel value (0..255) after resizing")
	fs.Float64Var(&m.std, "input_std", 1, "pixel values are divided by it after subtracting the mean")
	fs.IntVar(&m.batch, "batch_size", defaultBottleneckBatch, "images per forward pass")
}

// load prepares the graph model and the preprocessing.
func (m *modelFlags) load() (*bottleneck.GraphModel, dataset.Preprocess, error) {
	var prep dataset.Preprocess
	if m.graph == "" {
		// Offline default: TinyNet, with its tensors and preprocessing
		// wherever the user did not set them.
		files, err := zoo.TinyNet()
		if err != nil {
			return nil, prep, err
		}
		m.graph = files.Frozen
		set := map[string]bool{}
		m.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["input_tensor"] {
			m.input = zoo.TinyNetInput
		}
		if !set["bottleneck_tensor"] {
			m.bottleneck = zoo.TinyNetBottleneck
		}
		if !set["input_mean"] {
			m.mean = zoo.TinyNetMean
		}
		if !set["input_std"] {
			m.std = zoo.TinyNetStd
		}
	}
	prep.Mean, prep.Std = float32(m.mean), float32(m.std)
	if m.size != "" {
		h, w, ok := strings.Cut(strings.ToLower(m.size), "x")
		hi, err1 := strconv.Atoi(h)
		wi, err2 := strconv.Atoi(w)
		if !ok || err1 != nil || err2 != nil {
			return nil, prep, fmt.Errorf("%w: --input_size %q: want HxW, e.g. 299x299", errUsage, m.size)
		}
		prep.Height, prep.Width = hi, wi
	}
	model, err := bottleneck.LoadGraphModel(m.graph, m.input, m.bottleneck)
	if err != nil {
		return nil, prep, err
	}
	if prep.Height == 0 {
		g, err := graphrun.Load(m.graph)
		if err != nil {
			return nil, prep, err
		}
		prep.Height, prep.Width, err = placeholderSize(g, m.input)
		if err != nil {
			return nil, prep, err
		}
	}
	if err := prep.Validate(); err != nil {
		return nil, prep, err
	}
	return model, prep, nil
}

// placeholderSize reads H and W from an input placeholder's declared shape.
func placeholderSize(g *graphrun.Graph, input string) (int, int, error) {
	name, _, err := graphrun.ParseTensorName(input)
	if err != nil {
		return 0, 0, err
	}
	n := g.Node(name)
	if n == nil {
		return 0, 0, fmt.Errorf("graph has no node %q (--input_tensor)", name)
	}
	dims := n.Attr["shape"].GetShape().GetDim()
	if len(dims) != 4 || dims[1].Size <= 0 || dims[2].Size <= 0 {
		return 0, 0, fmt.Errorf("%w: cannot read the input size from node %s (%s); give --input_size HxW", errUsage, name, n.Op)
	}
	return int(dims[1].Size), int(dims[2].Size), nil
}

// imagePaths lists a folder's image paths in order.
func imagePaths(f *dataset.Folder) []string {
	p := make([]string, len(f.Images))
	for i, img := range f.Images {
		p[i] = img.Path
	}
	return p
}

func runBottlenecks(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bottlenecks", "--graph G.pb --image_dir DIR [--bottleneck_dir DIR] [flags]", stderr)
	var mf modelFlags
	mf.register(fs)
	imageDir := fs.String("image_dir", "", "folder with one sub-folder of images per class (required)")
	cacheDir := fs.String("bottleneck_dir", "/tmp/bottleneck", "bottleneck cache directory")
	exportText := fs.String("export_text", "", "also write retrain.py's text bottlenecks (<dir>/<class>/<image>.txt) here")
	importText := fs.String("import_text", "", "first load retrain.py's text bottlenecks from here into the cache")
	module := fs.String("module", "", "retrain.py (TF-Hub) module name suffix of text bottleneck files")
	asJSON := fs.Bool("json", false, "print a JSON summary")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, rest)
	}
	if *imageDir == "" {
		return fmt.Errorf("%w: --image_dir is required", errUsage)
	}
	folder, err := dataset.LoadFolder(*imageDir, dataset.DefaultFolderOptions())
	if err != nil {
		return err
	}
	model, prep, err := mf.load()
	if err != nil {
		return err
	}
	cache, err := bottleneck.Open(*cacheDir)
	if err != nil {
		return err
	}
	ex := &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache, BatchSize: mf.batch}
	imported := 0
	if *importText != "" {
		if imported, err = importTextBottlenecks(ex, folder, *importText, *module); err != nil {
			return err
		}
	}
	start := time.Now()
	vectors, err := ex.Files(imagePaths(folder))
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if *exportText != "" {
		if err := bottleneck.ExportText(*exportText, folder, vectors, *module); err != nil {
			return err
		}
	}
	st := cache.Stats()
	summary := map[string]any{
		"graph": mf.graph, "images": len(vectors), "classes": folder.Labels(), "vector_size": len(vectors[0]),
		"imported_text": imported,
		"cache":         map[string]int64{"hits": st.Hits, "misses": st.Misses, "corrupt": st.Corrupt, "written": st.Writes},
		"cache_dir":     cache.Dir(), "seconds": secs, "images_per_second": float64(len(vectors)) / secs,
		"model_fingerprint": model.Fingerprint(), "bottleneck_tensor": model.OutputName(), "preprocess": prep.String(),
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(summary)
	}
	fmt.Fprintf(stdout, "%d bottlenecks of %d values (%d classes) in %.2fs: %v\n", len(vectors), len(vectors[0]), len(folder.Classes), secs, st)
	fmt.Fprintf(stdout, "cache: %s\n", cache.Dir())
	return nil
}

// importTextBottlenecks puts retrain.py text bottlenecks into the cache
// under ex's key, so they count as hits.
func importTextBottlenecks(ex *bottleneck.Extractor, f *dataset.Folder, dir, module string) (int, error) {
	vectors, _, err := bottleneck.ImportText(dir, f, module)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, v := range vectors {
		if v == nil {
			continue
		}
		h, err := bottleneck.HashFile(f.Images[i].Path)
		if err != nil {
			return n, err
		}
		if err := ex.Cache.Put(ex.Key(), h, v); err != nil {
			return n, err
		}
		n++
	}
	ex.Cache.ResetStats()
	return n, nil
}
