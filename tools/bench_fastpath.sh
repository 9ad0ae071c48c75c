#!/usr/bin/env bash
# Measures gotl's CPU fast path against GoMLX's stock pure-Go executors:
# whole-network forward passes (helpers/graphrun BenchmarkForward) and
# fine-tuning steps (helpers/finetune BenchmarkStep), each configuration in
# its own process (so peak RSS is per configuration), stock / AVX2 /
# best-level rounds interleaved, every figure with OpenBLAS SGEMM measured in
# the same process (needs libopenblas-dev). Usage:
#   tools/bench_fastpath.sh [ROUNDS] > bench.log
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -tags openblas -c -o "$tmp/graphrun.test" ./helpers/graphrun/
go test -tags openblas -c -o "$tmp/finetune.test" ./helpers/finetune/
forward=(
	"poets_mobilenet_0.25_128 1" "poets_mobilenet_0.25_128 8"
	"mobilenet_v1_1.0_224 1" "mobilenet_v1_1.0_224 8"
	"mobilenet_v1_0.25_224 16"
	"inception_v3_299 1" "inception_v3_299 8"
)
# Stock runs are skipped where they take minutes (Inception batch 8).
for round in $(seq "$rounds"); do
	for cfg in "${forward[@]}"; do
		set -- $cfg
		for mode in stock avx2 auto; do
			[ "$mode" = stock ] && [ "$1" = inception_v3_299 ] && [ "$2" = 8 ] && continue
			env=""; path=fast
			case $mode in stock) env=0; path=stock ;; avx2) env=avx2 ;; auto) env=1 ;; esac
			echo "## round $round mode $mode $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
			(cd helpers/graphrun && GOTL_FASTPATH=$env "$tmp/graphrun.test" -test.run XXX \
				-test.bench "^BenchmarkForward\$/^$1\$/^batch=$2\$/^path=$path\$" -test.benchtime 3x | grep Benchmark || true)
		done
	done
	for net in tinynet mobilenet_v1_0.25_128; do
		for mode in stock avx2 auto; do
			env=""; path='(avx2|avx512)'
			case $mode in stock) env=0; path=stock ;; avx2) env=avx2; path=avx2 ;; auto) env=1 ;; esac
			echo "## round $round mode $mode $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
			(cd helpers/finetune && GOTL_FASTPATH=$env "$tmp/finetune.test" -test.run XXX \
				-test.bench "^BenchmarkStep\$/^$net\$/^batch=16\$/^path=$path\$" -test.benchtime 5x | grep Benchmark || true)
		done
	done
done
