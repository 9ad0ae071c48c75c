package dataset

import (
	"fmt"
	"math/rand/v2"
)

// Distortions are retrain.py's training-time image distortions, with its
// flag names and meanings. The zero value distorts nothing.
type Distortions struct {
	// FlipLeftRight mirrors half of the images horizontally (--flip_left_right).
	FlipLeftRight bool
	// RandomCrop is the total margin, in percent, around the crop box
	// (--random_crop): the image is first enlarged by 1+RandomCrop/100, then a
	// box of the input size is cut at a random position.
	RandomCrop float64
	// RandomScale enlarges the image by a random factor in
	// [1, 1+RandomScale/100) before the crop (--random_scale).
	RandomScale float64
	// RandomBrightness multiplies every value by a random factor in
	// [1-RandomBrightness/100, 1+RandomBrightness/100) (--random_brightness).
	RandomBrightness float64
}

// Enabled reports whether any distortion is on (retrain.py's
// should_distort_images). Distorted images bypass the bottleneck cache.
func (d Distortions) Enabled() bool {
	return d.FlipLeftRight || d.RandomCrop != 0 || d.RandomScale != 0 || d.RandomBrightness != 0
}

// Validate rejects negative percentages and brightness of 100% or more.
func (d Distortions) Validate() error {
	if d.RandomCrop < 0 || d.RandomScale < 0 || d.RandomBrightness < 0 {
		return fmt.Errorf("dataset: distortion percentages must be >= 0 (crop %g, scale %g, brightness %g)", d.RandomCrop, d.RandomScale, d.RandomBrightness)
	}
	if d.RandomBrightness >= 100 {
		return fmt.Errorf("dataset: random brightness %g%% would allow factors <= 0", d.RandomBrightness)
	}
	return nil
}

// Apply distorts the decoded image src (values in [0, 255]) into an image of
// height×width, following retrain.py's add_input_distortions: resize the
// original to scale·(height, width), where scale = (1+crop%)·U[1, 1+scale%),
// truncated to integers; crop height×width at a uniform random offset; flip
// with probability ½ when FlipLeftRight; multiply by U[1-b%, 1+b%).
// Normalisation (mean/std) comes after, as in retrain.py.
func (d Distortions) Apply(src *FloatImage, height, width int, rng *rand.Rand) *FloatImage {
	margin := float32(1 + d.RandomCrop/100)
	resizeScale := float32(1 + d.RandomScale/100)
	scale := margin * (1 + (resizeScale-1)*rng.Float32())
	preH := max(int(scale*float32(height)), height)
	preW := max(int(scale*float32(width)), width)
	pre := Resize(src, preH, preW)
	oy := rng.IntN(preH - height + 1)
	ox := rng.IntN(preW - width + 1)
	flip := d.FlipLeftRight && rng.IntN(2) == 1
	lo := float32(1 - d.RandomBrightness/100)
	hi := float32(1 + d.RandomBrightness/100)
	bright := lo + (hi-lo)*rng.Float32()
	out := NewFloatImage(height, width)
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			sx := ox + x
			if flip {
				sx = ox + width - 1 - x
			}
			s := ((oy+y)*preW + sx) * 3
			o := (y*width + x) * 3
			out.Pix[o] = pre.Pix[s] * bright
			out.Pix[o+1] = pre.Pix[s+1] * bright
			out.Pix[o+2] = pre.Pix[s+2] * bright
		}
	}
	return out
}
