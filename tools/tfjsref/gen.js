// Regenerates gotl's graphrun reference fixtures with TensorFlow.js
// (@tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu 4.22.0, pure JS).
//
// Each case is a tiny TensorFlow graph: a list of nodes in GraphDef terms
// (op, inputs, attributes). This script executes the nodes with the tfjs ops
// that implement those TensorFlow ops, and writes the inputs, the output and,
// for differentiable cases, tfjs's gradient of sum(output * dy) with respect
// to every fed input. The Go tests build the same GraphDef, convert it with
// graphrun and compare.
//
// Usage: npm ci && node gen.js ../../helpers/graphrun/testdata/tfjs
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs'); // its CommonJS bundle registers every gradient
require('@tensorflow/tfjs-backend-cpu');

const outDir = process.argv[2] || path.join(__dirname, '..', '..', 'helpers', 'graphrun', 'testdata', 'tfjs');

// Deterministic inputs: mulberry32 seeded per case and input.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let seedCounter = 1;
function rand(shape, lo = -1, hi = 1) {
  const r = rng(seedCounter++ * 7919);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * r();
  return { dtype: 'float32', shape, values: Array.from(v) };
}
const ints = (values, shape) => ({ dtype: 'int32', shape: shape || [values.length], values });
const scalarInt = (v) => ({ dtype: 'int32', shape: [], values: [v] });

// Attribute helpers, mirrored by the Go test's attribute decoder.
const I = (v) => ({ i: v });
const F = (v) => ({ f: v });
const B = (v) => ({ b: v });
const S = (v) => ({ s: v });
const L = (v) => ({ ints: v });
const T = (v) => ({ type: v });

const a = (attrs, k, def) => (attrs[k] === undefined ? def : Object.values(attrs[k])[0]);
const spatial = (v) => [v[1], v[2]];
function padArg(attrs) {
  const p = a(attrs, 'padding');
  if (p === 'EXPLICIT') {
    const e = a(attrs, 'explicit_paddings');
    return [[e[0], e[1]], [e[2], e[3]], [e[4], e[5]], [e[6], e[7]]];
  }
  return p.toLowerCase();
}
const axisList = (t) => Array.from(t.dataSync());

