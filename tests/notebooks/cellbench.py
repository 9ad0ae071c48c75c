"""Times warm notebook cells in GoNB kernels, driven through jupyter_client.

Run by tests/notebooks/bench_test.go (BenchmarkCellLatency):

    python3 cellbench.py --kernels gotl,gotl-plain --reps 7

Each kernel gets the same cells: one that only uses the standard library,
one that draws a chart with gotl's plots, and one that builds and runs a
GoMLX model from TinyNet, every cell's code a little different each time
(GoNB then recompiles, as for a real edit). --cells may add "model_http",
the model cell also linking helpers/zoo/download (net/http, crypto/tls): what
every TinyNet cell linked before the downloader left zoo. The kernels run one at a time,
as a user's would (a second kernel's gopls would compete for the CPU), in
alternating blocks (A B A B …) so that load from other processes hits them
alike; each block starts a fresh kernel and runs a warm-up round first. A
cell reports how long its own main ran; the rest of the wall time is GoNB's
work (goimports, go get, go build) and the program's start. The CPU time the
kernel's finished children used (goimports, go, compile, link, the program)
is measured too: unlike wall time, it hardly depends on what else the
machine runs. Prints one JSON object: per kernel and cell, the wall times,
the times main ran and the CPU times, in seconds.
"""
import argparse
import json
import os
import sys
import time

from jupyter_client.manager import start_new_kernel

CELLS = {
    "stdlib": """%%
t0 := time.Now()
fmt.Println(strings.Repeat("x", {n}))
fmt.Printf("main %.4f\\n", time.Since(t0).Seconds())""",
    "plots": """import "github.com/gotl/gotl/plots"
%%
t0 := time.Now()
c, err := plots.Lines("loss {n}", "step", "loss", plots.Series{{Name: "train", Y: []float64{{3, 2, 1.5, 1.2, 1.1}}}})
if err != nil {{
	panic(err)
}}
if err := c.Show(); err != nil {{
	panic(err)
}}
fmt.Printf("main %.4f\\n", time.Since(t0).Seconds())""",
    "model": """import (
	"github.com/gotl/gotl/helpers/graphrun"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/zoo"
)
%%
t0 := time.Now()
f, err := zoo.TinyNet()
if err != nil {{
	panic(err)
}}
g, err := graphrun.Load(f.Frozen)
if err != nil {{
	panic(err)
}}
m, err := graphrun.NewModel(g, []string{{zoo.TinyNetInfo.Input}}, []string{{zoo.TinyNetInfo.Output}})
if err != nil {{
	panic(err)
}}
x, err := tensor.FromFloat32s([]int64{{1, 32, 32, 3}}, make([]float32, 32*32*3))
if err != nil {{
	panic(err)
}}
out, err := m.Run(x)
if err != nil {{
	panic(err)
}}
fmt.Println("softmax", out[0].Shape, {n})
fmt.Printf("main %.4f\\n", time.Since(t0).Seconds())""",
}
# The model cell also linking helpers/zoo/download (net/http, crypto/tls).
CELLS["model_http"] = CELLS["model"].replace(
    '\t"github.com/gotl/gotl/helpers/zoo"\n',
    '\t"github.com/gotl/gotl/helpers/zoo"\n\t"github.com/gotl/gotl/helpers/zoo/download"\n').replace(
    'fmt.Println("softmax", out[0].Shape, {n})', 'fmt.Println("softmax", out[0].Shape, {n}, download.InceptionV3)')


def cpu_seconds(pid):
    """CPU time of process pid and its finished children (utime, stime,
    cutime, cstime), in seconds: GoNB waits for goimports, go and the cell's
    program, so their time (and their own children's: compile, link) ends up
    here. gopls runs on, so its time does not."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / ticks


def run_cell(kc, code, pid=None):
    texts = []

    def hook(msg):
        c = msg["content"]
        if msg["msg_type"] == "stream":
            texts.append(c["text"])
        elif msg["msg_type"] == "error":
            texts.append("ERROR %s: %s" % (c.get("ename"), c.get("evalue")))

    cpu0 = cpu_seconds(pid) if pid else None
    start = time.monotonic()
    reply = kc.execute_interactive(code, timeout=600, output_hook=hook)
    wall = time.monotonic() - start
    cpu1 = cpu_seconds(pid) if pid else None
    out = "".join(texts)
    if reply["content"]["status"] != "ok":
        raise RuntimeError("cell failed: %s\n%s" % (reply["content"].get("evalue"), out))
    main = None
    for line in out.splitlines():
        if line.startswith("main "):
            main = float(line.split()[1])
    cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
    return wall, main, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", required=True)
    ap.add_argument("--reps", type=int, default=6, help="measured rounds per kernel, over --blocks blocks")
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--cells", default="stdlib,plots,model", help="comma-separated: " + ",".join(CELLS))
    args = ap.parse_args()
    names = args.kernels.split(",")
    cells = {c: CELLS[c] for c in args.cells.split(",")}
    result = {name: {cell: {"wall": [], "main": [], "cpu": []} for cell in cells} for name in names}
    per_block = max(1, args.reps // args.blocks)
    n = 0
    for block in range(args.blocks):
        for name in names:
            km, kc = start_new_kernel(kernel_name=name, startup_timeout=120)
            pid = km.provisioner.process.pid if km.provisioner and km.provisioner.process else None
            try:
                for rnd in range(per_block + 1):  # round 0 warms up
                    for cell, code in cells.items():
                        n += 1
                        wall, main_s, cpu = run_cell(kc, code.format(n=n), pid)
                        if rnd > 0:
                            result[name][cell]["wall"].append(wall)
                            result[name][cell]["main"].append(main_s)
                            result[name][cell]["cpu"].append(cpu)
                        print("%s block %d round %d %s: %.2fs (main %.3fs, cpu %.2fs)" % (
                            name, block, rnd, cell, wall, main_s or -1, cpu if cpu is not None else -1),
                              file=sys.stderr, flush=True)
            finally:
                kc.stop_channels()
                km.shutdown_kernel()  # gracefully: GoNB then stops its gopls
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
