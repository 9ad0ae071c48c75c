package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/nb"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/helpers/zoo/download"
)

func init() {
	register(&command{
		name:    "bottlenecks",
		summary: "compute and cache the bottleneck vectors of an image folder (reports cache hits/misses)",
		run:     runBottlenecks,
	})
}

// modelFlags are the flags that say how to turn an image into a bottleneck
// and where to cache it, shared by bottlenecks and retrain.
type modelFlags struct {
	graph, input, bottleneck, size string
	mean, std                      float64
	batch                          int
	cacheDir                       string
	fs                             *flag.FlagSet
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	m.fs = fs
	// The tensor defaults are retrain.py's, for Inception v3 fed resized
	// [0, 255] images.
	inception, _ := download.Lookup(download.InceptionV3)
	fs.StringVar(&m.graph, "graph", "", "frozen GraphDef (.pb or .pbtxt) to compute bottlenecks with (default: gotl's offline TinyNet, with its own input, bottleneck, mean and std)")
	fs.StringVar(&m.input, "input_tensor", inception.Model.RawInput, "tensor the preprocessed [N,H,W,3] float images are fed to")
	fs.StringVar(&m.bottleneck, "bottleneck_tensor", inception.Model.Bottleneck, "bottleneck tensor (Inception v3: "+inception.Model.Bottleneck+")")
	fs.StringVar(&m.size, "input_size", "", inputSizeUsage)
	fs.Float64Var(&m.mean, "input_mean", 0, "subtracted from every pixel value (0..255) after resizing")
	fs.Float64Var(&m.std, "input_std", 1, "pixel values are divided by it after subtracting the mean")
	fs.IntVar(&m.batch, "batch_size", bottleneck.DefaultBatchSize, "images per forward pass")
	fs.StringVar(&m.cacheDir, "bottleneck_dir", "/tmp/bottleneck", "bottleneck cache directory")
}

// extractor loads the model (once) and opens the cache.
func (m *modelFlags) extractor() (*bottleneck.Extractor, *bottleneck.GraphModel, error) {
	model, prep, err := m.load()
	if err != nil {
		return nil, nil, err
	}
	cache, err := bottleneck.Open(m.cacheDir)
	if err != nil {
		return nil, nil, err
	}
	return &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache, BatchSize: m.batch, Progress: nb.Bars}, model, nil
}

// load prepares the graph model and the preprocessing, loading the graph
// once.
func (m *modelFlags) load() (*bottleneck.GraphModel, dataset.Preprocess, error) {
	prep := dataset.Preprocess{Mean: float32(m.mean), Std: float32(m.std)}
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
			m.input = zoo.TinyNetInfo.Input
		}
		if !set["bottleneck_tensor"] {
			m.bottleneck = zoo.TinyNetInfo.Bottleneck
		}
		if !set["input_mean"] {
			prep.Mean = zoo.TinyNetInfo.Mean
		}
		if !set["input_std"] {
			prep.Std = zoo.TinyNetInfo.Std
		}
	}
	asked, err := parseInputSize(m.size)
	if err != nil {
		return nil, prep, err
	}
	model, err := bottleneck.LoadGraphModel(m.graph, m.input, m.bottleneck)
	if err != nil {
		return nil, prep, err
	}
	size, err := model.InputSize(asked)
	if err != nil {
		return nil, prep, sizeFlagsError(err, m.graph, inputSizeFlags)
	}
	prep.Height, prep.Width = size.Height, size.Width
	if err := prep.Validate(); err != nil {
		return nil, prep, err
	}
	return model, prep, nil
}

func runBottlenecks(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bottlenecks", "--graph G.pb --image_dir DIR [--bottleneck_dir DIR] [flags]", stderr)
	var mf modelFlags
	mf.register(fs)
	imageDir := fs.String("image_dir", "", "folder with one sub-folder of images per class (required)")
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
	ex, model, err := mf.extractor()
	if err != nil {
		return err
	}
	cache := ex.Cache
	imported := 0
	if *importText != "" {
		if imported, err = ex.ImportTextToCache(*importText, folder, *module); err != nil {
			return err
		}
	}
	start := time.Now()
	vectors, err := ex.Files(folder.Paths())
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
		"model_fingerprint": model.Fingerprint(), "bottleneck_tensor": model.OutputName(), "preprocess": ex.Preprocess.String(),
	}
	if *asJSON {
		return writeIndentedJSON(stdout, summary)
	}
	fmt.Fprintf(stdout, "%d bottlenecks of %d values (%d classes) in %.2fs: %v\n", len(vectors), len(vectors[0]), len(folder.Classes), secs, st)
	fmt.Fprintf(stdout, "cache: %s\n", cache.Dir())
	return nil
}
