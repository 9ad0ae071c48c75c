package tfjpeg_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"github.com/gotl/gotl/helpers/tfjpeg"
)

func Example() {
	// Any JPEG file's bytes; here one made by Go's encoder.
	m := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 160; x++ {
			m.Set(x, y, color.RGBA{uint8(x), uint8(2 * y), uint8(x * y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, nil); err != nil {
		panic(err)
	}

	// TensorFlow's defaults: the file's channels, INTEGER_FAST.
	img, err := tfjpeg.Decode(buf.Bytes(), tfjpeg.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(img.Height, img.Width, img.Channels)

	// DecodeJpeg(channels=1, ratio=2, dct_method="INTEGER_ACCURATE").
	small, err := tfjpeg.Decode(buf.Bytes(), tfjpeg.Options{Channels: 1, Ratio: 2, DCTMethod: tfjpeg.IntegerAccurate})
	if err != nil {
		panic(err)
	}
	fmt.Println(small.Height, small.Width, small.Channels)

	// A file cut short is refused, as TensorFlow does by default.
	_, err = tfjpeg.Decode(buf.Bytes()[:buf.Len()*3/4], tfjpeg.Options{})
	fmt.Println(err)
	// Output:
	// 120 160 3
	// 60 80 1
	// tfjpeg: truncated JPEG: data ends after 78 of 120 rows
}
