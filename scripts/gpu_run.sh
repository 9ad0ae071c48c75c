#!/usr/bin/env bash
# gpu_run.sh — gotl's whole GPU evaluation in one call on a GPU machine that
# has no Go: XLA (GoMLX's xla backend with JAX's PJRT CUDA plugin, found in
# the machine's Python) against outputs computed on the CPU, fine-tuning
# steps, notebook 04's script form, and PyTorch on the same GPU.
#
# Prepare here (x86-64 with Go), then dry-run here on the CPU:
#
#   scripts/gpu_build.sh                 # .gpu/: gotl, compare, CPU references (44 MiB)
#   GPU_RUN_DRY=1 scripts/gpu_run.sh     # pure-Go backend, tiny settings, Debian's CPU PyTorch
#
# The device call (the device tool's `run`; nvidia-h200: Python 3.12 with
# jax-cuda13-pjrt/-plugin and torch, no Go, nothing fetchable):
#
#   command:   bash scripts/gpu_run.sh
#   carry:     [".gpu"]
#   timeout_s: 540
#
# The tool sends the checkout its session started in, so build .gpu there.
#
# It keeps to GPU_RUN_BUDGET seconds (default 450: steps that would end
# later are shortened or skipped, each recorded) and writes under $OUT:
#   results.json  every step: command, exit status, seconds, its JSON output
#                 (or the tail of its output), stderr's tail; the environment
#                 found; the summary's rows
#   summary.txt   the summary table, also printed last
#   log.txt       everything printed
# A rerun of some steps: GPU_RUN_STEPS=train,peer bash scripts/gpu_run.sh
#
# Steps (groups for GPU_RUN_STEPS), each with its own timeout; a failure is
# recorded and the next step runs:
#   probe    gotl bench tinynet on the GPU backend: does the plugin load and run
#            (if not, the other gotl steps are skipped unless GPU_RUN_FORCE=1)
#   check    forward passes at batch 32 (TinyNet, MobileNet v1 1.0/224,
#            Inception v3) against .gpu/ref: max |diff|, ‖diff‖/‖ref‖, images/s
#   train    fine-tuning steps, MobileNet v1 1.0/224 and Inception v3, batch 32 and 64
#   peer     tools/torch_gpu_peer.py: PyTorch, Inception v3 and MobileNet v2,
#            forward and training step, batch 32 and 64, float32 (AMP off,
#            TF32 off; TF32 on as well, separately)
#   compare  tools/compare --json --settings gpu (notebook 04: retrain vs fine-tune)
#   forward  forward passes at batch 64 against .gpu/ref
# They run in the order probe, check and train for MobileNet, check and
# train for Inception, peer, compare, forward; each leaves a share of the
# budget to those after it, so a slow compilation costs the later, less
# important steps first.
# Dry run: TinyNet, MobileNet v1 0.25 at 128 and 224 (for Inception) against
# PyTorch's MobileNet v2 0.25 at 128 and 224, batch 2 and 4, one or two steps.
#
# Options: --dry (= GPU_RUN_DRY=1), --steps LIST (= GPU_RUN_STEPS),
# --budget SECONDS (= GPU_RUN_BUDGET). Environment: GPU_PLUGIN (a plugin
# file to use), GPU_RUN_PYTHON (the interpreter with torch), OUT,
# GPU_RUN_BIN (the binaries, default .gpu/bin), GPU_RUN_MAX_STEP and
# GPU_RUN_MIN_STEP (cap every step's timeout; skip a step with less; the
# tests use them), GPU_RUN_FORCE=1 (run gotl's steps after a failed probe).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$(pwd)