// TensorFlow op name → tfjs implementation (inputs are tf.Tensors).
const ops = {
  Identity: ([x]) => x.clone(),
  Conv2D: ([x, f], at) => tf.conv2d(x, f, spatial(a(at, 'strides')), padArg(at), 'NHWC', spatial(a(at, 'dilations', [1, 1, 1, 1]))),
  DepthwiseConv2dNative: ([x, f], at) => tf.depthwiseConv2d(x, f, spatial(a(at, 'strides')), padArg(at), 'NHWC', spatial(a(at, 'dilations', [1, 1, 1, 1]))),
  MaxPool: ([x], at) => tf.maxPool(x, spatial(a(at, 'ksize')), spatial(a(at, 'strides')), padArg(at)),
  AvgPool: ([x], at) => tf.avgPool(x, spatial(a(at, 'ksize')), spatial(a(at, 'strides')), padArg(at)),
  FusedBatchNormV3: ([x, s, o, m, v], at) => tf.batchNorm(x, m, v, o, s, a(at, 'epsilon', 1e-4)),
  FusedBatchNorm: ([x, s, o, m, v], at) => tf.batchNorm(x, m, v, o, s, a(at, 'epsilon', 1e-4)),
  BatchNormWithGlobalNormalization: ([x, m, v, beta, gamma], at) =>
    tf.batchNorm(x, m, v, beta, a(at, 'scale_after_normalization') ? gamma : undefined, a(at, 'variance_epsilon')),
  BiasAdd: ([x, b]) => tf.add(x, b),
  MatMul: ([x, y], at) => tf.matMul(x, y, a(at, 'transpose_a', false), a(at, 'transpose_b', false)),
  Softmax: ([x]) => tf.softmax(x),
  LogSoftmax: ([x]) => tf.logSoftmax(x),
  Relu: ([x]) => tf.relu(x),
  Relu6: ([x]) => tf.relu6(x),
  Elu: ([x]) => tf.elu(x),
  LeakyRelu: ([x], at) => tf.leakyRelu(x, a(at, 'alpha', 0.2)),
  Sigmoid: ([x]) => tf.sigmoid(x),
  Tanh: ([x]) => tf.tanh(x),
  Exp: ([x]) => tf.exp(x),
  Log: ([x]) => tf.log(x),
  Sqrt: ([x]) => tf.sqrt(x),
  Rsqrt: ([x]) => tf.rsqrt(x),
  Square: ([x]) => tf.square(x),
  Neg: ([x]) => tf.neg(x),
  Abs: ([x]) => tf.abs(x),
  Floor: ([x]) => tf.floor(x),
  Softplus: ([x]) => tf.softplus(x),
  Add: ([x, y]) => tf.add(x, y),
  AddV2: ([x, y]) => tf.add(x, y),
  AddN: (xs) => tf.addN(xs),
  Sub: ([x, y]) => tf.sub(x, y),
  Mul: ([x, y]) => tf.mul(x, y),
  RealDiv: ([x, y]) => tf.div(x, y),
  Maximum: ([x, y]) => tf.maximum(x, y),
  Minimum: ([x, y]) => tf.minimum(x, y),
  SquaredDifference: ([x, y]) => tf.squaredDifference(x, y),
  Pow: ([x, y]) => tf.pow(x, y),
  Mean: ([x, ax], at) => tf.mean(x, axisList(ax), a(at, 'keep_dims', false)),
  Sum: ([x, ax], at) => tf.sum(x, axisList(ax), a(at, 'keep_dims', false)),
  Max: ([x, ax], at) => tf.max(x, axisList(ax), a(at, 'keep_dims', false)),
  Min: ([x, ax], at) => tf.min(x, axisList(ax), a(at, 'keep_dims', false)),
  Prod: ([x, ax], at) => tf.prod(x, axisList(ax), a(at, 'keep_dims', false)),
  ConcatV2: (xs) => tf.concat(xs.slice(0, -1), xs[xs.length - 1].dataSync()[0]),
  Concat: (xs) => tf.concat(xs.slice(1), xs[0].dataSync()[0]),
  Pack: (xs, at) => tf.stack(xs, a(at, 'axis', 0)),
  Unpack: ([x], at) => tf.unstack(x, a(at, 'axis', 0)),
  Split: ([d, x], at) => tf.split(x, a(at, 'num_split'), d.dataSync()[0]),
  SplitV: ([x, s, d]) => tf.split(x, axisList(s), d.dataSync()[0]),
  StridedSlice: ([x, b, e, s], at) => tf.stridedSlice(x, axisList(b), axisList(e), axisList(s),
    a(at, 'begin_mask', 0), a(at, 'end_mask', 0), a(at, 'ellipsis_mask', 0), a(at, 'new_axis_mask', 0), a(at, 'shrink_axis_mask', 0)),
  Slice: ([x, b, s]) => tf.slice(x, axisList(b), axisList(s)),
  Pad: ([x, p]) => tf.pad(x, tf.reshape(p, [-1, 2]).arraySync()),
  PadV2: ([x, p, c]) => tf.pad(x, tf.reshape(p, [-1, 2]).arraySync(), c.dataSync()[0]),
  Tile: ([x, m]) => tf.tile(x, axisList(m)),
  Transpose: ([x, p]) => tf.transpose(x, axisList(p)),
  Reshape: ([x, s]) => tf.reshape(x, axisList(s)),
  ExpandDims: ([x, d]) => tf.expandDims(x, d.dataSync()[0]),
  Squeeze: ([x], at) => tf.squeeze(x, a(at, 'squeeze_dims', []).length ? a(at, 'squeeze_dims') : undefined),
  ResizeBilinear: ([x, s], at) => tf.image.resizeBilinear(x, axisList(s), a(at, 'align_corners', false), a(at, 'half_pixel_centers', false)),
  Cast: ([x], at) => tf.cast(x, { int32: 'int32', float32: 'float32', bool: 'bool' }[a(at, 'DstT')]),
  ArgMax: ([x, d]) => tf.argMax(x, d.dataSync()[0]),
  Select: ([c, x, y]) => tf.where(c, x, y),
  Greater: ([x, y]) => tf.greater(x, y),
  Fill: ([d, v]) => tf.fill(axisList(d), v.dataSync()[0]),
  BatchMatMulV2: ([x, y], at) => tf.matMul(x, y, a(at, 'adj_x', false), a(at, 'adj_y', false)),
  Div: ([x, y]) => tf.div(x, y),
  // tfjs's floorDiv returns int32 even for floats; TF keeps the float dtype.
  FloorDiv: ([x, y]) => (x.dtype === 'float32' ? tf.floor(tf.div(x, y)) : tf.floorDiv(x, y)),
  FloorMod: ([x, y]) => tf.mod(x, y),
  Equal: ([x, y]) => tf.equal(x, y),
  NotEqual: ([x, y]) => tf.notEqual(x, y),
  Less: ([x, y]) => tf.less(x, y),
  LessEqual: ([x, y]) => tf.lessEqual(x, y),
  GreaterEqual: ([x, y]) => tf.greaterEqual(x, y),
  LogicalAnd: ([x, y]) => tf.logicalAnd(x, y),
  LogicalOr: ([x, y]) => tf.logicalOr(x, y),
  LogicalNot: ([x]) => tf.logicalNot(x),
  SelectV2: ([c, x, y]) => tf.where(c, x, y),
  Log1p: ([x]) => tf.log1p(x),
  Round: ([x]) => tf.round(x),
  Sign: ([x]) => tf.sign(x),
  Sin: ([x]) => tf.sin(x),
  Cos: ([x]) => tf.cos(x),
  Erf: ([x]) => tf.erf(x),
  Reciprocal: ([x]) => tf.reciprocal(x),
  Ceil: ([x]) => tf.ceil(x),
  ZerosLike: ([x]) => tf.zerosLike(x),
  OnesLike: ([x]) => tf.onesLike(x),
  ArgMin: ([x, d]) => tf.argMin(x, d.dataSync()[0]),
  Range: ([s, l, d]) => tf.range(s.dataSync()[0], l.dataSync()[0], d.dataSync()[0], 'int32'),
  Shape: ([x]) => tf.tensor1d(x.shape, 'int32'),
  Size: ([x]) => tf.scalar(x.size, 'int32'),
  Rank: ([x]) => tf.scalar(x.rank, 'int32'),
  StopGradient: ([x]) => x.clone(),
  GatherV2: ([x, i, ax]) => tf.gather(x, i, ax.dataSync()[0]),
  ClipByValue: ([x, lo, hi]) => tf.clipByValue(x, lo.dataSync()[0], hi.dataSync()[0]),
  MirrorPad: ([x, p], at) => tf.mirrorPad(x, tf.reshape(p, [-1, 2]).arraySync(), a(at, 'mode').toLowerCase()),
  Selu: ([x]) => tf.selu(x),
  Snapshot: ([x]) => x.clone(),
};

