#!/usr/bin/env bash
# gpu_check.sh — on a GPU machine WITH Go and this repository: run
# graphrun's TestGPUCheck, which runs the tfdata poets MobileNet 0.25/128
# (when ../shared/tfdata is present) and generated MobileNet v1 1.0/224 and
# Inception v3 on XLA with a CUDA PJRT plugin and on the pure-Go CPU
# backend, in one process, and prints images/s on each and the largest
# difference of their softmax outputs.
#
# A GPU machine without Go (such as the device tool's nvidia-h200) runs the
# same comparison from binaries built here instead, against CPU outputs
# computed here: scripts/gpu_build.sh here, then scripts/gpu_run.sh there.
#
# Usage (from anywhere in the repository):
#   scripts/gpu_check.sh
#   GPU_BACKEND=xla:/abs/path/pjrt_c_api_cuda_plugin.so scripts/gpu_check.sh
#   GOTL_GPU_BATCH=32 GOTL_GPU_ITERS=50 scripts/gpu_check.sh
#
# The plugin: GPU_BACKEND if set; else what scripts/gpu_env.sh finds (JAX's
# xla_cuda_plugin.so in a Python's site-packages with the nvidia-* libraries,
# or go-xla's ~/.local/lib/go-xla/nvidia layout), with LD_LIBRARY_PATH and
# XLA_FLAGS=--xla_gpu_cuda_data_dir set to match; else xla:cuda (GoMLX's
# own search). gotl never downloads a plugin (`gotl xla-install` does, on
# request). See `go doc ./helpers/compute` ("Backends").
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
	echo "gpu_check: needs Go; on a GPU machine without Go run scripts/gpu_build.sh where Go is and scripts/gpu_run.sh on the GPU machine" >&2
	exit 1
fi
if command -v nvidia-smi >/dev/null 2>&1; then
	nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
else
	echo "gpu_check: nvidia-smi not found; trying anyway" >&2
fi
# shellcheck source=scripts/gpu_env.sh
source scripts/gpu_env.sh
gpu_env_find || echo "gpu_check: no CUDA plugin found in Python's site-packages or go-xla's layout" >&2
gpu_env_print
[[ -z ${GPU_BACKEND:-} ]] || export GOMLX_BACKEND=$GPU_BACKEND
gpu_env_export
backend=${GOMLX_BACKEND:-xla:cuda}
echo "gpu_check: backend $backend"
GOTL_GPU_CHECK="$backend" exec go test -count=1 -run '^TestGPUCheck$' -v -timeout 40m ./helpers/graphrun/
