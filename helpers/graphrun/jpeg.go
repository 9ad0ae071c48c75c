package graphrun

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // DecodeJpeg in TF also accepts GIF and PNG via DecodeImage
	_ "image/jpeg" // the common case
	_ "image/png"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
)

// DecodeImage decodes a JPEG, PNG or GIF file into a uint8 tensor shaped
// [height, width, channels], like TF's DecodeJpeg/DecodeImage. channels is
// 1 (gray), 3 (RGB) or 0 (1 for gray files, 3 otherwise).
//
// Go's JPEG decoder is not libjpeg: pixel values can differ by a few units
// from TensorFlow's DecodeJpeg (different IDCT and chroma upsampling), so
// classification scores differ slightly from TF's.
func DecodeImage(data []byte, channels int) (*tensor.Tensor, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("graphrun: decoding image: %v", err)
	}
	if err := limits.CheckImage(format, cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("graphrun: decoding image: %v", err)
	}
	if channels == 0 {
		channels = 3
		if _, gray := img.(*image.Gray); gray {
			channels = 1
		}
	}
	if channels != 1 && channels != 3 {
		return nil, fmt.Errorf("graphrun: decoding image: %d channels requested (1 or 3 supported)", channels)
	}
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	out := make([]byte, h*w*channels)
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if channels == 1 {
				out[i] = color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
				i++
				continue
			}
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			out[i], out[i+1], out[i+2] = c.R, c.G, c.B
			i += 3
		}
	}
	return tensor.FromRaw(tensor.Uint8, []int64{int64(h), int64(w), int64(channels)}, out)
}