// run executes nodes over env (name → tensor) and returns the fetch.
function run(nodes, env, fetch) {
  const vals = Object.assign({}, env);
  for (const n of nodes) {
    const ins = n.inputs.map((ref) => {
      const [name, idx] = ref.split(':');
      const v = vals[name];
      if (v === undefined) throw new Error(`${n.name}: unknown input ${ref}`);
      return Array.isArray(v) ? v[Number(idx || 0)] : v;
    });
    const f = ops[n.op];
    if (!f) throw new Error(`no tfjs implementation for ${n.op}`);
    vals[n.name] = f(ins, n.attrs || {});
  }
  const [name, idx] = fetch.split(':');
  const v = vals[name];
  return Array.isArray(v) ? v[Number(idx || 0)] : v;
}

function toJSON(t) {
  const dtype = t.dtype === 'bool' ? 'bool' : t.dtype;
  let values = Array.from(t.dataSync());
  if (dtype === 'bool') values = values.map((v) => v !== 0);
  return { dtype, shape: t.shape, values };
}
const toTensor = (j) => tf.tensor(j.values, j.shape, j.dtype);

// One case: feeds are Placeholders (differentiable inputs), consts are
// Const nodes (attribute-like inputs: shapes, axes, paddings).
const cases = [];
function add(name, nodes, feeds, consts = {}, opts = {}) {
  cases.push({ name, nodes, feeds, consts, fetch: opts.fetch || nodes[nodes.length - 1].name, grad: opts.grad !== false, tol: opts.tol });
}
const node = (name, op, inputs, attrs = {}) => ({ name, op, inputs, attrs });
const y1 = (op, inputs, attrs) => [node('y', op, inputs, attrs)];

