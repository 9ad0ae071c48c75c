package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/gotl/gotl/helpers/compute"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/helpers/finetune"
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/train"
	"github.com/gotl/gotl/helpers/zoo"
	"github.com/gotl/gotl/internal/netgen"
	"github.com/gotl/gotl/internal/procstat"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time a published network with random weights (forward or a fine-tuning step) on this machine",
		run:     runBench,
	})
}

// benchNet is a network gotl bench can build without downloading anything.
type benchNet struct {
	size                int
	input, fetch, train string // tensors: input, forward output, bottleneck for --train
	load                func() (*graphrun.Graph, error)
}

func mobileNet(alpha float64, size int) benchNet {
	return benchNet{size: size, input: "input:0", fetch: "MobilenetV1/Predictions/Softmax:0",
		train: "MobilenetV1/Logits/SpatialSqueeze:0",
		load:  func() (*graphrun.Graph, error) { return graphrun.FromGraphDef(netgen.MobileNetV1(alpha, size, 1)) }}
}

var benchNets = map[string]benchNet{
	"inception_v3": {size: 299, input: "input:0", fetch: "softmax:0", train: "pool_3/_reshape:0",
		load: func() (*graphrun.Graph, error) { return graphrun.FromGraphDef(netgen.InceptionV3(1)) }},
	"mobilenet_v1_1.0_224":  mobileNet(1, 224),
	"mobilenet_v1_0.25_128": mobileNet(0.25, 128),
	"mobilenet_v1_0.25_224": mobileNet(0.25, 224),
	"tinynet": {size: 32, input: zoo.TinyNetInfo.Input, fetch: zoo.TinyNetInfo.Bottleneck, train: zoo.TinyNetInfo.Bottleneck,
		load: func() (*graphrun.Graph, error) {
			files, err := zoo.TinyNet()
			if err != nil {
				return nil, err
			}
			return graphrun.Load(files.Frozen)
		}},
}

func benchNetNames() []string {
	var names []string
	for n := range benchNets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// benchResult is gotl bench's JSON output.
type benchResult struct {
	Model            string  `json:"model"`
	Batch            int     `json:"batch"`
	Train            bool    `json:"train"`
	SecondsPerImage  float64 `json:"seconds_per_image"`
	ImagesPerSecond  float64 `json:"images_per_second"`
	EffectiveGFLOPS  float64 `json:"effective_gflops"`
	PeakRSSMB        float64 `json:"peak_rss_mb"`
	Path             string  `json:"path"`
	Iterations       int     `json:"iterations"`
	MultiplyAddsPerI int64   `json:"multiply_adds_per_image"`
	// Backend is compute.Describe of the backend that ran (GOMLX_BACKEND).
	Backend string `json:"backend"`
	// Check is the --reference comparison, if asked for.
	Check *benchCheck `json:"check,omitempty"`
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "[--model NAME] [--batch N] [--train] [--iters K] [--json] [--outputs FILE | --reference FILE]", stderr)
	model := fs.String("model", "mobilenet_v1_1.0_224", "network: "+strings.Join(benchNetNames(), ", ")+" (random weights; tinynet is gotl's offline model)")
	batch := fs.Int("batch", 1, "images per forward pass or training step")
	train := fs.Bool("train", false, "time a fine-tuning step (forward, backward, update of every weight and a new 2-class layer) instead of a forward pass")
	iters := fs.Int("iters", 5, "timed iterations, after one untimed warm-up")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed iterations to this file (go tool pprof)")
	asJSON := fs.Bool("json", false, `print {"model","batch","train","seconds_per_image","images_per_second","effective_gflops","peak_rss_mb","path","backend",…}`)
	outputsFile := fs.String("outputs", "", "forward only: write the outputs and bottlenecks of the fixed input to this JSON file (a reference for --reference)")
	reference := fs.String("reference", "", "forward only: compare the outputs with this --outputs file (from another backend) and report max |diff| and ‖diff‖/‖ref‖; exit 1 if above --tolerance")
	tolerance := fs.Float64("tolerance", 1e-3, "largest ‖out − ref‖ / ‖ref‖ that --reference accepts")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: unexpected arguments %v", errUsage, pos)
	}
	net, ok := benchNets[*model]
	if !ok {
		return fmt.Errorf("%w: --model %q: want one of %s", errUsage, *model, strings.Join(benchNetNames(), ", "))
	}
	if *batch < 1 || *iters < 1 {
		return fmt.Errorf("%w: --batch and --iters must be at least 1", errUsage)
	}
	checked := *outputsFile != "" || *reference != ""
	if checked && *train {
		return fmt.Errorf("%w: --outputs and --reference compare forward passes; drop --train", errUsage)
	}
	var ref *benchOutputs
	if *reference != "" {
		if ref, err = readBenchOutputs(*reference); err != nil {
			return err
		}
	}
	backend, err := graphrun.DefaultBackend()
	if err != nil {
		return err
	}
	g, err := net.load()
	if err != nil {
		return err
	}
	res := benchResult{Model: *model, Batch: *batch, Train: *train, Iterations: *iters, Backend: compute.Describe(backend)}
	profile := func() func() {
		if *cpuProfile == "" {
			return func() {}
		}
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "gotl bench: --cpuprofile: %v\n", err)
			return func() {}
		}
		return func() { pprof.StopCPUProfile(); f.Close() }
	}
	var elapsed time.Duration
	var outs []*tensor.Tensor
	fetches := benchFetches(net, checked)
	if *train {
		elapsed, res.MultiplyAddsPerI, err = benchTrain(g, net, *batch, *iters, profile)
	} else {
		elapsed, res.MultiplyAddsPerI, outs, err = benchForward(g, net, fetches, *batch, *iters, profile)
	}
	if err != nil {
		return err
	}
	if checked {
		got, err := newBenchOutputs(*model, *batch, res.Backend, fetches, outs)
		if err != nil {
			return err
		}
		if *outputsFile != "" {
			if err := writeBenchOutputs(*outputsFile, got); err != nil {
				return fmt.Errorf("--outputs: %w", err)
			}
		}
		if ref != nil {
			if res.Check, err = compareBenchOutputs(*reference, ref, got, *tolerance); err != nil {
				return err
			}
		}
	}
	images := float64(*batch * *iters)
	res.SecondsPerImage = elapsed.Seconds() / images
	res.ImagesPerSecond = images / elapsed.Seconds()
	flops := 2 * float64(res.MultiplyAddsPerI)
	if *train {
		flops *= 3 // forward, input gradients and weight gradients
	}
	res.EffectiveGFLOPS = flops * images / elapsed.Seconds() / 1e9
	res.PeakRSSMB = procstat.PeakRSSMB()
	res.Path = "xla" // the CPU fast path runs on the pure-Go backend only
	if compute.IsPureGo(backend) {
		res.Path = compute.FastPath().Path
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(res); err != nil {
			return err
		}
	} else {
		kind := "forward"
		if *train {
			kind = "fine-tuning step"
		}
		fmt.Fprintf(stdout, "%s %s, batch %d, %d iterations: %.4f s/image, %.2f images/s, %.1f effective GFLOP/s, peak RSS %.0f MB, path %s\n",
			*model, kind, *batch, *iters, res.SecondsPerImage, res.ImagesPerSecond, res.EffectiveGFLOPS, res.PeakRSSMB, res.Path)
		if c := res.Check; c != nil {
			for _, t := range c.Tensors {
				fmt.Fprintf(stdout, "  %s vs %s: max |diff| %.3g (max |ref| %.3g), ‖diff‖/‖ref‖ %.3g, same argmax in %.0f%% of rows\n",
					t.Name, c.ReferenceBackend, t.MaxAbsDiff, t.MaxAbsRef, t.RelL2Diff, 100*t.ArgmaxAgree)
			}
		}
	}
	if c := res.Check; c != nil && !c.OK {
		return fmt.Errorf("outputs differ from %s (%s) by more than ‖diff‖/‖ref‖ %g, or are not finite", c.Reference, c.ReferenceBackend, c.Tolerance)
	}
	return nil
}