dry=${GPU_RUN_DRY:-0}
steps=${GPU_RUN_STEPS:-probe,check,train,peer,forward,compare}
budget=${GPU_RUN_BUDGET:-}
while (($#)); do
	case $1 in
	--dry | --cpu) dry=1 ;;
	--steps) steps=$2; shift ;;
	--steps=*) steps=${1#*=} ;;
	--budget) budget=$2; shift ;;
	--budget=*) budget=${1#*=} ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "gpu_run: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $dry == 1 ]] && mode=dry || mode=gpu

bin=${GPU_RUN_BIN:-$repo/.gpu/bin}
if [[ $mode == gpu ]]; then
	OUT=${OUT:-$repo/.scratch-gpu/out}
	refs=$repo/.gpu/ref
	budget=${budget:-450}
else
	OUT=${OUT:-$repo/.scratch-gpu/out-dry}
	refs=$repo/.gpu/ref/dry
	budget=${budget:-900}
fi
mkdir -p "$OUT"
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu_run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Settings. GPU: the issue's sizes; dry: the smallest that exercise every path.
if [[ $mode == gpu ]]; then
	small_model=tinynet mid_model=mobilenet_v1_1.0_224 big_model=inception_v3
	check_batch=32 forward_batch=64 train_batches="32 64" fwd_iters=20 train_iters=10
	peer_args=(--device cuda --models "inception_v3,mobilenet_v2" --batches "32,64" --iters 20 --warmup 5 --tf32 both)
	pairs=(--pair inception_v3=inception_v3 --pair mobilenet_v1_1.0_224=mobilenet_v2)
	compare_args=(--json --settings gpu)
	t_peer=120
else
	small_model=tinynet mid_model=mobilenet_v1_0.25_128 big_model=mobilenet_v1_0.25_224
	check_batch=2 forward_batch=4 train_batches="2 4" fwd_iters=2 train_iters=1
	peer_args=(--device cpu --models "mobilenet_v2_0.25_128,mobilenet_v2_0.25_224" --batches "2,4" --iters 2 --warmup 1 --threads 2)
	pairs=(--pair mobilenet_v1_0.25_128=mobilenet_v2_0.25_128 --pair mobilenet_v1_0.25_224=mobilenet_v2_0.25_224)
	compare_args=(--json --settings cpu --per_class 12 --steps 6 --batch 4 --eval_every 3 --top_layers 1 --long_retrain_steps 0)
	t_peer=120
fi

say() { printf '[gpu_run %4ds] %s\n' "$SECONDS" "$*"; }
wants() { [[ ,$steps, == *,$1,* ]]; }

# The Python with torch: GPU_RUN_PYTHON, else on the GPU machine its python3
# (the torch venv), here Debian's /usr/bin/python3 (python3-torch).
pick_python() {
	local p
	if [[ -n ${GPU_RUN_PYTHON:-} ]]; then echo "$GPU_RUN_PYTHON"; return; fi
	for p in python3 /opt/torch/.venv/bin/python3 /usr/bin/python3; do
		command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1 && { command -v "$p"; return; }
	done
	command -v python3 || echo python3
}

# step NAME GROUP TIMEOUT RESERVE CMD... runs CMD with at most TIMEOUT seconds,
# fewer if needed to leave RESERVE seconds of the budget for later steps;
# stdout and stderr are kept for the report, stderr is also shown.
step_n=0
step() {
	local name=$1 group=$2 limit=$3 reserve=$4
	shift 4
	step_n=$((step_n + 1))
	local dir
	dir=$work/steps/$(printf %02d "$step_n")_$name
	mkdir -p "$dir"
	printf '%s\n' "$group" >"$dir/group"
	printf '%q ' "$@" | sed 's/ $//' >"$dir/cmd"
	local left=$((budget - SECONDS - reserve - 20)) # 20 s for the report
	local t=$((limit < left ? limit : left))
	t=$((t < ${GPU_RUN_MAX_STEP:-$t} ? t : ${GPU_RUN_MAX_STEP:-$t}))
	echo "$t" >"$dir/timeout"
	if [[ -n ${skip_gotl:-} && $group != peer ]]; then
		echo "skipped: $skip_gotl" >"$dir/status"
		say "$name: skipped ($skip_gotl)"
		return
	fi
	if ((t < ${GPU_RUN_MIN_STEP:-10})); then
		echo "skipped: the budget of ${budget} s is spent" >"$dir/status"
		say "$name: skipped (budget)"
		return
	fi
	say "$name: $(cat "$dir/cmd")  [timeout ${t}s]"
	local start end rc
	start=$(date +%s%N)
	timeout -k 10 "$t" "$@" >"$dir/stdout" 2> >(tee "$dir/stderr" | sed -u 's/^/    | /' >&2)
	rc=$?
	wait "$!" 2>/dev/null # the stderr copy (bash 4.4+ waits for a process substitution)
	end=$(date +%s%N)
	echo "$rc" >"$dir/rc"
	echo $(((end - start) / 1000000)) >"$dir/ms"
	case $rc in
	0) echo ok >"$dir/status" ;;
	124 | 137) echo "timeout after ${t} s" >"$dir/status" ;;
	*) echo "failed (exit $rc)" >"$dir/status" ;;
	esac
	say "$name: $(cat "$dir/status") in $(awk '{printf "%.1f", $1 / 1000}' "$dir/ms") s"
	return "$rc"
}

