package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gotl/gotl/helpers/bottleneck"
	"github.com/gotl/gotl/helpers/dataset"
	"github.com/gotl/gotl/internal/memtest"
)

// TestHostileInputsInBoundedMemory runs the CLI on each hostile input of
// issue 12 in a child process and checks that it fails at once with one
// clear line on stderr, exit status 1, and a small peak RSS. Before the
// resource policy (helpers/limits) these crashed with 316 lines of stack
// overflow (1 GB), allocated 4 GB and exited 0, read /dev/zero until 7–9 GB,
// blocked forever on a FIFO, decoded a 100 KB PNG into 1.8 GB, or grew by
// 2.8 KB per optimizer step.
//
// The child is this test binary re-executed (internal/memtest); inputs are
// generated here, in both processes.
func TestHostileInputsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts about 20 child processes (about 20 s)")
	}
	dir := t.TempDir()
	t.Setenv("GOTL_CACHE_DIR", filepath.Join(dir, "cache")) // TinyNet for bottlenecks
	path := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, content string) string {
		p := path(name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const n = 2000000 // 'z{' × 2e6: 6 MB
	deep := `node{name:"n" op:"C" ` + strings.Repeat("z{", n) + strings.Repeat("}", n) + "}"
	write("deep.pbtxt", deep)
	write("deep.meta", "graph_def{"+deep+"}")
	write("sm/saved_model.pbtxt", "saved_model_schema_version:1 meta_graphs{graph_def{"+deep+"}}")
	const k = 200000 // schema-valid: attr { value { func { attr … } } } × 2e5
	write("deepattr.pbtxt", `node{name:"n" op:"C" `+strings.Repeat(`attr{key:"a" value{func{name:"f" `, k)+strings.Repeat("}}}", k)+"}")
	// 159 bytes asking for 1e8 float32 values (4.36 GB in gotl run before).
	write("bigconst.pbtxt", `node{name:"c" op:"Const" attr{key:"dtype" value{type:DT_FLOAT}} attr{key:"value" value{tensor{dtype:DT_FLOAT tensor_shape{dim{size:100000000}} float_val:1}}}}`)
	placeholder := `node{name:"x" op:"Placeholder" attr{key:"dtype" value{type:DT_FLOAT}} attr{key:"shape" value{shape{dim{size:1}}}}}` + "\n"
	write("x.pbtxt", placeholder)
	write("x7.pbtxt", placeholder+`node{name:"y" op:"Identity" input:"x:7" attr{key:"T" value{type:DT_FLOAT}}}`)
	write("cycle.pbtxt", placeholder+`node{name:"a" op:"Identity" input:"x" input:"^b" attr{key:"T" value{type:DT_FLOAT}}}
node{name:"b" op:"Identity" input:"x" input:"^a" attr{key:"T" value{type:DT_FLOAT}}}
node{name:"y" op:"Identity" input:"a" attr{key:"T" value{type:DT_FLOAT}}}`)
	write("x.json", `{"dtype":"float32","shape":[1],"values":[1]}`)
	write("huge.json", `{"dtype":"float32","shape":[4294967296,4294967296],"values":[]}`)
	write("case.json", `{"optimizer":"GradientDescent","params":{"learning_rate":0.1},"initial_vars":{"v":[1]},"grads":{"v":[0.1]},"steps":9223372036854775807}`)
	if err := os.Symlink("/dev/zero", path("zero.pb")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path("fifo.pbtxt"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Image folders: a PNG declaring 10240×10240 pixels, a link to
	// /dev/zero, a FIFO (each beside a valid class).
	tiny := pngHeader(1, 1, true)
	for _, f := range []string{"big/a/x.png", "zero/a/x.png", "fifo/a/x.png"} {
		write(f, string(tiny))
	}
	write("big/b/y.png", string(pngHeader(10240, 10240, false)))
	os.MkdirAll(path("zero/b"), 0o755)
	os.Symlink("/dev/zero", path("zero/b/z.jpg"))
	os.MkdirAll(path("fifo/b"), 0o755)
	syscall.Mkfifo(path("fifo/b/f.jpg"), 0o644)

	gotl := func(args ...string) func(stdout, stderr io.Writer) int {
		return func(stdout, stderr io.Writer) int { return runMain(args, stdout, stderr) }
	}
	const mb = 1 << 20
	depthErr := `: not a valid %s \(text protobuf\): message nesting at line 1:\d+ needs 101 levels, more than the limit of 100 \(protobuf nesting depth; raise it with GOTL_MAX_PROTO_DEPTH\)\n$`
	oneLine := func(prefix, rest string) string { return "^" + prefix + "[^\n]*" + rest }
	cases := []memtest.Case{
		{Name: "inspect z-nesting", Run: gotl("inspect", path("deep.pbtxt")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: oneLine("gotl inspect: graphfile: ", strings.Replace(depthErr, "%s", "GraphDef", 1))},
		{Name: "inspect attr nesting", Run: gotl("inspect", path("deepattr.pbtxt")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: oneLine("gotl inspect: graphfile: ", strings.Replace(depthErr, "%s", "GraphDef", 1))},
		{Name: "inspect meta", Run: gotl("inspect", path("deep.meta")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: oneLine("gotl inspect: graphfile: ", strings.Replace(depthErr, "%s", "MetaGraphDef", 1))},
		{Name: "inspect saved model", Run: gotl("inspect", path("sm")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: oneLine("gotl inspect: graphfile: ", strings.Replace(depthErr, "%s", "SavedModel", 1))},
		{Name: "run z-nesting", Run: gotl("run", path("deep.pbtxt"), "--fetch", "n"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: oneLine("gotl run: graphfile: ", strings.Replace(depthErr, "%s", "GraphDef", 1))},
		{Name: "run big const", Run: gotl("run", path("bigconst.pbtxt"), "--fetch", "c:0"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl run: graphrun: node "c" \(op Const\): tensor: DT_FLOAT tensor of shape \[100000000\] needs 100000000 elements, more than the limit of 67108864 \(tensor elements; raise it with GOTL_MAX_TENSOR_ELEMENTS\)\n$`},
		{Name: "inspect big const", Run: gotl("inspect", path("bigconst.pbtxt"), "--tensor", "c"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl inspect: graphfile: \S+: node "c" \(Const\) attribute "value": tensor: DT_FLOAT tensor of shape \[100000000\] needs 100000000 elements[^\n]*GOTL_MAX_TENSOR_ELEMENTS\)\n$`},
		{Name: "feed of 2^64 elements", Run: gotl("run", path("x.pbtxt"), "--feed", "x:0="+path("huge.json"), "--fetch", "x:0"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl run: feed x:0: \S+huge.json: tensor: DT_FLOAT tensor of shape \[4294967296 4294967296\] needs more elements than an int64 can count; [^\n]*\n$`},
		{Name: "inspect link to dev zero", Run: gotl("inspect", path("zero.pb")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl inspect: graphfile: \S+zero.pb: is a character device, not a regular file\n$`},
		{Name: "inspect fifo", Run: gotl("inspect", path("fifo.pbtxt")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl inspect: graphfile: \S+fifo.pbtxt: is a named pipe \(FIFO\), not a regular file\n$`},
		{Name: "run fifo graph", Run: gotl("run", path("fifo.pbtxt"), "--fetch", "x"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl run: graphfile: \S+: is a named pipe \(FIFO\), not a regular file\n$`},
		{Name: "run fifo feed", Run: gotl("run", path("x.pbtxt"), "--feed", "x:0="+path("fifo.pbtxt"), "--fetch", "x:0"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl run: feed x:0: \S+: is a named pipe \(FIFO\), not a regular file\n$`},
		{Name: "run x:7", Run: gotl("run", path("x7.pbtxt"), "--feed", "x:0="+path("x.json"), "--fetch", "y:0"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl run: graphrun: node "y" has input "x:7", but "x" is a Placeholder, which has one output \(x:0\) \(in \S+\)\n$`},
		{Name: "run control cycle", Run: gotl("run", path("cycle.pbtxt"), "--feed", "x:0="+path("x.json"), "--fetch", "y:0"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl run: graphrun: the graph has a cycle, a → \^b → \^a [^\n]*\n$`},
		{Name: "bottlenecks huge png", Run: gotl("bottlenecks", "--image_dir", path("big"), "--bottleneck_dir", path("bn1")), Exit: 1, MaxRSS: 250 * mb,
			Stderr: `(^|\n)gotl bottlenecks: dataset: png image of 10240x10240 pixels needs 104857600 pixels, more than the limit of 67108864 \(image pixels; raise it with GOTL_MAX_IMAGE_PIXELS\) \(file \S+y.png\)\n$`},
		{Name: "bottlenecks link to dev zero", Run: gotl("bottlenecks", "--image_dir", path("zero"), "--bottleneck_dir", path("bn2")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl bottlenecks: dataset: class folder b: \S+z.jpg: is a character device, not a regular file\n$`},
		{Name: "bottlenecks fifo", Run: gotl("bottlenecks", "--image_dir", path("fifo"), "--bottleneck_dir", path("bn3")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl bottlenecks: dataset: class folder b: \S+f.jpg: is a named pipe \(FIFO\), not a regular file\n$`},
		{Name: "optimize 1e7 steps", Run: gotl("optimize", "--function", "rosenbrock", "--optimizer", "Adam", "--steps", "10000000"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl optimize: testfunc: a run on rosenbrock needs 10000000 steps, more than the limit of 1000000 \(optimizer steps; raise it with GOTL_MAX_STEPS\)\n$`},
		// Raised, a long run keeps a bounded trajectory (500k steps × 2.8 KB was 1.4 GB).
		{Name: "optimize 5e5 steps raised", Env: []string{"GOTL_MAX_STEPS=5e5"}, Run: gotl("optimize", "--function", "rosenbrock", "--optimizer", "Adam", "--steps", "500000"),
			Exit: 0, MaxRSS: 200 * mb, Stderr: `^$`},
		{Name: "optimize case 2^63-1 steps", Run: gotl("optimize", "--case", path("case.json")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl optimize: \S+case.json: optim: case needs 9223372036854775807 steps, more than the limit of 1000000 \(optimizer steps; raise it with GOTL_MAX_STEPS\)\n$`},
	}
	memtest.Run(t, cases...)
}

// pngHeader returns a PNG declaring width×height 8-bit RGBA pixels. With
// data, it holds the pixels (zeros, stored uncompressed: only for tiny
// images); without, it stops after the header, which is all a reader may
// look at before refusing a huge image (issue 12's 102 KB 10240×10240 PNG
// cost 1.83 GB per decode).
func pngHeader(width, height uint32, data bool) []byte {
	chunk := func(typ string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		b = append(append(b, typ...), body...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), body...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, width), height)
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", append(ihdr, 8, 6, 0, 0, 0))...)
	if data {
		raw := make([]byte, int(height)*(1+4*int(width))) // filter byte + RGBA per row
		// zlib stream of stored (uncompressed) deflate blocks.
		z := []byte{0x78, 0x01}
		for len(raw) > 0 || len(z) == 2 {
			n := min(len(raw), 65535)
			final := byte(0)
			if n == len(raw) {
				final = 1
			}
			z = append(z, final, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
			z = append(z, raw[:n]...)
			raw = raw[n:]
		}
		z = binary.BigEndian.AppendUint32(z, adler32Zeros(int(height)*(1+4*int(width))))
		out = append(out, chunk("IDAT", z)...)
	}
	return append(out, chunk("IEND", nil)...)
}

// adler32Zeros is the Adler-32 of n zero bytes.
func adler32Zeros(n int) uint32 {
	a, b := uint32(1), uint32(0)
	for i := 0; i < n; i++ {
		b = (b + a) % 65521
	}
	return b<<16 | a
}

// TestNoSilentTrainingFailures runs the training cases of issue 12 in child
// processes: checkpoint directories that cannot be resumed from, NaN in
// imported bottlenecks, diverging training. Each used to exit 0 (a silent
// restart from step 1 that rewrote the state file; NaN weights exported);
// now each fails with one line that names the file or step, and writes no
// output. The last case shows image decodes held to GOTL_DECODE_MEMORY
// however many workers run: eight 2000×2000 PNGs on GOMAXPROCS=8 peaked at
// 580 MB without the budget, 194 MB with 64 MiB.
func TestNoSilentTrainingFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 9 child processes (about 10 s)")
	}
	dir := t.TempDir()
	t.Setenv("GOTL_CACHE_DIR", filepath.Join(dir, "cache")) // TinyNet
	path := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, content string) {
		p := path(name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Checkpoint directories: model.ckpt-10 … 40 (names only: these are
	// refused before anything reads them) with a state file that is
	// garbage, empty, dangling or missing.
	for _, d := range []string{"garbage", "empty", "dangling", "nostate"} {
		for step := 10; step <= 40; step += 10 {
			write(fmt.Sprintf("%s/model.ckpt-%d.index", d, step), "")
			write(fmt.Sprintf("%s/model.ckpt-%d.data-00000-of-00001", d, step), "")
		}
	}
	write("garbage/checkpoint", "garbage\n")
	write("empty/checkpoint", "")
	write("dangling/checkpoint", `model_checkpoint_path: "model.ckpt-50"`+"\n")
	write("damaged/model.ckpt-40.index", "not a table")
	write("damaged/model.ckpt-40.data-00000-of-00001", "")
	write("damaged/checkpoint", `model_checkpoint_path: "model.ckpt-40"`+"\n")

	// What the heavier cases need, made only in the child that runs them.
	images := func() string {
		p := path("images")
		if _, err := dataset.WriteSynthetic(p, dataset.SyntheticOptions{Classes: 2, PerClass: 6, Height: 32, Width: 32, Seed: 1}); err != nil {
			panic(err)
		}
		return p
	}
	nanText := func() string {
		p := path("text")
		img := images()
		f, err := dataset.LoadFolder(img, dataset.DefaultFolderOptions())
		if err != nil {
			panic(err)
		}
		txt := bottleneck.TextPath(p, f, f.Images[0], "")
		os.MkdirAll(filepath.Dir(txt), 0o755)
		os.WriteFile(txt, []byte("0.5,nan,1"), 0o644)
		return img
	}
	bigPNGs := func() string {
		p := path("big")
		for i := 0; i < 8; i++ {
			img := image.NewGray(image.Rect(0, 0, 2000, 2000))
			img.Pix[i] = 255
			var buf bytes.Buffer
			png.Encode(&buf, img)
			name := filepath.Join(p, fmt.Sprintf("c%d", i%2), fmt.Sprintf("%d.png", i))
			os.MkdirAll(filepath.Dir(name), 0o755)
			os.WriteFile(name, buf.Bytes(), 0o644)
		}
		return p
	}
	// noOutput runs gotl and fails (exit 99) if it wrote the output graph.
	noOutput := func(prepare func() string, args ...string) func(stdout, stderr io.Writer) int {
		return func(stdout, stderr io.Writer) int {
			out := path("out.pb")
			args = append([]string{args[0], "--image_dir", prepare(), "--output_graph", out, "--output_labels", path("labels.txt")}, args[1:]...)
			code := runMain(args, stdout, stderr)
			if _, err := os.Stat(out); err == nil {
				fmt.Fprintln(stderr, "wrote", out)
				return 99
			}
			return code
		}
	}
	noImages := func() string { return path("no_images_needed") }
	const mb = 1 << 20
	hint := `; --start_over trains from step 0 instead\n$`
	cases := []memtest.Case{
		{Name: "finetune garbage state file", Run: noOutput(noImages, "finetune", "--checkpoint_dir", path("garbage")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: "^gotl finetune: finetune: cannot resume from \\S+garbage: checkpoint: \\S+garbage/checkpoint:1: expected `field: value`, got \"garbage\"" + hint},
		{Name: "finetune empty state file", Run: noOutput(noImages, "finetune", "--checkpoint_dir", path("empty")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl finetune: finetune: cannot resume from \S+empty: checkpoint: \S+empty/checkpoint has no model_checkpoint_path` + hint},
		{Name: "finetune dangling state file", Run: noOutput(noImages, "finetune", "--checkpoint_dir", path("dangling")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl finetune: finetune: cannot resume from \S+dangling: checkpoint: \S+dangling/checkpoint names "model.ckpt-50", but \S+/model.ckpt-50.index \(V2\) and \S+/model.ckpt-50 \(V1\) are missing` + hint},
		{Name: "finetune no state file", Run: noOutput(noImages, "finetune", "--checkpoint_dir", path("nostate")), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl finetune: finetune: cannot resume from \S+nostate: it holds checkpoints \(4 of them, model.ckpt-10 … model.ckpt-40\) but no "checkpoint" state file naming the one to resume from \(write one: model_checkpoint_path: "model.ckpt-40"\)` + hint},
		{Name: "finetune damaged checkpoint", Run: noOutput(images, "finetune", "--checkpoint_dir", path("damaged")), Exit: 1, MaxRSS: 250 * mb,
			Stderr: `(^|\n)gotl finetune: finetune: cannot resume from \S+damaged: checkpoint: corrupt file: \S+damaged/model.ckpt-40.index: file is 11 bytes, [^\n]*` + hint},
		{Name: "finetune diverging", Run: noOutput(images, "finetune", "--learning_rate", "1e30", "--checkpoint_dir", path("ckpt")), Exit: 1, MaxRSS: 250 * mb,
			Stderr: `(^|\n)gotl finetune: finetune: step \d+: cross-entropy is NaN \(learning rate too high\?\)\n$`},
		{Name: "bottlenecks nan in text", Run: func(stdout, stderr io.Writer) int {
			return runMain([]string{"bottlenecks", "--image_dir", nanText(), "--import_text", path("text"), "--bottleneck_dir", path("bn")}, stdout, stderr)
		}, Exit: 1, MaxRSS: 150 * mb,
			Stderr: `^gotl bottlenecks: bottleneck: value 1 is "nan", not a finite number \(file \S+/text/\S+\.txt\)\n$`},
		{Name: "retrain diverging", Run: noOutput(images, "retrain", "--learning_rate", "1e300", "--bottleneck_dir", path("bn"), "--how_many_training_steps", "10"), Exit: 1, MaxRSS: 150 * mb,
			Stderr: `(^|\n)gotl retrain: retrain: the layer's final_training_ops/weights/final_weights holds [-+]Inf \(value \d+ of \d+\) after step 1: training diverged \(learning rate 1e\+300 too high\?\)\n$`},
		{Name: "bottlenecks decode budget", Env: []string{"GOMAXPROCS=8", "GOTL_DECODE_MEMORY=64MiB"}, Run: func(stdout, stderr io.Writer) int {
			return runMain([]string{"bottlenecks", "--image_dir", bigPNGs(), "--bottleneck_dir", path("bn")}, stdout, stderr)
		}, Exit: 0, MaxRSS: 320 * mb},
	}
	memtest.Run(t, cases...)
}