// Convolutions: odd sizes make SAME padding asymmetric.
for (const [pad, s, d] of [['SAME', 1, 1], ['SAME', 2, 1], ['VALID', 2, 1], ['SAME', 1, 2], ['VALID', 1, 2]]) {
  add(`conv2d_${pad.toLowerCase()}_s${s}_d${d}`, y1('Conv2D', ['x', 'f'], { strides: L([1, s, s, 1]), padding: S(pad), dilations: L([1, d, d, 1]) }),
    { x: rand([2, 7, 6, 3]), f: rand([3, 3, 3, 4]) });
}
add('conv2d_1x7_same', y1('Conv2D', ['x', 'f'], { strides: L([1, 1, 1, 1]), padding: S('SAME') }), { x: rand([1, 5, 9, 2]), f: rand([1, 7, 2, 3]) });
add('conv2d_explicit', y1('Conv2D', ['x', 'f'], { strides: L([1, 2, 1, 1]), padding: S('EXPLICIT'), explicit_paddings: L([0, 0, 1, 2, 0, 1, 0, 0]) }),
  { x: rand([1, 6, 5, 2]), f: rand([3, 2, 2, 3]) });
add('conv2d_no_dilations_attr', y1('Conv2D', ['x', 'f'], { strides: L([1, 2, 2, 1]), padding: S('SAME') }), { x: rand([1, 8, 8, 3]), f: rand([2, 2, 3, 2]) });
for (const [pad, s, m] of [['SAME', 1, 1], ['SAME', 2, 1], ['VALID', 1, 2], ['SAME', 2, 2]]) {
  add(`depthwise_${pad.toLowerCase()}_s${s}_m${m}`, y1('DepthwiseConv2dNative', ['x', 'f'], { strides: L([1, s, s, 1]), padding: S(pad) }),
    { x: rand([2, 7, 6, 3]), f: rand([3, 3, 3, m]) });
}
for (const op of ['MaxPool', 'AvgPool']) {
  for (const [pad, k, s] of [['SAME', 3, 2], ['VALID', 3, 2], ['SAME', 2, 2], ['SAME', 3, 1]]) {
    add(`${op.toLowerCase()}_${pad.toLowerCase()}_k${k}_s${s}`, y1(op, ['x'], { ksize: L([1, k, k, 1]), strides: L([1, s, s, 1]), padding: S(pad) }),
      { x: rand([2, 7, 6, 3]) });
  }
}
add('fused_batch_norm_v3', y1('FusedBatchNormV3', ['x', 's', 'o', 'm', 'v'], { epsilon: F(0.001), is_training: B(false) }),
  { x: rand([2, 3, 3, 4]), s: rand([4]), o: rand([4]), m: rand([4]), v: rand([4], 0.5, 2) });
add('fused_batch_norm_default_eps', y1('FusedBatchNorm', ['x', 's', 'o', 'm', 'v'], { is_training: B(false) }),
  { x: rand([1, 2, 2, 3]), s: rand([3]), o: rand([3]), m: rand([3]), v: rand([3], 0.5, 2) });
add('batch_norm_global', y1('BatchNormWithGlobalNormalization', ['x', 'm', 'v', 'beta', 'gamma'], { variance_epsilon: F(0.001), scale_after_normalization: B(true) }),
  { x: rand([1, 3, 3, 4]), m: rand([4]), v: rand([4], 0.5, 2), beta: rand([4]), gamma: rand([4]) });
