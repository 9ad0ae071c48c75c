#!/usr/bin/env bash
# gpu_env.sh — find a PJRT CUDA plugin and the CUDA libraries for GoMLX's XLA
# backend inside an existing Python installation (JAX's pip packages), with
# no download. Sourced by scripts/gpu_run.sh and scripts/gpu_check.sh;
# run directly it only prints what it finds:
#
#   scripts/gpu_env.sh            # key=value lines; exit 0 if a plugin was found, 3 if not
#   scripts/gpu_env.sh --exports  # the same as shell export lines
#
# What it looks for, in this order:
#   plugin          $GPU_PLUGIN if set; else jax_plugins/xla_cuda13 (then
#                   xla_cuda12)/xla_cuda_plugin.so in each Python's
#                   site-packages (importlib finds the package; a find
#                   over the site-packages directories backs it up); else
#                   go-xla's own layout (~/.local/lib/go-xla/nvidia/
#                   pjrt_c_api_cuda_plugin.so, /usr/local/lib/go-xla/…);
#                   else a bounded find under $GPU_SEARCH_ROOTS.
#   libraries       every site-packages/nvidia/*/lib (cuBLAS, cuDNN, …)
#                   holding shared objects, for LD_LIBRARY_PATH; and the
#                   directory of libcuda.so.1 if the loader does not know it.
#   cuda_data_dir   a directory with nvvm/libdevice (and, preferably,
#                   bin/ptxas) for XLA_FLAGS=--xla_gpu_cuda_data_dir:
#                   $CUDA_HOME, site-packages/nvidia/cu13 (cu12, cuda_nvcc),
#                   /usr/local/cuda*, the nvcc on PATH.
#
# Inputs (all optional): GPU_PYTHONS (space-separated interpreters whose
# site-packages to search; default: python3 on PATH, /opt/torch/.venv/bin/python3,
# /usr/bin/python3), GPU_SITE_PACKAGES (":"-separated directories used
# instead of asking the interpreters — tests point it at a fake tree),
# GPU_SEARCH_ROOTS (space-separated roots of the last-resort find; default
# "/opt /usr/local /usr/lib /root/.local"; empty to skip).
#
# Outputs of gpu_env_find: GPU_PLUGIN, GPU_PLUGIN_HOW, GPU_SITES (":"-list),
# GPU_LD_PATH (":"-list), GPU_CUDA_DATA_DIR, GPU_PTXAS, GPU_LIBCUDA.

# gpu_env_sites prints the candidate site-packages directories, one a line.
gpu_env_sites() {
	if [[ -n ${GPU_SITE_PACKAGES:-} ]]; then
		tr ':' '\n' <<<"$GPU_SITE_PACKAGES"
		return
	fi
	local py pythons=${GPU_PYTHONS:-"python3 /opt/torch/.venv/bin/python3 /usr/bin/python3"}
	for py in $pythons; do
		command -v "$py" >/dev/null 2>&1 || continue
		# importlib finds the plugin package wherever this interpreter would
		# import it from; site and sys.path give the directories to search.
		"$py" - <<-'EOF' 2>/dev/null
			import importlib.util, os, site, sys
			dirs = []
			for name in ("jax_plugins.xla_cuda13", "jax_plugins.xla_cuda12"):
			    try:
			        spec = importlib.util.find_spec(name)
			    except Exception:
			        spec = None
			    for d in (spec.submodule_search_locations or []) if spec else []:
			        dirs.append(os.path.dirname(os.path.dirname(d)))  # .../site-packages
			try:
			    dirs += site.getsitepackages()
			except Exception:
			    pass
			try:
			    dirs.append(site.getusersitepackages())
			except Exception:
			    pass
			dirs += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
			for d in dirs:
			    if os.path.isdir(d):
			        print(os.path.realpath(d))
		EOF
	done
}

# gpu_env_roots prints the roots of the last-resort find: $GPU_SEARCH_ROOTS,
# or the default list when it is unset.
gpu_env_roots() {
	echo "${GPU_SEARCH_ROOTS-/opt /usr/local /usr/lib /root/.local}"
}

