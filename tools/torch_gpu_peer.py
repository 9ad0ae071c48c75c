#!/usr/bin/env python3
"""Time PyTorch on a GPU (or the CPU) as the peer of `gotl bench` on XLA.

The PyTorch side of scripts/gpu_run.sh: torchvision's Inception v3 and
MobileNet v2 (torchvision has no MobileNet v1; v2 does 300 M multiply-adds
per 224x224 image against v1's 569 M) with random weights, a forward pass
and a fine-tuning step, at each batch size. Every number is float32:

  * no autocast (AMP off);
  * TensorFloat-32 off unless --tf32 on/both: torch.backends.cuda.matmul.allow_tf32
    and torch.backends.cudnn.allow_tf32 are False and the float32 matmul
    precision is "highest" (on PyTorch 2.9 and later, which refuses a mix of
    the two APIs, torch.backends.cuda.matmul.fp32_precision and
    torch.backends.cudnn.conv.fp32_precision are "ieee" instead). PyTorch lets
    cuDNN convolutions use TF32 by default and XLA's default precision may,
    so --tf32 both also times TF32;
  * cudnn.benchmark on (PyTorch's autotuner; XLA autotunes too), --no_cudnn_benchmark to turn it off.

It does what gotl bench does per step, so that steps/s compare:
  * forward: the batch is copied from host memory to the device, the net runs
    in eval mode, the outputs are copied back;
  * train: the same copy, forward through the network with a new 2-class
    head, cross-entropy, backward, SGD with momentum 0.9 on every weight
    (pretrained ones at a tenth of the head's learning rate, as
    finetune.DefaultConfig), and the loss back on the host. Batch norms use
    their stored statistics (--bn frozen, the default), as in gotl's
    fine-tuning of a frozen graph; --bn train uses batch statistics.

Timing: --warmup untimed steps (cuDNN autotuning, allocator growth), then
--iters steps, each between CUDA events after a torch.cuda.synchronize();
on the CPU, time.perf_counter. Reports the median and mean seconds per step.

  python3 tools/torch_gpu_peer.py --device cuda --json results.json
  /usr/bin/python3 tools/torch_gpu_peer.py --device cpu --models mobilenet_v2_0.25_128 --batches 2 --iters 1 --warmup 1

The JSON is written again after every configuration, so a run stopped by a
timeout keeps what it measured; --max_seconds stops starting new ones.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

# On shared CPU cores (the dry run) OpenMP's busy waiting collapses; see
# tools/torch_peer.py. Set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch
import torchvision


MODELS = {
    # name: (constructor, input size)
    "inception_v3": (lambda: torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False), 299),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), 224),
    "mobilenet_v2_0.25_128": (lambda: torchvision.models.mobilenet_v2(weights=None, width_mult=0.25), 128),
    "mobilenet_v2_0.25_224": (lambda: torchvision.models.mobilenet_v2(weights=None, width_mult=0.25), 224),
}


def new_head(model, classes):
    """Replaces the 1000-class layer with a new classes-way one; returns it."""
    if hasattr(model, "fc"):  # Inception v3
        model.fc = torch.nn.Linear(model.fc.in_features, classes)
        return model.fc
    last = model.classifier[-1]  # MobileNet v2: Dropout, Linear
    model.classifier[-1] = torch.nn.Linear(last.in_features, classes)
    return model.classifier[-1]


def new_precision_api():
    """PyTorch 2.9+ sets TF32 per backend (fp32_precision); mixing it with the
    legacy flags is a RuntimeError there, so only one of the two is used."""
    try:  # torch 1.13's matmul object raises AssertionError for unknown attributes
        return hasattr(torch.backends.cuda.matmul, "fp32_precision") and hasattr(torch.backends.cudnn, "conv")
    except Exception:
        return False


def set_precision(tf32):
    if new_precision_api():
        mode = "tf32" if tf32 else "ieee"
        torch.backends.cuda.matmul.fp32_precision = mode
        torch.backends.cudnn.conv.fp32_precision = mode
        return {"api": "fp32_precision", "cuda.matmul": torch.backends.cuda.matmul.fp32_precision,
                "cudnn.conv": torch.backends.cudnn.conv.fp32_precision}
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    if hasattr(torch, "set_float32_matmul_precision"):
        torch.set_float32_matmul_precision("high" if tf32 else "highest")
    return {"api": "allow_tf32", "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
            "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32}


class Timer:
    """Per-step times: CUDA events on a GPU, perf_counter on the CPU."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def run(self, step, n):
        self.sync()
        if not self.cuda:
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                step()
                times.append(time.perf_counter() - t0)
            return times
        events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(n)]
        for start, end in events:
            start.record()
            step()
            end.record()
        torch.cuda.synchronize()
        return [start.elapsed_time(end) / 1000 for start, end in events]