main() {
	say "mode $mode, steps $steps, budget ${budget} s, OUT=$OUT"
	py=$(pick_python)
	say "python with torch: $py ($("$py" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__)' 2>&1 | tail -n 1))"
	{
		echo "== uname: $(uname -a)"
		echo "== nvidia-smi"
		if command -v nvidia-smi >/dev/null 2>&1; then
			nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv 2>&1
		else
			echo "(no nvidia-smi)"
		fi
		echo "== CPU: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null)"
		echo "== MANIFEST (.gpu, built here)"
		grep -E '"(commit|uncommitted_changes|go|built|carried_bytes)"' "$repo/.gpu/MANIFEST.json" 2>&1
	} | tee "$work/environment.txt"

	# shellcheck source=scripts/gpu_env.sh
	source "$repo/scripts/gpu_env.sh"
	gpu_env_find
	gpu_env_print | sed 's/^/    /' | tee "$work/find.txt"
	if [[ $mode == gpu ]]; then
		if [[ -z $GPU_PLUGIN ]]; then
			say "no PJRT CUDA plugin found: trying GoMLX's own search (xla:cuda)"
			export GOMLX_BACKEND=xla:cuda
		fi
		gpu_env_export
	else
		say "dry run: the pure-Go backend stands in for XLA (the search above is only shown)"
		export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1
	fi
	export GOTL_CACHE_DIR=$work/cache
	for v in GOMLX_BACKEND GOMLX_NO_AUTO_INSTALL LD_LIBRARY_PATH XLA_FLAGS; do
		printf '    %s=%s\n' "$v" "${!v:-}"
	done | tee "$work/exports.txt"

	local missing="" f
	for f in "$bin/gotl" "$bin/compare"; do
		# A copy that lost its execute bit runs from a copy that has one.
		if [[ -f $f && ! -x $f ]] && ! chmod +x "$f" 2>/dev/null; then
			mkdir -p "$work/bin" && cp "$f" "$work/bin/" && chmod +x "$work/bin/${f##*/}"
		fi
	done
	[[ -x $bin/gotl || ! -x $work/bin/gotl ]] || bin=$work/bin
	for f in "$bin/gotl" "$bin/compare"; do [[ -x $f ]] || missing+=" $f"; done
	if [[ -n $missing ]]; then
		say "missing:$missing (run scripts/gpu_build.sh here and carry .gpu)"
		skip_gotl="binaries missing"
	fi
	local gotl=$bin/gotl

	if wants probe && ! step probe probe 90 300 "$gotl" bench --model tinynet --batch 1 --iters 3 --json; then
		local probe_ok=0
		if [[ $mode == gpu && -n $GPU_PLUGIN && -z ${skip_gotl:-} ]]; then
			# Second way in: go-xla's own search, for a file named like its plugins.
			mkdir -p "$work/pjrt"
			ln -sf "$GPU_PLUGIN" "$work/pjrt/pjrt_c_api_cuda_plugin.so"
			if PJRT_PLUGIN_LIBRARY_PATH=$work/pjrt GOMLX_BACKEND=xla:cuda step probe_xla_cuda probe 60 300 "$gotl" bench --model tinynet --batch 1 --iters 3 --json; then
				export PJRT_PLUGIN_LIBRARY_PATH=$work/pjrt GOMLX_BACKEND=xla:cuda
				probe_ok=1
			fi
		fi
		if [[ $probe_ok == 0 && ${GPU_RUN_FORCE:-0} != 1 ]]; then
			skip_gotl=${skip_gotl:-"the probe failed on $GOMLX_BACKEND (GPU_RUN_FORCE=1 runs them anyway)"}
		fi
	fi
	# Order and reserves put the issue's main numbers first: each step leaves
	# RESERVE seconds of the budget to the steps after it.
	check() { # check MODEL BATCH TIMEOUT RESERVE [GROUP]
		wants "${5:-check}" || return 0
		step "${5:-check}_${1}_b$2" "${5:-check}" "$3" "$4" "$gotl" bench --model "$1" --batch "$2" --iters "$fwd_iters" \
			--reference "$refs/${1}_b$2.json" --json
	}
	train() { # train MODEL TIMEOUT RESERVE
		wants train || return 0
		local b
		for b in $train_batches; do
			step "train_${1}_b$b" train "$2" "$3" "$gotl" bench --model "$1" --train --batch "$b" --iters "$train_iters" --json
		done
	}
	check "$small_model" "$check_batch" 60 250
	check "$mid_model" "$check_batch" 60 250
	train "$mid_model" 75 220
	check "$big_model" "$check_batch" 90 200
	train "$big_model" 120 150
	if wants peer; then
		step peer_torch peer "$t_peer" 40 "$py" "$repo/tools/torch_gpu_peer.py" "${peer_args[@]}" \
			--max_seconds $((t_peer * 3 / 4)) --json "$work/peer.json"
	fi
	if wants compare; then
		step compare compare 150 20 "$bin/compare" "${compare_args[@]}"
	fi
	check "$mid_model" "$forward_batch" 60 0 forward
	check "$big_model" "$forward_batch" 60 0 forward

	say "report"
	"$py" "$repo/scripts/gpu_report.py" --mode "$mode" --work "$work" --out "$OUT" --manifest "$repo/.gpu/MANIFEST.json" "${pairs[@]}"
}

main 2>&1 | tee "$OUT/log.txt"
exit "${PIPESTATUS[0]}"
