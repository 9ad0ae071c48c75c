#!/usr/bin/env bash
# gpu_build.sh — build here what scripts/gpu_run.sh needs on a GPU machine
# that has no Go: into .gpu/ (ignored by git; named in the device call's
# carry) it writes
#
#   .gpu/bin/gotl, .gpu/bin/compare   linux/amd64, cgo on (XLA's PJRT loader
#                                     needs it), stripped (-s -w), -trimpath
#   .gpu/ref/MODEL_bBATCH.json        forward outputs of `gotl bench`'s fixed
#                                     input and random weights, computed on
#                                     the pure-Go CPU backend here
#                                     (gotl bench --outputs); gpu_run.sh
#                                     compares XLA on the GPU with them
#   .gpu/ref/dry/…                    the same for the dry run's tiny settings
#   .gpu/MANIFEST.json                commit, Go version, sizes, checksums
#
# and checks that the repository's tracked files plus .gpu/ stay under the
# device tool's 64 MiB. Usage, from anywhere in the repository:
#
#   scripts/gpu_build.sh           # binaries and every reference (a few CPU minutes: Inception v3 at batch 64)
#   scripts/gpu_build.sh --dry     # binaries and the dry run's references only
#
# Then: GPU_RUN_DRY=1 scripts/gpu_run.sh here, and the device call printed at
# the end (also in scripts/gpu_run.sh's header).
set -euo pipefail
cd "$(dirname "$0")/.."
dry_only=0
[[ ${1:-} == --dry ]] && dry_only=1
if [[ $(uname -m) != x86_64 ]]; then
	echo "gpu_build: this is $(uname -m); the device machine is x86-64 and gotl needs cgo, so build on an x86-64 machine" >&2
	exit 1
fi
if ! git check-ignore -q .gpu/bin/gotl; then
	echo "gpu_build: .gpu/ is not ignored by git (.gitignore lists /.gpu/); refusing to build into a tracked folder" >&2
	exit 1
fi
mkdir -p .gpu/bin .gpu/ref/dry
export CGO_ENABLED=1 GOOS=linux GOARCH=amd64
flags=(-trimpath -ldflags='-s -w')
echo "gpu_build: building gotl and compare into .gpu/bin ($(go version))"
go build "${flags[@]}" -o .gpu/bin/gotl ./cmd/gotl
go build "${flags[@]}" -o .gpu/bin/compare ./tools/compare

# References on the pure-Go backend of this machine; the fast path is
# float32 like XLA, in another summation order.
ref() { # ref DIR MODEL BATCH
	local out=$1/$2_b$3.json
	echo "gpu_build: reference $out"
	GOMLX_BACKEND=go .gpu/bin/gotl bench --model "$2" --batch "$3" --iters 1 --outputs "$out" >/dev/null
}
# Keep in step with gpu_run.sh's settings (gpu_run.sh says which file is missing).
ref .gpu/ref/dry tinynet 2
for m in mobilenet_v1_0.25_128 mobilenet_v1_0.25_224; do
	for b in 2 4; do ref .gpu/ref/dry "$m" "$b"; done
done
if [[ $dry_only == 0 ]]; then
	ref .gpu/ref tinynet 32
	for m in mobilenet_v1_1.0_224 inception_v3; do
		for b in 32 64; do ref .gpu/ref "$m" "$b"; done
	done
fi

commit=$(git rev-parse HEAD)
dirty=$(git status --porcelain --untracked-files=no | wc -l)
tracked=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
carried=$(du -sb .gpu | cut -f1)
total=$((tracked + carried))
limit=$((64 * 1024 * 1024))
python3 - "$commit" "$dirty" "$tracked" "$carried" "$(go version)" <<'EOF' >.gpu/MANIFEST.json
import hashlib, json, os, sys, time
commit, dirty, tracked, carried, gover = sys.argv[1:6]
files = {}
for d, _, names in os.walk(".gpu"):
    for n in sorted(names):
        p = os.path.join(d, n)
        if p == ".gpu/MANIFEST.json" or p.startswith(".gpu/out"):
            continue
        with open(p, "rb") as f:
            files[p] = {"bytes": os.path.getsize(p), "sha256": hashlib.sha256(f.read()).hexdigest()}
json.dump({"commit": commit, "uncommitted_changes": int(dirty), "go": gover, "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "tracked_bytes": int(tracked), "carried_bytes": int(carried), "files": dict(sorted(files.items()))}, sys.stdout, indent=1)
print()
EOF
ls -l .gpu/bin
awk -v c="$carried" -v t="$tracked" 'BEGIN {
	printf "gpu_build: .gpu/ holds %.1f MiB, tracked files %.1f MiB: %.1f MiB of the 64 MiB that may travel\n", c / 1048576, t / 1048576, (c + t) / 1048576 }'
if ((total > limit - 2 * 1024 * 1024)); then
	echo "gpu_build: too close to the device tool's 64 MiB limit; drop references or binaries" >&2
	exit 1
fi
[[ $dirty == 0 ]] || echo "gpu_build: warning: built from a checkout with $dirty uncommitted change(s) to tracked files"
cat <<EOF
gpu_build: done. Dry run here:   GPU_RUN_DRY=1 scripts/gpu_run.sh
gpu_build: device call:          run(command="bash scripts/gpu_run.sh", carry=[".gpu"], timeout_s=540)
EOF
