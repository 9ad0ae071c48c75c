#!/usr/bin/env python3
"""Aggregate scripts/gpu_run.sh's steps into $OUT/results.json and a summary.

gpu_run.sh keeps each step in WORK/steps/NN_NAME/ (files group, cmd, timeout,
status, rc, ms, stdout, stderr) and the peer's JSON in WORK/peer.json; this
script (standard library only: it runs under any python3) reads them and
writes OUT/results.json (everything, one file) and OUT/summary.txt (the
tables it also prints):

  * checks: gotl on the backend under test against the CPU references
    (max |diff|, ||diff||/||ref|| per tensor, images/s);
  * speed: gotl and PyTorch steps/s per model pair, batch and mode, and
    gotl / PyTorch (float32; PyTorch with TF32 too where it was run);
  * compare: notebook 04's methods (steps/s, accuracies);
  * failures: every step that did not end ok.

  python3 scripts/gpu_report.py --work DIR --out DIR --mode gpu|dry \\
      --pair inception_v3=inception_v3 --pair mobilenet_v1_1.0_224=mobilenet_v2

Exit status 0 when every step ended ok, 1 otherwise.
"""
import argparse
import json
import os
import sys
import time

TAIL = 4000  # characters of a step's stderr (and non-JSON stdout) kept


def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def parse_json(text):
    """The JSON document text holds, or on its last line; None if neither."""
    text = text.strip()
    if not text:
        return None
    for candidate in (text, text.splitlines()[-1]):
        try:
            return json.loads(candidate)
        except ValueError:
            pass
    return None


def key_values(text):
    out = {}
    for line in text.splitlines():
        k, sep, v = line.strip().partition("=")
        if sep:
            out[k] = v
    return out


def load_steps(work):
    steps = []
    root = os.path.join(work, "steps")
    for d in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        p = os.path.join(root, d)
        s = {"name": d.split("_", 1)[1] if "_" in d else d,
             "group": read(os.path.join(p, "group")).strip(),
             "command": read(os.path.join(p, "cmd")).strip(),
             "status": read(os.path.join(p, "status"), "not run").strip(),
             "timeout_s": int(read(os.path.join(p, "timeout"), "0").strip() or 0)}
        rc, ms = read(os.path.join(p, "rc")).strip(), read(os.path.join(p, "ms")).strip()
        s["exit"] = int(rc) if rc else None
        s["seconds"] = int(ms) / 1000 if ms else None
        stdout = read(os.path.join(p, "stdout"))
        s["output"] = parse_json(stdout)
        if s["output"] is None and stdout.strip():
            s["stdout_tail"] = stdout[-TAIL:]
        err = read(os.path.join(p, "stderr"))
        if err:
            s["stderr_tail"] = err[-TAIL:]
        steps.append(s)
    return steps


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def table(headers, rows):
    cols = [[str(h)] + [str(r[i]) for r in rows] for i, h in enumerate(headers)]
    widths = [max(len(c) for c in col) for col in cols]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))]
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return lines


def gotl_runs(steps):
    """gotl bench outputs: (model, batch, train) -> the step's JSON."""
    runs = {}
    for s in steps:
        o = s["output"]
        if s["group"] in ("probe", "check", "forward", "train") and isinstance(o, dict) and "model" in o:
            runs[(o["model"], o["batch"], bool(o.get("train")))] = o
    return runs


def summarize(steps, peer, pairs):
    summary = {"checks": [], "speed": [], "compare": [], "failures": []}
    for s in steps:
        if s["status"] != "ok":
            summary["failures"].append({"step": s["name"], "status": s["status"],
                                        "last_error": (s.get("stderr_tail") or "").strip().splitlines()[-1:] or [""]})
        o = s["output"]
        if s["group"] in ("check", "forward") and isinstance(o, dict) and o.get("check"):
            c = o["check"]
            summary["checks"].append({"model": o["model"], "batch": o["batch"], "backend": o.get("backend", ""),
                                      "images_per_second": o.get("images_per_second"), "ok": c.get("ok"),
                                      "tensors": c.get("tensors", [])})
    runs = gotl_runs(steps)
    torch_rows = {}
    for r in (peer or {}).get("results", []):
        torch_rows[(r["model"], r["batch"], r["mode"], bool(r.get("tf32")))] = r
    for g, t in pairs:
        batches = sorted({b for (m, b, _) in runs if m == g} | {b for (m, b, _, _) in torch_rows if m == t})
        for b in batches:
            for mode in ("forward", "train"):
                go = runs.get((g, b, mode == "train"))
                t32 = torch_rows.get((t, b, mode, False))
                ttf = torch_rows.get((t, b, mode, True))
                if not go and not t32 and not ttf:
                    continue
                # Both sides as means over the timed steps.
                gs = go["images_per_second"] / b if go else None
                ts = 1 / t32["mean_seconds_per_step"] if t32 else None
                tt = 1 / ttf["mean_seconds_per_step"] if ttf else None
                summary["speed"].append({"gotl_model": g, "torch_model": t, "batch": b, "mode": mode,
                                         "gotl_steps_per_second": gs, "torch_steps_per_second": ts,
                                         "torch_tf32_steps_per_second": tt,
                                         "gotl_over_torch": gs / ts if gs and ts else None,
                                         "gotl_over_torch_tf32": gs / tt if gs and tt else None,
                                         "gotl_backend": go.get("backend") if go else None})
    for s in steps:
        o = s["output"]
        if s["group"] == "compare" and isinstance(o, dict):
            for m in o.get("methods") or []:
                hist = m.get("history") or [{}]
                summary["compare"].append({"method": m.get("name"), "batch": m.get("batch"), "steps": m.get("steps"),
                                           "steady_steps_per_second": 1 / m["seconds_per_step"] if m.get("seconds_per_step") else None,
                                           "train_seconds": (m.get("duration") or 0) / 1e9,
                                           "train_accuracy": hist[-1].get("train_accuracy"),
                                           "validation_accuracy": hist[-1].get("validation_accuracy"),
                                           "test_accuracy": m.get("test_accuracy")})
    return summary


