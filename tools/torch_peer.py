#!/usr/bin/python3
"""Measure PyTorch on this CPU beside `gotl bench`, in one run.

PyTorch (Debian's python3-torch and python3-torchvision, random weights, no
download) is what a learner would use instead of gotl on a CPU. For each
pair below this script times PyTorch, then runs `gotl bench --json` on the
matching gotl network, alternating the two for --rounds rounds, and prints
the median seconds per image of each and their ratio (gotl / PyTorch; below
1 means gotl is faster). OMP_WAIT_POLICY defaults to PASSIVE here (see below). torchvision has no MobileNet v1, so MobileNet v2
(300 M multiply-adds, against v1's 569 M) stands in for it; for the training
step both are width 0.25 at 128×128.

  apt-get install python3-torch python3-torchvision
  go build -o /tmp/gotl ./cmd/gotl
  /usr/bin/python3 tools/torch_peer.py --gotl /tmp/gotl [--threads 2] [--rounds 3] [--json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# OpenMP's default busy-waiting collapses when the cores are shared (a
# MobileNet v2 forward took 9–12 s instead of 0.07 s under a load of 12 on
# 2 cores); passive waiting keeps PyTorch at its real speed. Set it before
# torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch

# The networks and input sizes, shared with the GPU peer (beside this file,
# so on sys.path when this runs as a script).
from torch_gpu_peer import MODELS


def time_torch(name, batch, train, iters):
    make, size = MODELS[name]
    model = make()
    x = torch.randn(batch, 3, size, size)
    if train:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
        y = torch.randint(0, 2, (batch,))
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x)[:, :2], y)
            loss.backward()
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
    step()  # warm-up
    start = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - start) / (iters * batch)


def time_gotl(gotl, model, batch, train, iters):
    args = [gotl, "bench", "--model", model, "--batch", str(batch), "--iters", str(iters), "--json"]
    if train:
        args.append("--train")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    return r["seconds_per_image"], r["path"]


PAIRS = [
    # (label, torch model, gotl model, batch, train, iterations)
    ("Inception v3, batch 1", "inception_v3", "inception_v3", 1, False, 5),
    ("Inception v3, batch 8", "inception_v3", "inception_v3", 8, False, 2),
    ("MobileNet (torch v2, gotl v1 1.0/224), batch 1", "mobilenet_v2", "mobilenet_v1_1.0_224", 1, False, 10),
    ("MobileNet (torch v2, gotl v1 1.0/224), batch 8", "mobilenet_v2", "mobilenet_v1_1.0_224", 8, False, 3),
    ("MobileNet 0.25/128 training step (torch v2, gotl v1), batch 8", "mobilenet_v2_0.25_128", "mobilenet_v1_0.25_128", 8, True, 5),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default="gotl", help="gotl binary")
    ap.add_argument("--threads", type=int, default=2, help="PyTorch threads (default 2)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", default="", help="run only the pairs whose label contains this text")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows = []
    for label, tm, gm, batch, train, iters in PAIRS:
        if a.only not in label:
            continue
        ts, gs, path = [], [], ""
        for _ in range(a.rounds):
            ts.append(time_torch(tm, batch, train, iters))
            g, path = time_gotl(a.gotl, gm, batch, train, iters)
            gs.append(g)
        t, g = statistics.median(ts), statistics.median(gs)
        rows.append({"pair": label, "torch_s_per_image": t, "gotl_s_per_image": g, "gotl_over_torch": g / t,
                     "gotl_path": path, "torch": torch.__version__, "threads": a.threads})
        if not a.json:
            print(f"{label}: PyTorch {t:.4f} s/image, gotl ({path}) {g:.4f} s/image, gotl/PyTorch {g / t:.2f}", flush=True)
    if a.json:
        json.dump(rows, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
