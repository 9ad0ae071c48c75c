// Package dataset reads labelled image folders the way TensorFlow's
// retrain.py does, decodes and resizes images for a model's input, applies
// retrain.py's training distortions, and generates synthetic image datasets
// for offline tests and tutorials.
//
// # Image folders and the stable split
//
// An image folder has one sub-folder per class; the class's label is the
// folder name lower-cased with every run of characters other than a-z and 0-9
// replaced by one space ("Sun_Flowers" → "sun flowers"). Classes are in sorted
// folder order, which defines the class indices.
//
// Each image goes to the training, validation or testing split by a hash of
// its path, so adding images never moves existing ones between splits.
// LoadFolder reproduces retrain.py exactly: the path string is the image
// directory as given, joined (Python os.path.join style) with the class folder
// and the file name; anything from the first "_nohash_" on is removed (so
// near-duplicates named x_nohash_1.jpg and x_nohash_2.jpg land together);
// the SHA-1 of that string, read as a big-endian integer, modulo 2^27, times
// 100/(2^27-1), is a percentage; below ValidationPercentage means validation,
// below ValidationPercentage+TestingPercentage means testing, else training.
// Because the directory string is part of the hash, "flowers" and
// "./flowers" give different splits, in TensorFlow as here.
//
//	f, err := dataset.LoadFolder("flower_photos", dataset.DefaultFolderOptions())
//	for _, img := range f.Split(dataset.Validation) { … }
//
// # Decoding, resizing, normalising
//
// Load decodes JPEG, PNG or GIF into a float RGB image with values in
// [0, 255]; Resize is TensorFlow's resize_bilinear with align_corners=false
// and the legacy (not half-pixel) centres, the resize retrain.py and
// label_image use; Preprocess.Apply does decode → resize → (x-mean)/std.
//
// Images follow gotl's resource policy (helpers/limits): only regular files
// are listed and read (a FIFO or a link to a device in an image folder is an
// error, not a hang), and an image's declared size is checked against
// limits.ImagePixels before it is decoded.
//
// # Distortions
//
// Distortions mirrors retrain.py's flags with the same meanings: RandomCrop
// and RandomScale are percentages that enlarge the image before a random
// crop back to the input size, FlipLeftRight mirrors half of the images, and
// RandomBrightness multiplies pixels by a factor within ±that percentage.
// They draw from a caller-supplied *rand.Rand, so runs are reproducible.
//
// # Synthetic data
//
// Synthetic draws images of visually distinct classes (coloured discs,
// squares, stripes, checkerboards, rings, crosses, triangles, dots) at random
// positions and sizes with noise, deterministically from a seed;
// WriteSynthetic saves them as an image folder that LoadFolder reads, and
// WriteSyntheticClasses a folder of chosen classes only (TinyNet's transfer
// targets, say), written whole or not at all.
package dataset
