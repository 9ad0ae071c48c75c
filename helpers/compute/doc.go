// Package compute is gotl's compute layer over GoMLX v0.26.0: it picks the
// backend (pure Go by default, XLA on request), fills the pure-Go backend's
// gaps so that networks can be trained on it, and provides TensorFlow ops
// with TensorFlow's exact semantics as graph-level functions for the
// GraphDef converter and for hand-written models.
//
// # Backends
//
// Backend returns the process-wide backend; NewBackend makes another from a
// configuration string. Without $GOMLX_BACKEND the choice is DefaultConfig,
// "go:ops_sequential": GoMLX's pure-Go backend (simplego), never the XLA
// auto-installer, which would try to download a plugin. Set
//
//	GOMLX_BACKEND=go                      pure Go (ops_sequential is added)
//	GOMLX_BACKEND=xla:cuda                XLA with an installed CUDA PJRT plugin
//	GOMLX_BACKEND=xla:cpu                 XLA with an installed CPU plugin
//	GOMLX_BACKEND=xla:/abs/path/plugin.so XLA with exactly this plugin file
//
// gotl never downloads PJRT plugins implicitly (it disables go-xla's
// auto-install; `gotl xla-install` is the explicit way). To use a plugin
// that is already on disk, offline:
//
//   - Point at the file: GOMLX_BACKEND=xla:/abs/path/pjrt_c_api_cuda_plugin.so
//     (any file name works with an absolute path, e.g. JAX's
//     xla_cuda_plugin.so from the jax-cuda13-pjrt wheel).
//   - Or make it discoverable: name it pjrt_c_api_cuda_plugin.so in a
//     directory listed in PJRT_PLUGIN_LIBRARY_PATH (":"-separated; default
//     search: ~/.local/lib/go-xla, ~/.local/lib/go-xla/nvidia,
//     /usr/local/lib/go-xla, …, $LD_LIBRARY_PATH) and use xla:cuda.
//   - The CUDA plugin needs the NVIDIA libraries (cuBLAS, cuDNN, …) beside it
//     (go-xla's layout: .../go-xla/nvidia/) and ptxas/libdevice: set
//     XLA_FLAGS=--xla_gpu_cuda_data_dir=<dir with bin/ptxas and
//     nvvm/libdevice>. go-xla v0.1.4 otherwise sets that flag to a path from
//     its author's machine when it finds a sibling nvidia/ directory.
//   - GOMLX_NO_AUTO_INSTALL=1 does the same as gotl's default for programs
//     that use GoMLX directly.
//   - scripts/gpu_env.sh finds JAX's plugin, the NVIDIA libraries and the
//     ptxas/libdevice directory in a Python installation and prints these
//     settings.
//
// IsGPU, IsPureGo and Describe (one line for notebooks) tell what a backend
// is. Builds with -tags noxla leave XLA (and cgo) out.
//
// # Gaps filled on the pure-Go backend
//
// simplego v0.26.0 runs CNN inference but cannot train through a
// convolution, pooling or slice. The backend returned for "go" wraps it and
// implements, from ops it does have: Pad and Reverse (used by the slice and
// conv gradients), SelectAndScatterMax/Min (the MaxPool gradient),
// BatchNormForInference, DynamicSlice and DynamicUpdateSlice; it fills the
// nil strides/dilations that simplego's ConvGeneral and Slice reject; and
// it rewrites windowed scatters as point scatters, because simplego's
// scatter misplaces windows narrower than the operand (which made the
// gradients of Gather along inner axes and of bilinear Interpolate wrong). Tensors belong to one backend
// instance, so use only the returned backend. ops_sequential avoids a
// deadlock of simplego's parallel op scheduler on large backward graphs.
//
// Importing the package also installs gradients GoMLX lacks or computes
// wastefully, on every backend: Rsqrt and Reverse (missing); Dot /
// DotGeneral as two matrix products instead of materialising the [M,K,N]
// broadcast product (which needed three 341 MB tensors for one Inception
// layer and ran out of memory at 24 GB for Inception v3 fine-tuning); and
// ConvGeneral, whose stock gradient rejects common TF geometries (dilated
// or strided SAME convolutions).
//
// # TensorFlow ops
//
// Conv2D, DepthwiseConv2dNative, MaxPool, AvgPool, BiasAdd,
// BatchNormWithGlobalNormalization, FusedBatchNormInference,
// FusedBatchNormTraining, Relu6, MatMul, Pad, StridedSlice and
// ResizeBilinear take and
// return *graph.Node with TF's attribute conventions (ConvAttrs, PoolAttrs
// mirror the GraphDef attributes; empty means TF's default) and TF's
// numerics: SAME padding with the odd element at the bottom/right, AvgPool
// dividing by the number of real elements, MaxPool gradients to the first
// maximum. Bad attributes or shapes give an error naming the op.
//
// On the pure-Go backend with the CPU fast path active (below), float32
// Conv2D, depthwise convolutions (channel multiplier 1) and pooling are
// single ops (ConvGeneral, grouped ConvGeneral, ReduceWindow) that the fast
// executors compute directly. Otherwise Conv2D is lowered to im2col
// (strided slices concatenated on channels) + one matrix product, and
// depthwise convolution to a sum of shifted slices times per-channel
// weights: several times faster forward than simplego's ConvGeneral (a
// single-threaded direct loop), and far faster backward (see BenchmarkConv).
// On XLA Conv2D uses graph.Convolve; depthwise convolutions stay lowered
// there, because GoMLX's grouped-convolution gradient builds one
// convolution per channel. ConvAttrs.Impl overrides the choice. All ops are
// differentiable (checked against finite differences in the tests).
//
// # CPU fast path
//
// GoMLX v0.26.0's pure-Go executors run a network at 1–10 % of the
// machine's SGEMM speed. When the pure-Go backend is created, gotl replaces
// some of them (internal/fastpath, through //go:linkname into simplego's
// executor table, after checking with reflect the layout of every GoMLX
// struct it reads; on a mismatch it installs nothing and says so in one
// line) with float32 kernels in generated Go assembly (internal/kernels):
// matrix products in every axis layout, convolutions as implicit GEMM
// (forward, input and filter gradients), depthwise convolutions and their
// gradients, elementwise Add/Sub/Mul/Div/Max/Min with per-channel or scalar
// broadcasting, max/sum pooling and the max-pool gradient. Weights that
// are graph constants are packed once per compiled graph (graphrun makes
// the weights of a Model without trainable ones constants). Every other
// case (other dtypes or layouts) runs GoMLX's own executor. AVX-512 or AVX2+FMA is chosen at run
// time (golang.org/x/sys/cpu); CPUs without AVX2+FMA and other
// architectures keep the stock executors. It is pure Go and Go assembly,
// so CGO_ENABLED=0 builds have it too.
//
// $GOTL_FASTPATH controls it: unset or "1" (best level), "0" (GoMLX's
// executors only), "avx2" or "avx512" (force a level). FastPath reports the
// active path, SetFastPath switches at run time, and Describe includes it.
// Results match the stock executors to float32 rounding (different
// summation order, ~1e-6 relative); a padded convolution input multiplies
// the kernel by zero (so an infinite weight gives NaN there, as in TF and
// XLA, where simplego skips the product). Numbers: docs/benchmarks.md.
//
// # Benchmarks
//
//	go test -run XXX -bench . ./helpers/compute/
//	go test -tags openblas -run XXX -bench . ./helpers/compute/   # adds OpenBLAS SGEMM (libopenblas-dev)
//
// report GFLOP/s of simplego's Dot, lowered and native convolutions on
// Inception- and MobileNet-shaped layers, and (with -tags openblas) their
// ratio to OpenBLAS SGEMM measured in the same run, the machine's ceiling.
package compute
