package graphfile

import (
	attrpb "github.com/galeone/tensorflow/tensorflow/go/core/framework/attr_value_go_proto"

	"github.com/gotl/gotl/helpers/tensor"
)

// defaultAttrs holds the defaults TensorFlow's op registry declares
// (REGISTER_OP(...).Attr("name: type = default")) for the attributes that
// graphs written before the attribute existed, or with
// strip_default_attrs, leave out. It covers the ops of image classifiers,
// their training graphs and the usual preprocessing.
var defaultAttrs = func() map[string]map[string]*attrpb.AttrValue {
	nhwc := attrString("NHWC")
	ones4 := attrInts(1, 1, 1, 1)
	none := attrInts()
	conv := map[string]*attrpb.AttrValue{
		"data_format": nhwc, "dilations": ones4, "use_cudnn_on_gpu": attrBool(true), "explicit_paddings": none,
	}
	depthwise := map[string]*attrpb.AttrValue{"data_format": nhwc, "dilations": ones4, "explicit_paddings": none}
	pool := map[string]*attrpb.AttrValue{"data_format": nhwc}
	batchNorm := map[string]*attrpb.AttrValue{
		"epsilon": attrFloat(0.0001), "exponential_avg_factor": attrFloat(1), "data_format": nhwc, "is_training": attrBool(true),
	}
	reduce := map[string]*attrpb.AttrValue{"keep_dims": attrBool(false)}
	seeds := map[string]*attrpb.AttrValue{"seed": attrInt(0), "seed2": attrInt(0)}
	resize := map[string]*attrpb.AttrValue{"align_corners": attrBool(false), "half_pixel_centers": attrBool(false)}
	matmul := map[string]*attrpb.AttrValue{"transpose_a": attrBool(false), "transpose_b": attrBool(false)}
	return map[string]map[string]*attrpb.AttrValue{
		"Conv2D":                              conv,
		"Conv2DBackpropInput":                 conv,
		"Conv2DBackpropFilter":                conv,
		"DepthwiseConv2dNative":               depthwise,
		"DepthwiseConv2dNativeBackpropInput":  depthwise,
		"DepthwiseConv2dNativeBackpropFilter": depthwise,
		"MaxPool":                             pool,
		"MaxPoolV2":                           pool,
		"AvgPool":                             pool,
		"MaxPoolGrad":                         pool,
		"AvgPoolGrad":                         pool,
		"BiasAdd":                             pool,
		"BiasAddGrad":                         pool,
		"FusedBatchNorm":                      batchNorm,
		"FusedBatchNormV2":                    batchNorm,
		"FusedBatchNormV3":                    batchNorm,
		"MatMul":                              matmul,
		"BatchMatMul":                         {"adj_x": attrBool(false), "adj_y": attrBool(false)},
		"BatchMatMulV2":                       {"adj_x": attrBool(false), "adj_y": attrBool(false)},
		"Mean":                                reduce,
		"Sum":                                 reduce,
		"Max":                                 reduce,
		"Min":                                 reduce,
		"Prod":                                reduce,
		"All":                                 reduce,
		"Any":                                 reduce,
		"Squeeze":                             {"squeeze_dims": none},
		"Pack":                                {"axis": attrInt(0)},
		"Unpack":                              {"axis": attrInt(0)},
		"OneHot":                              {"axis": attrInt(-1)},
		"ArgMax":                              {"output_type": attrType(tensor.Int64)},
		"ArgMin":                              {"output_type": attrType(tensor.Int64)},
		"Shape":                               {"out_type": attrType(tensor.Int32)},
		"ShapeN":                              {"out_type": attrType(tensor.Int32)},
		"Size":                                {"out_type": attrType(tensor.Int32)},
		"Cast":                                {"Truncate": attrBool(false)},
		"LeakyRelu":                           {"alpha": attrFloat(0.2)},
		"LRN":                                 {"depth_radius": attrInt(5), "bias": attrFloat(1), "alpha": attrFloat(1), "beta": attrFloat(0.5)},
		"Placeholder":                         {"shape": attrUnknownShape()},
		"ResizeBilinear":                      resize,
		"ResizeNearestNeighbor":               resize,
		"ResizeBicubic":                       resize,
		"RandomUniform":                       seeds,
		"RandomStandardNormal":                seeds,
		"TruncatedNormal":                     seeds,
		"RandomUniformInt":                    seeds,
		"Gather":                              {"validate_indices": attrBool(true)},
		"GatherV2":                            {"batch_dims": attrInt(0)},
		"TopKV2":                              {"sorted": attrBool(true)},
		"ConcatV2":                            {},
		"StridedSlice": {
			"begin_mask": attrInt(0), "end_mask": attrInt(0), "ellipsis_mask": attrInt(0),
			"new_axis_mask": attrInt(0), "shrink_axis_mask": attrInt(0),
		},
		"Dequantize": {"mode": attrString("MIN_COMBINED"), "narrow_range": attrBool(false), "axis": attrInt(-1), "dtype": attrType(tensor.Float)},
		"DecodeJpeg": {
			"channels": attrInt(0), "ratio": attrInt(1), "fancy_upscaling": attrBool(true),
			"try_recover_truncated": attrBool(false), "acceptable_fraction": attrFloat(1), "dct_method": attrString(""),
		},
		"DecodePng":   {"channels": attrInt(0), "dtype": attrType(tensor.Uint8)},
		"DecodeImage": {"channels": attrInt(0), "dtype": attrType(tensor.Uint8), "expand_animations": attrBool(true)},
		"VariableV2":  {"container": attrString(""), "shared_name": attrString("")},
		"Variable":    {"container": attrString(""), "shared_name": attrString("")},
		"VarHandleOp": {"container": attrString(""), "shared_name": attrString(""), "allowed_devices": attrStrings()},
		"Assign":      {"validate_shape": attrBool(true), "use_locking": attrBool(true)},
		"Softmax":     {},
	}
}()

func attrStrings(v ...string) *attrpb.AttrValue {
	l := &attrpb.AttrValue_ListValue{}
	for _, s := range v {
		l.S = append(l.S, []byte(s))
	}
	return &attrpb.AttrValue{Value: &attrpb.AttrValue_List{List: l}}
}
