// Package tfjpeg decodes JPEG files into exactly the pixels TensorFlow's
// DecodeJpeg op returns.
//
// TensorFlow decodes with libjpeg-turbo, configured its own way: the fast
// integer inverse DCT by default (dct_method "" or "INTEGER_FAST";
// "INTEGER_ACCURATE" selects the slow one), "fancy" triangle-filter chroma
// upsampling, fixed-point YCbCr→RGB, downscaling by 2, 4 or 8 inside the
// inverse DCT (ratio), and truncated files refused. Go's image/jpeg makes
// other choices (a different IDCT, nearest-neighbour chroma, a different
// colour conversion), which moves pixels of ordinary 4:2:0 photos by up to
// tens of grey levels and a model's scores with them. Decode reproduces
// libjpeg-turbo's integer arithmetic step for step, so a bottleneck cache,
// an exported graph or a classification computed in Go sees the pixels a
// TensorFlow user gets from the same file.
//
// # What is covered
//
// Baseline, extended sequential, progressive and arithmetic-coded files
// (TensorFlow's libjpeg-turbo is built with arithmetic decoding); any
// sampling factors libjpeg-turbo accepts (4:4:4, 4:2:2, 4:2:0, 4:4:0,
// 4:1:1 and others); grayscale, YCbCr, RGB (Adobe transform 0) and
// CMYK/YCCK files (converted to RGB by TensorFlow's own formula); restart
// intervals, with libjpeg's resynchronization on damaged ones; Motion-JPEG
// frames without Huffman tables; channels 0/1/3, ratio 1/2/4/8,
// fancy_upscaling, try_recover_truncated and acceptable_fraction. EXIF
// orientation is ignored, as in TensorFlow.
//
// The choices that decide the pixels, all libjpeg-turbo's:
//
//   - INTEGER_FAST is libjpeg's AA&N transform (jidctfst) and
//     INTEGER_ACCURATE its LL&M one (jidctint). At ratio 2, 4 and 8 luma
//     always uses the reduced transforms (jidctred: 4×4, 2×2, 1×1), whatever
//     dct_method says, and chroma subsampled both ways is rebuilt with a
//     transform twice as large instead of being upsampled.
//   - Upsampling: h2v1 and h2v2 triangle filters, the h1v2 one for 4:4:0,
//     plain replication for other ratios (4:1:1), for a subsampled width of
//     2 samples or less, at ratio 8 and with fancy_upscaling=false.
//   - The transforms follow libjpeg-turbo's SSE2 code, which TensorFlow
//     runs on x86-64: identical to the C code on valid data, and on damaged
//     data with huge coefficients it wraps and saturates the same way.
//
// # Errors
//
// As in TensorFlow (try_recover_truncated false, acceptable_fraction 1), a
// file whose data ends early is refused with a [TruncatedError]; damaged
// entropy-coded data is not an error (libjpeg only warns and decodes it as
// best it can, and so does Decode, with the same result). Every error is
// one line. Decode checks the size the headers announce against
// [Options.MaxValues] (by default TensorFlow's own limit) before
// allocating anything.
//
// # How it is tested
//
// The tests generate a corpus with libjpeg-turbo's cjpeg (every sampling
// factor, qualities 10 to 100, progressive, restart intervals, optimized
// and arithmetic coding, multi-scan, grayscale and RGB files, sizes from
// 1×1 to odd multiples of no MCU) plus the real photos Go and this
// module's dependencies ship, and require djpeg's pixels exactly for both
// DCT methods, every ratio, channels 1 and 3 and fancy_upscaling off; they
// also damage files (truncation, random bytes, flipped bits) and compare
// again. The one known difference: progressive files cut short and decoded
// with TryRecoverTruncated, where libjpeg smooths the blocks whose low
// frequencies were not all received (block smoothing is not implemented;
// the differences seen are up to about 40 grey levels). Partial images of
// truncated files (acceptable_fraction below 1) stop at the row libjpeg
// would have reached, to within one MCU row when the data ends within a
// few bytes of an MCU boundary.
package tfjpeg