def render(summary, mode, env_find):
    out = [f"gotl GPU evaluation ({mode} run): plugin {env_find.get('plugin') or 'not found'}"]
    if summary["checks"]:
        out += ["", "Outputs against the CPU references (float32; ||diff||/||ref|| per tensor):"]
        rows = []
        for c in summary["checks"]:
            tens = "; ".join(f"{t['name'].split('/')[-1]} max|d| {t['max_abs_diff']:.2g} rel {t['rel_l2_diff']:.2g}"
                             + (f" argmax {t['argmax_agree']:.0%}" if t.get("argmax_agree", 1) < 1 else "")
                             + (f" NONFINITE {t['non_finite']}" if t.get("non_finite") else "") for t in c["tensors"])
            rows.append([c["model"], c["batch"], fmt(c["images_per_second"], ".1f"), "ok" if c["ok"] else "MISMATCH", tens])
        out += table(["model", "batch", "img/s", "check", "tensors"], rows)
    if summary["speed"]:
        out += ["", "Steps/s, gotl vs PyTorch on the same device (means of the timed steps; PyTorch float32, TF32 off; tf32 column: on):"]
        rows = [[f"{r['gotl_model']} | {r['torch_model']}", r["batch"], r["mode"], fmt(r["gotl_steps_per_second"], ".2f"),
                 fmt(r["torch_steps_per_second"], ".2f"), fmt(r["gotl_over_torch"], ".2f"),
                 fmt(r["torch_tf32_steps_per_second"], ".2f"), fmt(r["gotl_over_torch_tf32"], ".2f")] for r in summary["speed"]]
        out += table(["gotl | torch model", "batch", "mode", "gotl", "torch", "gotl/torch", "torch tf32", "gotl/tf32"], rows)
        if any(r["gotl_model"].startswith("mobilenet_v1") for r in summary["speed"]):
            out += ["(MobileNet: gotl runs v1, PyTorch v2: 569 M against 300 M multiply-adds per 224x224 image at width 1.0.)"]
    if summary["compare"]:
        out += ["", "Notebook 04 (tools/compare):"]
        rows = [[r["method"], r["batch"], r["steps"], fmt(r["steady_steps_per_second"], ".1f"), fmt(r["train_seconds"], ".1f"),
                 fmt(r["validation_accuracy"], ".3f"), fmt(r["test_accuracy"], ".3f")] for r in summary["compare"]]
        out += table(["method", "batch", "steps", "steps/s", "train s", "val acc", "test acc"], rows)
    out += [""]
    if summary["failures"]:
        out += ["Steps not ok:"] + [f"  {f['step']}: {f['status']}" + (f": {f['last_error'][0][:200]}" if f["last_error"][0] else "")
                                    for f in summary["failures"]]
    else:
        out += ["Every step ended ok."]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", default="gpu")
    ap.add_argument("--manifest", default="", help=".gpu/MANIFEST.json, copied into the results")
    ap.add_argument("--pair", action="append", default=[], help="GOTL_MODEL=TORCH_MODEL, a row pair of the speed table")
    a = ap.parse_args()
    pairs = []
    for p in a.pair:
        g, sep, t = p.partition("=")
        if not sep:
            ap.error(f"--pair {p!r}: want GOTL_MODEL=TORCH_MODEL")
        pairs.append((g, t))
    steps = load_steps(a.work)
    peer = parse_json(read(os.path.join(a.work, "peer.json")))
    env_find = key_values(read(os.path.join(a.work, "find.txt")))
    summary = summarize(steps, peer, pairs)
    text = render(summary, a.mode, env_find)
    results = {"mode": a.mode, "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "environment": {"text": read(os.path.join(a.work, "environment.txt")), "find": env_find,
                               "exports": key_values(read(os.path.join(a.work, "exports.txt"))),
                               "manifest": parse_json(read(a.manifest)) if a.manifest else None},
               "summary": summary, "steps": steps, "peer": peer}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write(text)
    sys.stdout.write("\n" + text)
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