// benchForward times forward passes fetching fetches and returns the
// outputs of the last one.
func benchForward(g *graphrun.Graph, net benchNet, fetches []string, batch, iters int, profile func() func()) (time.Duration, int64, []*tensor.Tensor, error) {
	m, err := graphrun.NewModel(g, []string{net.input}, fetches)
	if err != nil {
		return 0, 0, nil, err
	}
	macs, err := m.MultiplyAdds([]int{batch, net.size, net.size, 3})
	if err != nil {
		return 0, 0, nil, err
	}
	img := randomImages(batch, net.size)
	outs, err := m.Run(img) // compile outside the timing
	if err != nil {
		return 0, 0, nil, err
	}
	stop := profile()
	start := time.Now()
	for range iters {
		if outs, err = m.Run(img); err != nil {
			return 0, 0, nil, err
		}
	}
	elapsed := time.Since(start)
	stop()
	return elapsed, macs / int64(batch), outs, nil
}

func benchTrain(g *graphrun.Graph, net benchNet, batch, iters int, profile func() func()) (time.Duration, int64, error) {
	m, err := graphrun.NewModel(g, []string{net.input}, []string{net.train})
	if err != nil {
		return 0, 0, err
	}
	macs, err := m.MultiplyAdds([]int{batch, net.size, net.size, 3})
	if err != nil {
		return 0, 0, err
	}
	cfg := finetune.DefaultConfig()
	cfg.Graph, cfg.InputTensor, cfg.BottleneckTensor = g, net.input, net.train
	cfg.Labels, cfg.BatchSize, cfg.Seed = []string{"a", "b"}, batch, 1
	t, err := finetune.New(cfg)
	if err != nil {
		return 0, 0, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	examples := make([]train.Example[*dataset.FloatImage], batch)
	for i := range examples {
		img := dataset.NewFloatImage(net.size, net.size)
		for p := range img.Pix {
			img.Pix[p] = r.Float32()*2 - 1
		}
		examples[i] = train.Example[*dataset.FloatImage]{Input: img, Label: i % 2}
	}
	if _, _, err := t.Step(examples); err != nil { // compile outside the timing
		return 0, 0, err
	}
	stop := profile()
	start := time.Now()
	for range iters {
		if _, _, err := t.Step(examples); err != nil {
			return 0, 0, err
		}
	}
	elapsed := time.Since(start)
	stop()
	return elapsed, macs / int64(batch), nil
}

// randomImages returns a [batch, size, size, 3] float tensor in [-1, 1].
func randomImages(batch, size int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(3, 4))
	v := make([]float32, batch*size*size*3)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	t, err := tensor.FromFloat32s([]int64{int64(batch), int64(size), int64(size), 3}, v)
	if err != nil {
		panic(err)
	}
	return t
}