# gpu_env_find sets the GPU_* variables above (empty when not found).
gpu_env_find() {
	GPU_PLUGIN=${GPU_PLUGIN:-} GPU_PLUGIN_HOW="" GPU_LD_PATH="" GPU_CUDA_DATA_DIR="" GPU_PTXAS="" GPU_LIBCUDA=""
	local -a sites=()
	local d f seen=":"
	while IFS= read -r d; do
		[[ -n $d && -d $d && $seen != *":$d:"* ]] || continue
		seen+="$d:"
		sites+=("$d")
	done < <(gpu_env_sites)
	GPU_SITES=$(IFS=:; echo "${sites[*]}")

	if [[ -n $GPU_PLUGIN ]]; then
		if [[ -f $GPU_PLUGIN ]]; then GPU_PLUGIN_HOW="GPU_PLUGIN"; else GPU_PLUGIN_HOW="GPU_PLUGIN names no file"; GPU_PLUGIN=""; fi
	fi
	local cuda
	for cuda in xla_cuda13 xla_cuda12; do
		[[ -z $GPU_PLUGIN ]] || break
		for d in "${sites[@]}"; do
			if [[ -f $d/jax_plugins/$cuda/xla_cuda_plugin.so ]]; then
				GPU_PLUGIN=$d/jax_plugins/$cuda/xla_cuda_plugin.so GPU_PLUGIN_HOW="site-packages ($cuda)"
				break
			fi
		done
	done
	if [[ -z $GPU_PLUGIN && ${#sites[@]} -gt 0 ]]; then
		f=$(find "${sites[@]}" -maxdepth 4 \( -name xla_cuda_plugin.so -o -name pjrt_c_api_cuda_plugin.so \) -type f 2>/dev/null | sort -r | head -n 1)
		[[ -z $f ]] || GPU_PLUGIN=$f GPU_PLUGIN_HOW="find in site-packages"
	fi
	if [[ -z $GPU_PLUGIN ]]; then
		for f in "${HOME:-/root}/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so" /usr/local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so \
			"${HOME:-/root}/.local/lib/go-xla/pjrt_c_api_cuda_plugin.so" /usr/local/lib/go-xla/pjrt_c_api_cuda_plugin.so; do
			if [[ -f $f ]]; then GPU_PLUGIN=$f GPU_PLUGIN_HOW="go-xla layout"; break; fi
		done
	fi
	local -a roots=()
	local roots_spec
	roots_spec=$(gpu_env_roots)
	for d in $roots_spec; do [[ -d $d ]] && roots+=("$d"); done
	if [[ -z $GPU_PLUGIN && ${#roots[@]} -gt 0 ]]; then
		f=$(timeout 60 find "${roots[@]}" -xdev -maxdepth 9 \( -name xla_cuda_plugin.so -o -name pjrt_c_api_cuda_plugin.so \) -type f 2>/dev/null | sort -r | head -n 1)
		[[ -z $f ]] || GPU_PLUGIN=$f GPU_PLUGIN_HOW="find under $roots_spec"
		# The plugin's own site-packages holds the nvidia/ libraries.
		if [[ -n $f && $f == */jax_plugins/*/* ]]; then
			d=${f%/jax_plugins/*}
			[[ $seen == *":$d:"* ]] || { sites+=("$d"); seen+="$d:"; GPU_SITES+="${GPU_SITES:+:}$d"; }
		fi
	fi

	# Libraries: site-packages/nvidia/<package>/lib, e.g. nvidia/cu13/lib, nvidia/cudnn/lib.
	local -a libs=()
	for d in "${sites[@]}"; do
		for f in "$d"/nvidia/*/lib "$d"/nvidia/*/lib64; do
			[[ -d $f ]] && compgen -G "$f/*.so*" >/dev/null && libs+=("$f")
		done
	done
	GPU_LD_PATH=$(IFS=:; echo "${libs[*]}")
	if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
		GPU_LIBCUDA=$(ldconfig -p | awk '/libcuda\.so\.1 / {print $NF; exit}')
	else
		for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/cuda/compat; do
			if [[ -e $d/libcuda.so.1 ]]; then
				GPU_LIBCUDA=$d/libcuda.so.1
				GPU_LD_PATH+="${GPU_LD_PATH:+:}$d"
				break
			fi
		done
	fi

	# ptxas and libdevice for XLA's PTX compilation.
	local -a cands=()
	[[ -n ${CUDA_HOME:-} ]] && cands+=("$CUDA_HOME")
	[[ -n ${CUDA_PATH:-} ]] && cands+=("$CUDA_PATH")
	for d in "${sites[@]}"; do cands+=("$d/nvidia/cu13" "$d/nvidia/cuda_nvcc" "$d/nvidia/cu12"); done
	cands+=(/usr/local/cuda /usr/local/cuda-13* /usr/local/cuda-12*)
	if f=$(command -v nvcc 2>/dev/null); then cands+=("$(dirname "$(dirname "$(readlink -f "$f")")")"); fi
	local with_libdevice=""
	for d in "${cands[@]}"; do
		compgen -G "$d/nvvm/libdevice/libdevice*.bc" >/dev/null || continue
		[[ -n $with_libdevice ]] || with_libdevice=$d
		if [[ -x $d/bin/ptxas ]]; then GPU_CUDA_DATA_DIR=$d; break; fi
	done
	GPU_CUDA_DATA_DIR=${GPU_CUDA_DATA_DIR:-$with_libdevice}
	if [[ -n $GPU_CUDA_DATA_DIR && -x $GPU_CUDA_DATA_DIR/bin/ptxas ]]; then
		GPU_PTXAS=$GPU_CUDA_DATA_DIR/bin/ptxas
	else
		GPU_PTXAS=$(command -v ptxas 2>/dev/null || true)
	fi
	[[ -n $GPU_PLUGIN ]]
}

# gpu_env_print writes what gpu_env_find found as key=value lines.
gpu_env_print() {
	printf 'plugin=%s\nplugin_how=%s\nsites=%s\nld_library_path=%s\ncuda_data_dir=%s\nptxas=%s\nlibcuda=%s\n' \
		"$GPU_PLUGIN" "$GPU_PLUGIN_HOW" "$GPU_SITES" "$GPU_LD_PATH" "$GPU_CUDA_DATA_DIR" "$GPU_PTXAS" "$GPU_LIBCUDA"
}

# gpu_env_export sets the environment GoMLX's XLA backend needs to use the
# plugin found: GOMLX_BACKEND=xla:<plugin> (unless already set),
# GOMLX_NO_AUTO_INSTALL, LD_LIBRARY_PATH, XLA_FLAGS and PATH for ptxas.
gpu_env_export() {
	if [[ -n $GPU_PLUGIN ]]; then export GOMLX_BACKEND=${GOMLX_BACKEND:-xla:$GPU_PLUGIN}; fi
	export GOMLX_NO_AUTO_INSTALL=1
	# go-xla v0.1.4 warns about a missing nvidia/ beside the plugin (JAX's
	# layout keeps it two levels up, where the plugin's RPATH looks).
	export GOPJRT_CUDA_CHECKS=0
	[[ -z $GPU_LD_PATH ]] || export LD_LIBRARY_PATH="$GPU_LD_PATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	if [[ -n $GPU_CUDA_DATA_DIR && ${XLA_FLAGS:-} != *--xla_gpu_cuda_data_dir* ]]; then
		export XLA_FLAGS="--xla_gpu_cuda_data_dir=$GPU_CUDA_DATA_DIR${XLA_FLAGS:+ $XLA_FLAGS}"
	fi
	if [[ -n $GPU_PTXAS ]]; then
		PATH="$(dirname "$GPU_PTXAS"):$PATH"
		export PATH
	fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -uo pipefail
	found=0
	gpu_env_find || found=3
	if [[ ${1:-} == --exports ]]; then
		gpu_env_export
		printf 'export %s=%q\n' GOMLX_BACKEND "${GOMLX_BACKEND:-}" GOMLX_NO_AUTO_INSTALL 1 GOPJRT_CUDA_CHECKS 0 \
			LD_LIBRARY_PATH "${LD_LIBRARY_PATH:-}" XLA_FLAGS "${XLA_FLAGS:-}" PATH "$PATH"
	else
		gpu_env_print
	fi
	[[ $found == 0 ]] || echo "gpu_env: no PJRT CUDA plugin (xla_cuda_plugin.so or pjrt_c_api_cuda_plugin.so) found; searched: ${GPU_SITES:-no site-packages} and $(gpu_env_roots)" >&2
	exit $found
fi
