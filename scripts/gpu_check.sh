#!/usr/bin/env bash
# gpu_check.sh — run gotl's graphrun graphs on an NVIDIA GPU through XLA
# (GoMLX's xla backend with a CUDA PJRT plugin) and compare with the pure-Go
# CPU backend: prints images/s on each and the max |difference| of the
# softmax outputs. Graphs: the tfdata poets MobileNet 0.25/128 (when
# ../shared/tfdata is present) and generated MobileNet v1 1.0/224 and
# Inception v3 (random weights, published architectures).
#
# Usage (from the repository root, on a machine with a GPU):
#   scripts/gpu_check.sh                 # GOMLX backend xla:cuda, batch 8
#   GPU_BACKEND=xla:/abs/path/pjrt_c_api_cuda_plugin.so scripts/gpu_check.sh
#   GOTL_GPU_BATCH=32 GOTL_GPU_ITERS=50 scripts/gpu_check.sh
#
# The CUDA PJRT plugin must already be installed (gotl never downloads it):
# ~/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so with the NVIDIA
# libraries beside it, or an absolute plugin path in GPU_BACKEND, or a
# directory in PJRT_PLUGIN_LIBRARY_PATH; set XLA_FLAGS=--xla_gpu_cuda_data_dir=DIR
# (DIR holds bin/ptxas and nvvm/libdevice) if XLA cannot find ptxas.
# See `go doc ./helpers/compute` ("Backends") and `gotl xla-install`.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${GPU_BACKEND:-xla:cuda}"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
else
  echo "gpu_check: nvidia-smi not found; trying $backend anyway" >&2
fi
export GOMLX_NO_AUTO_INSTALL=1
GOTL_GPU_CHECK="$backend" exec go test -count=1 -run '^TestGPUCheck$' -v -timeout 40m ./helpers/graphrun/
