// Package download fetches the real networks and datasets gotl's tutorials
// can use online: Inception v3, MobileNet v1 1.0/224 and TensorFlow's
// flower_photos (the registry: Resources).
//
//	f, err := download.Fetch(download.InceptionV3, "", &download.FetchOptions{Progress: nb.Bars})
//	g, err := graphfile.Load(f.Frozen())
//	info := f.Resource.Model // tensors and preprocessing, a zoo.ModelInfo like zoo.TinyNetInfo
//
// Fetch downloads an archive once into gotl's cache (DefaultDir, under
// zoo.CacheDir), verifies its SHA-256 against a pin (GOTL_SHA256_<NAME>, see
// PinEnv) or, without one, against the sum recorded on the first download
// (trust on first use), and extracts it safely: no member outside the
// directory, no links or devices, bounded sizes and counts. Interrupted or
// rejected downloads and extractions leave nothing behind.
//
// It is a package of its own, beside zoo rather than inside it, because it
// brings in net/http and crypto/tls: every notebook cell that uses TinyNet
// would otherwise link them (0.3–0.4 s more CPU per cell, docs/benchmarks.md).
package download
