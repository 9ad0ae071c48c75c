// Runs real TensorFlow graphs from ../shared/tfdata with tfjs-converter, as
// whole-graph references for graphrun (helpers/graphrun/testdata/tfjs_graphs).
// The graphs are not committed; graphdef2tfjs converts them first:
//
//   go run ./tools/tfjsref/graphdef2tfjs -graph ../shared/tfdata/retrain_poets_mobilenet025_128/retrained_graph.pb -out /tmp/tfjs_mobilenet
//   go run ./tools/tfjsref/graphdef2tfjs -graph ../shared/tfdata/onnx_lstm_frozen/frozen.pb -out /tmp/tfjs_lstm
//   node tools/tfjsref/gen_graphs.js /tmp/tfjs_mobilenet /tmp/tfjs_lstm helpers/graphrun/testdata/tfjs_graphs
//
// Inputs are formulas that the Go test reproduces, so fixtures stay small.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function load(dir) {
  const model = JSON.parse(fs.readFileSync(path.join(dir, 'model.json')));
  const buf = fs.readFileSync(path.join(dir, 'weights.bin'));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: model.modelTopology, weightSpecs: model.weightsManifest[0].weights, weightData,
  }));
}

// image(n, h, w)[b][y][x][c] = 0.9·sin(0.37x + 0.23y + 1.7c + 0.5b), rounded to float32.
function image(n, h, w) {
  const v = new Float32Array(n * h * w * 3);
  let i = 0;
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    v[i++] = 0.9 * Math.sin(0.37 * x + 0.23 * y + 1.7 * c + 0.5 * b);
  }
  return tf.tensor(v, [n, h, w, 3]);
}

const toJSON = (t) => ({ dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) });

async function main() {
  const [mnDir, lstmDir, outDir] = process.argv.slice(2);
  await tf.setBackend('cpu');
  fs.mkdirSync(outDir, { recursive: true });

  const fetches = ['final_result', 'MobilenetV1/Predictions/Reshape'];
  const fx = { graph: 'retrain_poets_mobilenet025_128/retrained_graph.pb', input: 'image(1,128,128)', outputs: {} };
  // A fresh model per execution: tfjs's executor disposes tensors passed
  // through Identity nodes (here the weights' "/read" nodes) after a run.
  for (const f of fetches) {
    const mn = await load(mnDir);
    fx.outputs[f + ':0'] = toJSON(mn.execute({ input: image(1, 128, 128) }, f));
  }
  fs.writeFileSync(path.join(outDir, 'retrain_mobilenet.json'), JSON.stringify(fx) + '\n');

  const lstm = await load(lstmDir);
  const x = new Float32Array(3 * 784);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 37) % 255) / 255;
  const out = lstm.execute({ X: tf.tensor(x, [3, 784]), keep_prob: tf.scalar(1) }, 'output');
  fs.writeFileSync(path.join(outDir, 'lstm.json'), JSON.stringify({
    graph: 'onnx_lstm_frozen/frozen.pb', input: 'X[i] = ((i*37) % 255)/255, shape [3,784]; keep_prob = 1',
    outputs: { 'output:0': toJSON(out) },
  }) + '\n');
  console.log(`wrote whole-graph fixtures to ${outDir} with tfjs ${tf.version.tfjs}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