def measure(name, batch, mode, tf32, args, device):
    precision = set_precision(tf32)
    make, size = MODELS[name]
    torch.manual_seed(1)
    model = make()
    head = new_head(model, 2) if mode == "train" else None
    model = model.to(device)
    x_host = torch.randn(batch, 3, size, size)  # pageable host memory, like gotl's input tensor
    if mode == "train":
        model.train()
        if args.bn == "frozen":
            for m in model.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.eval()
        head_ids = {id(p) for p in head.parameters()}
        pretrained = [p for p in model.parameters() if id(p) not in head_ids]
        opt = torch.optim.SGD([{"params": pretrained, "lr": args.learning_rate * 0.1},
                               {"params": list(head.parameters()), "lr": args.learning_rate}], momentum=0.9)
        y_host = torch.arange(batch) % 2
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            x, y = x_host.to(device), y_host.to(device)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                return model(x_host.to(device)).cpu()

    timer = Timer(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(args.warmup):
        step()
    timer.sync()
    warmup_s = time.perf_counter() - t0
    times = timer.run(step, args.iters)
    med, mean = statistics.median(times), statistics.fmean(times)
    r = {"model": name, "batch": batch, "mode": mode, "tf32": tf32, "precision": precision, "iters": args.iters, "warmup": args.warmup,
         "warmup_seconds": warmup_s, "seconds_per_step": med, "mean_seconds_per_step": mean,
         "min_seconds_per_step": min(times), "max_seconds_per_step": max(times),
         "steps_per_second": 1 / med, "images_per_second": batch / med}
    if mode == "train":
        r["bn"] = args.bn
    if device.type == "cuda":
        r["peak_memory_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return r


def environment(device, args):
    env = {"python": platform.python_version(), "torch": torch.__version__, "torchvision": torchvision.__version__,
           "device": str(device), "threads": torch.get_num_threads(), "amp": False,
           "inputs": "host memory, copied every step"}
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        env.update({"cudnn_benchmark": torch.backends.cudnn.benchmark, "gpu": p.name, "gpu_memory_gb": p.total_memory / 1e9, "multiprocessors": p.multi_processor_count,
                    "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version()})
    return env


def write_json(path, report):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu")
    ap.add_argument("--models", default="inception_v3,mobilenet_v2", help="comma-separated: " + ", ".join(MODELS))
    ap.add_argument("--batches", default="32,64")
    ap.add_argument("--modes", default="forward,train")
    ap.add_argument("--iters", type=int, default=20, help="timed steps per configuration")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    ap.add_argument("--tf32", choices=["off", "on", "both"], default="off")
    ap.add_argument("--bn", choices=["frozen", "train"], default="frozen")
    ap.add_argument("--learning_rate", type=float, default=0.002)
    ap.add_argument("--no_cudnn_benchmark", action="store_true")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    ap.add_argument("--max_seconds", type=float, default=0, help="start no configuration after this many seconds (0: no limit)")
    ap.add_argument("--json", default="", help="write the report here (after every configuration)")
    a = ap.parse_args()
    for m in a.models.split(","):
        if m not in MODELS:
            ap.error(f"--models: unknown model {m!r} (want {', '.join(MODELS)})")
    modes = a.modes.split(",")
    if any(m not in ("forward", "train") for m in modes):
        ap.error("--modes: forward, train")
    if a.iters < 1 or a.warmup < 0:
        ap.error("--iters must be at least 1 and --warmup at least 0")
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_gpu_peer: --device %s but torch.cuda.is_available() is False (torch %s)" % (a.device, torch.__version__))
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.backends.cudnn.benchmark = not a.no_cudnn_benchmark
    tf32s = {"off": [False], "on": [True], "both": [False, True]}[a.tf32]
    report = {"environment": environment(device, a), "results": [], "errors": [], "skipped": []}
    start = time.perf_counter()
    for tf32 in tf32s:
        for name in a.models.split(","):
            for batch in (int(b) for b in a.batches.split(",")):
                for mode in modes:
                    label = f"{name} batch {batch} {mode}{' tf32' if tf32 else ''}"
                    if a.max_seconds and time.perf_counter() - start > a.max_seconds:
                        report["skipped"].append(label)
                        continue
                    try:
                        r = measure(name, batch, mode, tf32, a, device)
                    except Exception as e:  # e.g. out of memory: record it, go on
                        report["errors"].append({"config": label, "error": f"{type(e).__name__}: {e}"})
                        print(f"torch_gpu_peer: {label}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
                        if device.type == "cuda":
                            torch.cuda.empty_cache()
                        continue
                    report["results"].append(r)
                    print(f"torch {label}: {r['seconds_per_step'] * 1000:.2f} ms/step (median of {a.iters}), "
                          f"{r['images_per_second']:.1f} images/s", file=sys.stderr, flush=True)
                    write_json(a.json, report)
    report["seconds"] = time.perf_counter() - start
    write_json(a.json, report)
    if not a.json:
        json.dump(report, sys.stdout, indent=1)
        print()
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