add('bias_add', y1('BiasAdd', ['x', 'b']), { x: rand([2, 3, 4]), b: rand([4]) });
for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
  add(`matmul_${ta ? 't' : 'n'}${tb ? 't' : 'n'}`, y1('MatMul', ['x', 'w'], { transpose_a: B(ta), transpose_b: B(tb) }),
    { x: rand(ta ? [5, 3] : [3, 5]), w: rand(tb ? [4, 5] : [5, 4]) });
}
for (const op of ['Softmax', 'LogSoftmax']) add(op.toLowerCase(), y1(op, ['x']), { x: rand([3, 7], -3, 3) });
// Unary ops, away from kinks so finite differences are meaningful.
for (const [op, lo, hi] of [['Relu', -2, 2], ['Relu6', -2, 8], ['Elu', -2, 2], ['LeakyRelu', -2, 2], ['Sigmoid', -4, 4], ['Tanh', -3, 3],
  ['Exp', -2, 2], ['Log', 0.2, 3], ['Sqrt', 0.2, 3], ['Rsqrt', 0.2, 3], ['Square', -2, 2], ['Neg', -2, 2], ['Abs', -2, 2],
  ['Softplus', -3, 3]]) {
  add(op.toLowerCase(), y1(op, ['x']), { x: rand([4, 5], lo, hi) });
}
add('floor', y1('Floor', ['x']), { x: rand([4, 5], -3, 3) }, {}, { grad: false });
for (const op of ['Add', 'AddV2', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference']) {
  add(`${op.toLowerCase()}_broadcast`, y1(op, ['x', 'z']), { x: rand([2, 1, 4]), z: op === 'RealDiv' ? rand([3, 1], 0.5, 2) : rand([3, 1]) });
}
add('pow', y1('Pow', ['x', 'z']), { x: rand([3, 4], 0.5, 2), z: rand([4], -1.5, 1.5) });
add('addn', y1('AddN', ['x', 'z', 'w']), { x: rand([2, 3]), z: rand([2, 3]), w: rand([2, 3]) });
for (const op of ['Mean', 'Sum', 'Max', 'Min', 'Prod']) {
  add(`${op.toLowerCase()}_axes12`, y1(op, ['x', 'ax'], { keep_dims: B(false) }), { x: rand([2, 3, 4, 2]) }, { ax: ints([1, 2]) });
  add(`${op.toLowerCase()}_keepdims_neg`, y1(op, ['x', 'ax'], { keep_dims: B(true) }), { x: rand([2, 3, 4]) }, { ax: ints([-1]) });
}
add('concatv2', y1('ConcatV2', ['x', 'z', 'ax']), { x: rand([2, 3, 2]), z: rand([2, 1, 2]) }, { ax: scalarInt(1) });
add('concat_axis_first', y1('Concat', ['ax', 'x', 'z']), { x: rand([2, 3]), z: rand([2, 2]) }, { ax: scalarInt(-1) });
add('pack_axis1', y1('Pack', ['x', 'z', 'w'], { axis: I(1), N: I(3) }), { x: rand([2, 3]), z: rand([2, 3]), w: rand([2, 3]) });
add('unpack_axis1', [node('u', 'Unpack', ['x'], { axis: I(1), num: I(3) }), node('y', 'Identity', ['u:2'])], { x: rand([2, 3, 4]) });
add('split', [node('u', 'Split', ['d', 'x'], { num_split: I(2) }), node('y', 'Identity', ['u:1'])], { x: rand([2, 6]) }, { d: scalarInt(1) });
add('splitv', [node('u', 'SplitV', ['x', 's', 'd'], { num_split: I(3) }), node('y', 'Identity', ['u:2'])], { x: rand([7, 2]) },
  { s: ints([2, 1, -1]), d: scalarInt(0) });
for (const [nm, b, e, s, masks] of [
  ['basic', [1, 0], [3, 4], [1, 2], {}],
  ['masks', [1, 0, 1], [0, 3, 0], [1, 1, 1], { begin_mask: 4, end_mask: 5 }],
  ['shrink', [1, 2], [2, 3], [1, 1], { shrink_axis_mask: 1 }],
  ['negative_index', [-3, -1], [-1, 0], [1, 1], { end_mask: 2, shrink_axis_mask: 0 }],
  ['ellipsis_newaxis', [0, 1], [0, 3], [1, 1], { ellipsis_mask: 1, new_axis_mask: 0 }],
  ['newaxis', [0, 0, 1], [0, 0, 3], [1, 1, 2], { new_axis_mask: 2, begin_mask: 1, end_mask: 1 }],
  ['reverse', [0, -1], [0, -5], [1, -1], { begin_mask: 1, end_mask: 1 }],
]) {
  const attrs = {};
  for (const k of Object.keys(masks)) attrs[k] = I(masks[k]);
  add(`strided_slice_${nm}`, y1('StridedSlice', ['x', 'b', 'e', 's'], attrs), { x: rand([4, 5, 3]) }, { b: ints(b), e: ints(e), s: ints(s) });
}
add('slice', y1('Slice', ['x', 'b', 's']), { x: rand([4, 5, 3]) }, { b: ints([1, 0, 1]), s: ints([2, -1, 2]) });
add('pad', y1('Pad', ['x', 'p']), { x: rand([2, 3, 2]) }, { p: ints([0, 1, 2, 0, 1, 1], [3, 2]) });
add('padv2', y1('PadV2', ['x', 'p', 'c']), { x: rand([2, 3]), c: { dtype: 'float32', shape: [], values: [0.5] } }, { p: ints([1, 1, 0, 2], [2, 2]) });
add('tile', y1('Tile', ['x', 'm']), { x: rand([2, 3]) }, { m: ints([2, 3]) });
add('transpose', y1('Transpose', ['x', 'p']), { x: rand([2, 3, 4]) }, { p: ints([2, 0, 1]) });
add('reshape_minus1', y1('Reshape', ['x', 's']), { x: rand([2, 3, 4]) }, { s: ints([4, -1]) });
add('expand_dims', y1('ExpandDims', ['x', 'd']), { x: rand([2, 3]) }, { d: scalarInt(-1) });
add('squeeze_all', y1('Squeeze', ['x']), { x: rand([1, 3, 1, 2]) });
add('squeeze_dims', y1('Squeeze', ['x'], { squeeze_dims: L([2]) }), { x: rand([1, 3, 1, 2]) });
for (const [ac, hp, h, w] of [[false, false, 5, 7], [true, false, 5, 7], [false, true, 5, 7], [false, false, 2, 3]]) {
  add(`resize_bilinear_${ac ? 'ac' : ''}${hp ? 'hp' : ''}_${h}x${w}`, y1('ResizeBilinear', ['x', 's'], { align_corners: B(ac), half_pixel_centers: B(hp) }),
    { x: rand([1, 4, 3, 2]) }, { s: ints([h, w]) }, { grad: false });
}
add('cast_float_to_int', y1('Cast', ['x'], { DstT: T('int32') }), { x: rand([2, 5], -4, 4) }, {}, { grad: false });
add('argmax', y1('ArgMax', ['x', 'd'], { output_type: T('int32') }), { x: rand([3, 5]) }, { d: scalarInt(1) }, { grad: false });
add('select', [node('c', 'Greater', ['x', 'z']), node('y', 'Select', ['c', 'x', 'z'])], { x: rand([3, 4]), z: rand([3, 4]) });
add('fill_from_shape', y1('Fill', ['d', 'v']), { v: { dtype: 'float32', shape: [], values: [1.5] } }, { d: ints([2, 3]) });

function randInt(shape, lo, hi) {
  const f = rand(shape, lo, hi + 1);
  return { dtype: 'int32', shape, values: f.values.map(Math.floor) };
}
add('batch_matmul_v2_adj', y1('BatchMatMulV2', ['x', 'w'], { adj_x: B(false), adj_y: B(true) }), { x: rand([2, 3, 4]), w: rand([2, 5, 4]) });
add('div_float', y1('Div', ['x', 'z']), { x: rand([3, 4]), z: rand([3, 4], 0.5, 2) });
add('floordiv_int', y1('FloorDiv', ['x', 'z']), { x: randInt([12], -9, 9), z: { dtype: 'int32', shape: [12], values: [3, -3, 2, -2, 4, -4, 3, -3, 5, -5, 1, -1] } }, {}, { grad: false });
add('floormod_int', y1('FloorMod', ['x', 'z']), { x: randInt([12], -9, 9), z: { dtype: 'int32', shape: [12], values: [3, -3, 2, -2, 4, -4, 3, -3, 5, -5, 1, -1] } }, {}, { grad: false });
add('floordiv_float', y1('FloorDiv', ['x', 'z']), { x: rand([8], -5, 5), z: rand([8], 0.5, 2) }, {}, { grad: false });
for (const op of ['Equal', 'NotEqual', 'Less', 'LessEqual', 'GreaterEqual']) {
  add(`${op.toLowerCase()}_int`, y1(op, ['x', 'z']), { x: randInt([10], -2, 2), z: randInt([10], -2, 2) }, {}, { grad: false });
}
add('logical_ops', [node('p', 'Greater', ['x', 'z']), node('q', 'Less', ['x', 'w']), node('a', 'LogicalAnd', ['p', 'q']),
  node('o', 'LogicalOr', ['p', 'q']), node('n', 'LogicalNot', ['a']), node('y', 'Equal', ['n', 'o'])],
  { x: rand([12]), z: rand([12]), w: rand([12]) }, {}, { grad: false });
add('selectv2_broadcast', [node('c', 'Greater', ['x', 'z']), node('y', 'SelectV2', ['c', 'x', 'w'])], { x: rand([3, 4]), z: rand([1, 4]), w: rand([3, 1]) });
for (const [op, lo, hi] of [['Log1p', -0.5, 2], ['Sin', -3, 3], ['Cos', -3, 3], ['Erf', -2, 2], ['Reciprocal', 0.5, 2]]) {
  add(op.toLowerCase(), y1(op, ['x']), { x: rand([4, 5], lo, hi) });
}
for (const op of ['Round', 'Sign', 'Ceil', 'ZerosLike', 'OnesLike']) {
  add(op.toLowerCase(), y1(op, ['x']), { x: { dtype: 'float32', shape: [8], values: [-2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 0.7] } }, {}, { grad: false });
}
add('argmin', y1('ArgMin', ['x', 'd'], { output_type: T('int32') }), { x: rand([3, 5]) }, { d: scalarInt(0) }, { grad: false });
add('range_reshape', [node('r', 'Range', ['s', 'l', 'd']), node('y', 'Reshape', ['x', 'r'])], { x: rand([2, 3, 4]) },
  { s: scalarInt(2), l: scalarInt(13), d: scalarInt(10) }, {});
add('shape_arithmetic', [
  node('sh', 'Shape', ['x']), node('b0', 'StridedSlice', ['sh', 'b', 'e', 'st'], { shrink_axis_mask: I(1) }),
  node('n', 'Size', ['x']), node('r', 'Rank', ['x']), node('q', 'FloorDiv', ['n', 'b0']),
  node('pk', 'Pack', ['b0', 'q'], { axis: I(0), N: I(2) }), node('rs', 'Reshape', ['x', 'pk']),
  node('sg', 'StopGradient', ['r']), node('y', 'Snapshot', ['rs'])],
  { x: rand([2, 3, 4]) }, { b: ints([0]), e: ints([1]), st: ints([1]) });

add('gatherv2_axis0', y1('GatherV2', ['x', 'i', 'ax']), { x: rand([5, 3]) }, { i: ints([4, 0, 2, 2], [2, 2]), ax: scalarInt(0) });
add('gatherv2_axis1', y1('GatherV2', ['x', 'i', 'ax']), { x: rand([2, 5, 3]) }, { i: ints([3, 1, 4]), ax: scalarInt(1) });
add('clip_by_value', y1('ClipByValue', ['x', 'lo', 'hi']), { x: rand([4, 5], -2, 2) },
  { lo: { dtype: 'float32', shape: [], values: [-0.5] }, hi: { dtype: 'float32', shape: [], values: [0.75] } });
add('mirror_pad_reflect', y1('MirrorPad', ['x', 'p'], { mode: S('REFLECT') }), { x: rand([3, 4, 2]) }, { p: ints([1, 2, 2, 1, 0, 0], [3, 2]) });
add('mirror_pad_symmetric', y1('MirrorPad', ['x', 'p'], { mode: S('SYMMETRIC') }), { x: rand([3, 4]) }, { p: ints([3, 0, 1, 4], [2, 2]) });
add('selu', y1('Selu', ['x']), { x: rand([4, 5], -2, 2) });

// Small whole graphs: a MobileNet-style block and an Inception-style mixed block.
add('graph_mobilenet_block', [
  node('c1', 'Conv2D', ['x', 'w1'], { strides: L([1, 2, 2, 1]), padding: S('SAME') }),
  node('b1', 'FusedBatchNorm', ['c1', 'g1', 'be1', 'm1', 'v1'], { epsilon: F(0.001), is_training: B(false) }),
  node('r1', 'Relu6', ['b1']),
  node('d1', 'DepthwiseConv2dNative', ['r1', 'dw'], { strides: L([1, 1, 1, 1]), padding: S('SAME') }),
  node('r2', 'Relu6', ['d1']),
  node('p1', 'Conv2D', ['r2', 'w2'], { strides: L([1, 1, 1, 1]), padding: S('SAME') }),
  node('ap', 'AvgPool', ['p1'], { ksize: L([1, 4, 4, 1]), strides: L([1, 2, 2, 1]), padding: S('VALID') }),
  node('sq', 'Squeeze', ['ap'], { squeeze_dims: L([1, 2]) }),
  node('mm', 'MatMul', ['sq', 'fw']),
  node('ba', 'BiasAdd', ['mm', 'fb']),
  node('y', 'Softmax', ['ba']),
], {
  x: rand([2, 9, 9, 3]), w1: rand([3, 3, 3, 4], -0.5, 0.5), g1: rand([4], 0.5, 1.5), be1: rand([4]), m1: rand([4], -0.2, 0.2),
  v1: rand([4], 0.5, 1.5), dw: rand([3, 3, 4, 1]), w2: rand([1, 1, 4, 6]), fw: rand([6, 5]), fb: rand([5]),
});
add('graph_inception_block', [
  node('sub', 'Sub', ['x', 'mean']),
  node('mul', 'Mul', ['sub', 'scale']),
  node('a', 'Conv2D', ['mul', 'wa'], { strides: L([1, 1, 1, 1]), padding: S('SAME') }),
  node('ar', 'Relu', ['a']),
  node('b', 'Conv2D', ['mul', 'wb'], { strides: L([1, 1, 1, 1]), padding: S('SAME') }),
  node('bn', 'BatchNormWithGlobalNormalization', ['b', 'm', 'v', 'beta', 'gamma'], { variance_epsilon: F(0.001), scale_after_normalization: B(false) }),
  node('br', 'Relu', ['bn']),
  node('c', 'MaxPool', ['mul'], { ksize: L([1, 3, 3, 1]), strides: L([1, 1, 1, 1]), padding: S('SAME') }),
  node('cat', 'ConcatV2', ['ar', 'br', 'c', 'axis']),
  node('pool', 'AvgPool', ['cat'], { ksize: L([1, 3, 3, 1]), strides: L([1, 2, 2, 1]), padding: S('SAME') }),
  node('flat', 'Reshape', ['pool', 'shape']),
  node('y', 'Softmax', ['flat']),
], {
  x: rand([1, 5, 5, 2], 0, 255), mean: { dtype: 'float32', shape: [], values: [128] }, scale: { dtype: 'float32', shape: [], values: [1 / 128] },
  wa: rand([1, 1, 2, 3]), wb: rand([3, 3, 2, 2]), m: rand([2]), v: rand([2], 0.5, 2), beta: rand([2]), gamma: rand([2]),
}, { axis: scalarInt(3), shape: ints([1, -1]) });

tf.setBackend('cpu');
fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) if (f.endsWith('.json')) fs.unlinkSync(path.join(outDir, f));
let count = 0;
for (const c of cases) {
  const feedT = {};
  for (const [k, v] of Object.entries(c.feeds)) feedT[k] = toTensor(v);
  const constT = {};
  for (const [k, v] of Object.entries(c.consts)) constT[k] = toTensor(v);
  const out = run(c.nodes, Object.assign({}, feedT, constT), c.fetch);
  const fixture = {
    name: c.name, nodes: c.nodes, feeds: c.feeds, consts: c.consts, fetch: c.fetch, output: toJSON(out),
  };
  if (c.grad) {
    const names = Object.keys(c.feeds);
    const dy = rand(out.shape);
    const g = tf.grads((...xs) => {
      const env = Object.assign({}, constT);
      names.forEach((n, i) => { env[n] = xs[i]; });
      return run(c.nodes, env, c.fetch);
    });
    fixture.dy = dy;
    try {
      const grads = g(names.map((n) => feedT[n]), toTensor(dy));
      fixture.grads = {};
      names.forEach((n, i) => { fixture.grads[n] = toJSON(grads[i]); });
    } catch (e) {
      // The Go test still checks this case's gradients by finite differences.
      fixture.grads_unavailable = String(e.message || e);
    }
  }
  fs.writeFileSync(path.join(outDir, `${c.name}.json`), JSON.stringify(fixture) + '\n');
  count++;
}
console.log(`wrote ${count} fixtures to ${outDir} with tfjs-core ${tf.version_core} (backend ${tf.getBackend()})`);
