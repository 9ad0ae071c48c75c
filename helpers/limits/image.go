package limits

import (
	"fmt"
	"image"
	"image/color"
)

// CheckImage checks an image's header dimensions (from image.DecodeConfig,
// before decoding) against ImagePixels. format names the file format in
// the message ("png").
func CheckImage(format string, width, height int) error {
	if width <= 0 || height <= 0 {
		return fmt.Errorf("%s image of %dx%d pixels is empty", format, width, height)
	}
	return ImagePixels.Check(int64(width)*int64(height), fmt.Sprintf("%s image of %dx%d pixels", format, width, height))
}

// DecodeBytes estimates the peak memory of decoding an image with header
// cfg and converting it to outBytesPerPixel bytes per pixel: Go's decoders
// hold the whole decoded image (1 byte per pixel for gray or paletted
// images, up to 8 for 16-bit RGBA) while the converted copy is written (12
// bytes per pixel for float32 RGB, 3 for uint8 RGB). Budgets are charged
// with it.
func DecodeBytes(cfg image.Config, outBytesPerPixel int) int64 {
	px := int64(max(cfg.Width, 0)) * int64(max(cfg.Height, 0))
	return px * int64(decodedBytesPerPixel(cfg.ColorModel)+outBytesPerPixel)
}

func decodedBytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4; subsampled JPEGs take less
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // unknown models: the largest standard pixel
}
