package graphrun

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // DecodeJpeg in TF also accepts GIF and PNG via DecodeImage
	_ "image/png"

	nodepb "github.com/galeone/tensorflow/tensorflow/go/core/framework/node_def_go_proto"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/helpers/tensor"
	"github.com/gotl/gotl/helpers/tfjpeg"
)

// DecodeImage decodes a JPEG, PNG or GIF file into a uint8 tensor shaped
// [height, width, channels], like TF's DecodeJpeg/DecodeImage with default
// attributes. channels is 1 (gray), 3 (RGB) or 0 (1 for gray files, 3
// otherwise). JPEG pixels are exactly TensorFlow's (package tfjpeg).
func DecodeImage(data []byte, channels int) (*tensor.Tensor, error) {
	return DecodeJPEGWith(data, tfjpeg.Options{Channels: channels})
}

// DecodeJPEGWith is DecodeImage with all of DecodeJpeg's attributes; for
// PNG and GIF files only opts.Channels applies.
func DecodeJPEGWith(data []byte, opts tfjpeg.Options) (*tensor.Tensor, error) {
	if len(data) >= 2 && data[0] == 0xFF && data[1] == 0xD8 {
		cfg, err := tfjpeg.DecodeConfig(data)
		if err != nil {
			return nil, fmt.Errorf("graphrun: decoding image: %w", err)
		}
		if err := limits.CheckImage("jpeg", cfg.Width, cfg.Height); err != nil {
			return nil, fmt.Errorf("graphrun: %w", err)
		}
		img, err := tfjpeg.Decode(data, opts)
		if err != nil {
			return nil, fmt.Errorf("graphrun: decoding image: %w", err)
		}
		return tensor.FromRaw(tensor.Uint8, []int64{int64(img.Height), int64(img.Width), int64(img.Channels)}, img.Pix)
	}
	return decodeOther(data, opts.Channels)
}

// decodeOptions reads a DecodeJpeg (or DecodeImage/DecodePng) node's
// attributes as TensorFlow's kernel does.
func decodeOptions(n *nodepb.NodeDef) (tfjpeg.Options, error) {
	o := tfjpeg.Options{Channels: int(attrInt(n, "channels", 0))}
	if n.Op != "DecodeJpeg" {
		return o, nil
	}
	o.Ratio = int(attrInt(n, "ratio", 1))
	o.DCTMethod = attrString(n, "dct_method", "")
	o.NoFancyUpscaling = !attrBool(n, "fancy_upscaling", true)
	o.TryRecoverTruncated = attrBool(n, "try_recover_truncated", false)
	o.AcceptableFraction = attrFloat(n, "acceptable_fraction", 1)
	if o.AcceptableFraction <= 0 {
		o.AcceptableFraction = -1 // tfjpeg's spelling of "any fraction"
	}
	if o.Ratio != 1 && o.Ratio != 2 && o.Ratio != 4 && o.Ratio != 8 {
		return o, fmt.Errorf("DecodeJpeg %s: ratio %d must be 1, 2, 4 or 8", n.Name, o.Ratio)
	}
	if o.DCTMethod != "" && o.DCTMethod != tfjpeg.IntegerFast && o.DCTMethod != tfjpeg.IntegerAccurate {
		return o, fmt.Errorf("DecodeJpeg %s: dct_method %q must be \"\", INTEGER_FAST or INTEGER_ACCURATE", n.Name, o.DCTMethod)
	}
	return o, nil
}

// decodeForNode decodes a file as the Decode* node n would.
func decodeForNode(n *nodepb.NodeDef, data []byte) (*tensor.Tensor, error) {
	o, err := decodeOptions(n)
	if err != nil {
		return nil, fmt.Errorf("graphrun: %w", err)
	}
	return DecodeJPEGWith(data, o)
}

// decodeOther decodes PNG and GIF with Go's decoders.
func decodeOther(data []byte, channels int) (*tensor.Tensor, error) {
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
