// Package scripts holds no Go code: its tests check the shell and Python
// scripts beside them (the GPU evaluation's pieces that can be checked on a
// machine without a GPU) in a few seconds.
package scripts

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func bash(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	return p
}

func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("python3 not found")
	return ""
}

func TestScriptsParse(t *testing.T) {
	sh, _ := filepath.Glob("*.sh")
	if len(sh) < 4 {
		t.Fatalf("found %v", sh)
	}
	for _, f := range sh {
		if out, err := exec.Command(bash(t), "-n", f).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", f, err, out)
		}
	}
	py := python(t)
	for _, f := range []string{"gpu_report.py", "../tools/torch_gpu_peer.py"} {
		cmd := exec.Command(py, "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", f)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", f, err, out)
		}
	}
}

// touch creates the files (ending in "/" for a directory; "*" marks an
// executable) under root.
func touch(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		exe := strings.HasSuffix(f, "*")
		f = strings.TrimSuffix(f, "*")
		p := filepath.Join(root, f)
		if strings.HasSuffix(f, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if exe {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte("fake\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// gpuEnv runs scripts/gpu_env.sh with args in a clean environment plus env,
// and returns its key=value output, stderr and exit status.
func gpuEnv(t *testing.T, env []string, args ...string) (map[string]string, string, int) {
	t.Helper()
	cmd := exec.Command(bash(t), append([]string{"gpu_env.sh"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GPU_SEARCH_ROOTS="}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	return kv, stderr.String(), code
}

// fakeSite is JAX's pip layout as jax-cuda13-pjrt and the nvidia-* wheels
// install it (and an older CUDA 12 plugin that must lose).
func fakeSite(t *testing.T, site string) {
	touch(t, site,
		"jax_plugins/xla_cuda13/__init__.py", "jax_plugins/xla_cuda13/xla_cuda_plugin.so",
		"jax_plugins/xla_cuda12/__init__.py", "jax_plugins/xla_cuda12/xla_cuda_plugin.so",
		"nvidia/cu13/lib/libcublas.so.13", "nvidia/cu13/lib/libcudart.so.13",
		"nvidia/cudnn/lib/libcudnn.so.9", "nvidia/nccl/include/",
		"nvidia/cu13/bin/ptxas*", "nvidia/cu13/nvvm/libdevice/libdevice.10.bc")
}

func TestGPUEnvFakeSitePackages(t *testing.T) {
	site := filepath.Join(t.TempDir(), "lib", "python3.12", "site-packages")
	fakeSite(t, site)
	kv, stderr, code := gpuEnv(t, []string{"GPU_SITE_PACKAGES=" + site})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := map[string]string{
		"plugin":          site + "/jax_plugins/xla_cuda13/xla_cuda_plugin.so",
		"plugin_how":      "site-packages (xla_cuda13)",
		"sites":           site,
		"ld_library_path": site + "/nvidia/cu13/lib:" + site + "/nvidia/cudnn/lib",
		"cuda_data_dir":   site + "/nvidia/cu13",
		"ptxas":           site + "/nvidia/cu13/bin/ptxas",
	}
	for k, v := range want {
		if kv[k] != v {
			t.Errorf("%s = %q, want %q", k, kv[k], v)
		}
	}

	// --exports: what gpu_run.sh sets for GoMLX and XLA.
	script := `eval "$(bash gpu_env.sh --exports)"; printf '%s\n' "$GOMLX_BACKEND" "$GOMLX_NO_AUTO_INSTALL" "$XLA_FLAGS" "$LD_LIBRARY_PATH"`
	cmd := exec.Command(bash(t), "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GPU_SEARCH_ROOTS=", "GPU_SITE_PACKAGES=" + site, "LD_LIBRARY_PATH=/keep"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	wantLines := []string{"xla:" + want["plugin"], "1", "--xla_gpu_cuda_data_dir=" + want["cuda_data_dir"], want["ld_library_path"] + ":/keep"}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("--exports gave\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
}

// The interpreter's import machinery finds the plugin package where no
// directory is named site-packages.
func TestGPUEnvImportPath(t *testing.T) {
	py := python(t)
	dir := filepath.Join(t.TempDir(), "pkgs")
	fakeSite(t, dir)
	kv, stderr, code := gpuEnv(t, []string{"GPU_PYTHONS=" + py, "PYTHONPATH=" + dir})
	if code != 0 || kv["plugin"] != dir+"/jax_plugins/xla_cuda13/xla_cuda_plugin.so" {
		t.Fatalf("exit %d, %v: %s", code, kv, stderr)
	}
	if !strings.HasPrefix(kv["ld_library_path"], dir+"/nvidia/cu13/lib:") {
		t.Errorf("ld_library_path %q", kv["ld_library_path"])
	}
}

// The last resort: a bounded find under GPU_SEARCH_ROOTS, whose hit also
// names the site-packages that holds the NVIDIA libraries.
func TestGPUEnvSearchRoots(t *testing.T) {
	root := t.TempDir()
	site := filepath.Join(root, "opt", "venv", "lib", "python3.12", "site-packages")
	fakeSite(t, site)
	kv, stderr, code := gpuEnv(t, []string{"GPU_PYTHONS=no-such-python", "GPU_SEARCH_ROOTS=" + root})
	if code != 0 || kv["plugin"] != site+"/jax_plugins/xla_cuda13/xla_cuda_plugin.so" || !strings.HasPrefix(kv["plugin_how"], "find under") {
		t.Fatalf("exit %d, %v: %s", code, kv, stderr)
	}
	if kv["cuda_data_dir"] != site+"/nvidia/cu13" {
		t.Errorf("cuda_data_dir %q", kv["cuda_data_dir"])
	}

	// Nothing there: exit 3 and a message that says where it looked.
	empty := t.TempDir()
	_, stderr, code = gpuEnv(t, []string{"GPU_PYTHONS=no-such-python", "GPU_SEARCH_ROOTS=" + empty})
	if code != 3 || !strings.Contains(stderr, "no PJRT CUDA plugin") || !strings.Contains(stderr, empty) {
		t.Errorf("no plugin: exit %d, %q", code, stderr)
	}
	// GPU_PLUGIN wins, and a GPU_PLUGIN that names no file says so.
	kv, _, code = gpuEnv(t, []string{"GPU_PYTHONS=no-such-python", "GPU_PLUGIN=" + filepath.Join(empty, "none.so")})
	if code != 3 || kv["plugin_how"] != "GPU_PLUGIN names no file" {
		t.Errorf("GPU_PLUGIN missing: exit %d, %v", code, kv)
	}
}

// With GPU_SEARCH_ROOTS unset the find searches the default roots, under
// set -u as gpu_env.sh runs itself and as gpu_run.sh sources it. A fake find
// on PATH stands in for a search of the real /opt, /usr/local, … and prints
// FAKE_FIND_HIT (nothing when unset).
func TestGPUEnvDefaultRoots(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "venv", "lib", "python3.12", "site-packages")
	fakeSite(t, site)
	bin := filepath.Join(dir, "bin")
	touch(t, bin, "/")
	if err := os.WriteFile(filepath.Join(bin, "find"), []byte("#!/bin/sh\n[ -z \"$FAKE_FIND_HIT\" ] || echo \"$FAKE_FIND_HIT\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	const defaults = "/opt /usr/local /usr/lib /root/.local"
	plugin := site + "/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
	run := func(script string, env ...string) (string, string, error) {
		cmd := exec.Command(bash(t), "-c", script)
		cmd.Env = append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GPU_PYTHONS=no-such-python"}, env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	for _, script := range []string{"bash gpu_env.sh", "set -uo pipefail; source gpu_env.sh; gpu_env_find; gpu_env_print"} {
		out, stderr, err := run(script, "FAKE_FIND_HIT="+plugin)
		if err != nil || !strings.Contains(out, "plugin="+plugin+"\n") || !strings.Contains(out, "plugin_how=find under "+defaults+"\n") {
			t.Errorf("%s: %v\n%s%s", script, err, out, stderr)
		}
	}
	// Nothing found: exit 3, and the message names the default roots.
	_, stderr, err := run("bash gpu_env.sh")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !strings.Contains(stderr, "no PJRT CUDA plugin") || !strings.Contains(stderr, " and "+defaults+"\n") {
		t.Errorf("no plugin: %v, %q", err, stderr)
	}
}

// gpu_run.sh end to end on fake binaries (no Go build, no torch): steps run
// in order with their timeouts, a failure or a timeout is recorded and the
// run goes on, and the report aggregates the JSON outputs.
func TestGPURunFakeBinaries(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	bin, out := filepath.Join(dir, "bin"), filepath.Join(dir, "out")
	os.MkdirAll(bin, 0o755)
	// gotl bench: JSON like the real one; MobileNet 0.25/224's training
	// fails and its forward at batch 4 hangs.
	gotl := `#!/usr/bin/env bash
model= batch= train=false ref=
while (($#)); do case $1 in --model) model=$2; shift;; --batch) batch=$2; shift;; --train) train=true;; --reference) ref=$2; shift;; esac; shift; done
if [[ $model == mobilenet_v1_0.25_224 && $train == true ]]; then echo "gotl bench: boom" >&2; exit 1; fi
if [[ $model == mobilenet_v1_0.25_224 && $batch == 4 ]]; then sleep 30; fi
check=
if [[ -n $ref ]]; then check=',"check":{"reference":"'$ref'","ok":true,"tensors":[{"name":"a/Softmax:0","max_abs_diff":1e-7,"rel_l2_diff":2e-6,"max_abs_ref":1,"non_finite":0}]}'; fi
echo '{"model":"'$model'","batch":'$batch',"train":'$train',"images_per_second":'$((batch * 10))',"backend":"fake"'$check'}'
`
	compare := `#!/usr/bin/env bash
echo '{"backend":"fake","methods":[{"name":"retrain","batch":4,"steps":6,"seconds_per_step":0.01,"duration":2000000000,"test_accuracy":0.5,"history":[{"validation_accuracy":0.75}]}]}'
`
	os.WriteFile(filepath.Join(bin, "gotl"), []byte(gotl), 0o755)
	os.WriteFile(filepath.Join(bin, "compare"), []byte(compare), 0o755)
	cmd := exec.Command(bash(t), "gpu_run.sh", "--dry", "--steps", "probe,check,train,compare,forward")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "OUT=" + out, "GPU_RUN_BIN=" + bin, "GPU_RUN_PYTHON=" + py,
		"GPU_RUN_MAX_STEP=2", "GPU_RUN_MIN_STEP=1", "GPU_SEARCH_ROOTS=", "GPU_SITE_PACKAGES=" + dir}
	log, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1 (steps failed), got %v\n%s", err, log)
	}
	for _, f := range []string{"results.json", "summary.txt", "log.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Mode  string
		Steps []struct {
			Name, Group, Status string
			Output              map[string]any
		}
		Summary struct {
			Checks   []map[string]any
			Speed    []map[string]any
			Compare  []map[string]any
			Failures []map[string]any
		}
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	var order []string
	for _, s := range res.Steps {
		status[s.Name] = s.Status
		order = append(order, s.Name)
	}
	wantOrder := []string{"probe", "check_tinynet_b2", "check_mobilenet_v1_0.25_128_b2", "train_mobilenet_v1_0.25_128_b2",
		"train_mobilenet_v1_0.25_128_b4", "check_mobilenet_v1_0.25_224_b2", "train_mobilenet_v1_0.25_224_b2",
		"train_mobilenet_v1_0.25_224_b4", "compare", "forward_mobilenet_v1_0.25_128_b4", "forward_mobilenet_v1_0.25_224_b4"}
	if strings.Join(order, " ") != strings.Join(wantOrder, " ") {
		t.Errorf("steps\n%v\nwant\n%v", order, wantOrder)
	}
	if status["probe"] != "ok" || status["compare"] != "ok" || status["train_mobilenet_v1_0.25_224_b2"] != "failed (exit 1)" ||
		!strings.HasPrefix(status["forward_mobilenet_v1_0.25_224_b4"], "timeout") {
		t.Errorf("statuses: %v", status)
	}
	if len(res.Summary.Failures) != 3 || len(res.Summary.Checks) != 4 || len(res.Summary.Compare) != 1 {
		t.Errorf("summary: %d failures, %d checks, %d compare rows", len(res.Summary.Failures), len(res.Summary.Checks), len(res.Summary.Compare))
	}
	// gotl's steps/s = images/s ÷ batch; no peer ran, so no ratio.
	found := false
	for _, r := range res.Summary.Speed {
		if r["gotl_model"] == "mobilenet_v1_0.25_128" && r["batch"] == 4.0 && r["mode"] == "train" {
			found = true
			if r["gotl_steps_per_second"] != 10.0 || r["gotl_over_torch"] != nil {
				t.Errorf("speed row %v", r)
			}
		}
	}
	if !found {
		t.Errorf("no training row for MobileNet 0.25/128 at batch 4: %v", res.Summary.Speed)
	}
	summary, _ := os.ReadFile(filepath.Join(out, "summary.txt"))
	if !strings.Contains(string(log), string(summary)) || !strings.Contains(string(summary), "gotl bench: boom") {
		t.Errorf("summary not printed last or without the failure:\n%s", summary)
	}
}

// The peer's steps/s over gotl's: the ratio the issue asks for.
func TestGPUReportRatio(t *testing.T) {
	py := python(t)
	work, out := t.TempDir(), t.TempDir()
	step := filepath.Join(work, "steps", "01_train_inception_v3_b32")
	os.MkdirAll(step, 0o755)
	for name, text := range map[string]string{"group": "train", "cmd": "gotl bench", "status": "ok", "rc": "0", "ms": "1500", "timeout": "90",
		"stdout": `{"model":"inception_v3","batch":32,"train":true,"images_per_second":64,"backend":"xla GPU"}`} {
		os.WriteFile(filepath.Join(step, name), []byte(text+"\n"), 0o644)
	}
	os.WriteFile(filepath.Join(work, "peer.json"), []byte(`{"results":[
	 {"model":"inception_v3","batch":32,"mode":"train","tf32":false,"mean_seconds_per_step":0.25},
	 {"model":"inception_v3","batch":32,"mode":"train","tf32":true,"mean_seconds_per_step":0.125}]}`), 0o644)
	cmd := exec.Command(py, "gpu_report.py", "--work", work, "--out", out, "--pair", "inception_v3=inception_v3")
	stdout, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var res struct {
		Summary struct{ Speed []map[string]any }
	}
	data, _ := os.ReadFile(filepath.Join(out, "results.json"))
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Speed) != 1 {
		t.Fatalf("speed rows: %v", res.Summary.Speed)
	}
	r := res.Summary.Speed[0]
	if r["gotl_steps_per_second"] != 2.0 || r["torch_steps_per_second"] != 4.0 || r["gotl_over_torch"] != 0.5 || r["gotl_over_torch_tf32"] != 0.25 {
		t.Errorf("row %v", r)
	}
	if !strings.Contains(string(stdout), "Every step ended ok.") {
		t.Errorf("summary:\n%s", stdout)
	}
}
