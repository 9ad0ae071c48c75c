// Package limits is gotl's resource policy: the bounds every reader of
// untrusted input enforces, so that no file, however small or strange, makes
// gotl take gigabytes, hang, or fail silently. A model file, checkpoint,
// image folder or JSON feed may come from anywhere; gotl's promise is that
// reading it costs memory proportional to its size (with a small constant),
// or fails at once with a one-line error that names the file, the limit and
// how to raise it.
//
// # The policy
//
// Each bound is a Limit with a default, an environment variable that
// overrides it (read once, at first use), and Set for programs and tests.
// `gotl limits` prints the values in effect.
//
//	Limit           Default           Variable                  Bounds
//	ProtoDepth      100 levels        GOTL_MAX_PROTO_DEPTH      nesting of protobuf messages, binary and text
//	TensorElements  67,108,864 (2^26) GOTL_MAX_TENSOR_ELEMENTS  elements of any tensor read from input
//	ImagePixels     67,108,864 (2^26) GOTL_MAX_IMAGE_PIXELS     width × height of an image, checked before decoding
//	DecodeMemory    2 GiB             GOTL_DECODE_MEMORY        bytes that concurrent image decodes may hold together
//	FileBytes       2 GiB − 1         GOTL_MAX_FILE_BYTES       size of a file read whole into memory
//	Steps           1,000,000         GOTL_MAX_STEPS            optimizer steps of one run, replayed case or training run
//	HistoryPoints   10,000            GOTL_MAX_HISTORY_POINTS   points a recorded history keeps (decimated beyond)
//
// Values are integers ("100000000", "1e8", "1<<28"), optionally with a
// binary size suffix ("512MiB", "4G"). A value that does not parse, or lies
// outside the limit's range, is ignored (the default stays) and named in
// every error about that limit, and in `gotl limits`.
//
// # Why these numbers
//
// ProtoDepth: protobuf parsers recurse once per nested message, so depth
// costs stack, and a few bytes per level ("z{" repeated) can otherwise
// exhaust a 1 GB goroutine stack in a 6 MB file. 100 is the default of
// protobuf's C++ parser, which TensorFlow uses to read .pb files; the real
// GraphDefs and .meta files of gotl's test data nest 5 to 7 deep. Depth
// counts the messages below the top level. protobuf-go's text parser has no
// limit of its own, so text files are scanned for their depth (every "{" or
// "<" outside strings and comments, map entries included) before they are
// parsed; its binary parser applies the limit itself, without counting map
// entries.
//
// TensorElements: a TensorProto or checkpoint entry declares a shape, and
// TensorFlow repeats the last of a short value list over it, so 200 bytes can
// ask for any number of elements. 2^26 elements is 256 MiB of float32, 32
// times the largest tensor of Inception v3 or MobileNet; VGG-16's first fully
// connected layer (102,760,448 elements) needs GOTL_MAX_TENSOR_ELEMENTS=2e8.
// The count is computed with overflow-checked arithmetic, so a shape such as
// [4294967296, 4294967296] is refused, never wrapped to zero. The same
// bound applies to Const values (inspect and run), tensors computed only
// from Consts when a graph is converted, checkpoint entries (V1 and V2) and
// JSON feeds.
//
// ImagePixels and DecodeMemory: a 100 KB PNG can declare 10240×10240 pixels
// and cost 1.8 GB to decode. Image readers check the header
// (image.DecodeConfig) against ImagePixels before decoding; 2^26 pixels
// (8192×8192) admits every phone and DSLR photo up to 61 megapixels, and
// decoding such an image into float RGB holds about 1 GB (DecodeBytes: 4
// bytes per pixel decoded plus 12 for the float copy; for JPEG,
// tfjpeg.Config.DecodeBytes counts the decoder's planes and, for
// progressive files, its coefficients, and dataset.DecodeBytes combines
// the two). Pipelines that decode in parallel charge such estimates to
// DecodeBudget, a Budget of
// DecodeMemory bytes shared by the process, so that they are bounded by
// memory and not only by cores (an image larger than the whole budget runs
// alone): helpers/bottleneck's extraction, which decodes one image per core,
// does (eight 2000×2000 PNGs on eight workers peaked at 545 MB without it,
// 156 MB with GOTL_DECODE_MEMORY=64MiB). helpers/finetune decodes one image
// at a time; helpers/retrain's distorted training keeps at most DecodeMemory
// bytes of decoded images and decodes the others again when drawn.
//
// FileBytes and regular files: readers open files through Open and ReadFile,
// which refuse anything but a regular file (a FIFO would block forever, a
// symlink to /dev/zero would be read until memory runs out), check the size
// of the opened file (fstat, not a stat of the path that could be swapped),
// and never read more than that size. 2 GiB − 1 is the largest protobuf
// message; larger graph files are invalid whatever the limit says.
//
// Steps and HistoryPoints: optimizer runs cost time per step, and recorded
// trajectories cost memory per point kept. Steps also bounds the steps of
// helpers/retrain and helpers/finetune runs. A recorder keeps every step up to
// HistoryPoints and then every second, fourth, … step (and always the last),
// so a history holds at most about HistoryPoints points, which is what a plot
// or table can show.
//
// Readers report a refused input with an error that wraps ErrExceeded (an
// *ExceededError naming the limit and its variable) or ErrNotRegular.
package limits
