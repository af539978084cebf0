#!/usr/bin/env node
// A peer for digitlab-bench: runs an ONNX model (DigitLab's float or int8 export) on the MNIST test set
// with onnxruntime-node and prints one JSON object with its accuracy. IDX files may be raw or gzipped.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const kSide = 28;
const kPixels = kSide * kSide;
const kBatch = 1000;

/// The payload of an IDX file after its header, checked against the magic and the counts it declares.
function readIdx(path, magic, itemBytes) {
  let bytes = readFileSync(path);
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  const headerBytes = magic === 0x803 ? 16 : 8;
  if (bytes.length < headerBytes || bytes.readUInt32BE(0) !== magic)
    throw new Error(`${path}: not an IDX file with magic 0x${magic.toString(16)}`);
  const count = bytes.readUInt32BE(4);
  if (bytes.length !== headerBytes + count * itemBytes)
    throw new Error(`${path}: header says ${count} items, the file holds ${bytes.length - headerBytes} bytes`);
  return { count, data: bytes.subarray(headerBytes) };
}

function positive(options, name) {
  const n = Number(options[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${options[name]}"`);
  return n;
}

function argmax(values, row, classes) {
  let best = 0;
  for (let c = 1; c < classes; ++c) if (values[row * classes + c] > values[row * classes + best]) best = c;
  return best;
}

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      labels: { type: 'string' },
      threads: { type: 'string', default: '1' },
    },
  });
  for (const name of ['model', 'images', 'labels'])
    if (!values[name]) throw new Error(`--${name} FILE is required`);
  const images = readIdx(values.images, 0x803, kPixels);
  const labels = readIdx(values.labels, 0x801, 1);
  if (images.count !== labels.count) throw new Error(`${images.count} images but ${labels.count} labels`);
  const ort = await import('onnxruntime-node');
  const { version } = createRequire(import.meta.url)('onnxruntime-node/package.json');
  const session = await ort.InferenceSession.create(values.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: positive(values, 'threads'),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0];
  const output = session.outputNames[0];

  let correct = 0;
  const start = process.hrtime.bigint();
  for (let begin = 0; begin < images.count; begin += kBatch) {
    const n = Math.min(kBatch, images.count - begin);
    const pixels = new Float32Array(n * kPixels);
    for (let i = 0; i < pixels.length; ++i) pixels[i] = images.data[begin * kPixels + i] / 255;
    const result = (await session.run({ [input]: new ort.Tensor('float32', pixels, [n, 1, kSide, kSide]) }))[output];
    const classes = result.dims[1];
    for (let r = 0; r < n; ++r) if (argmax(result.data, r, classes) === labels.data[begin + r]) ++correct;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({
    runtime: `onnxruntime-node ${version}`,
    images: images.count,
    correct,
    accuracy: correct / images.count,
    images_per_second: images.count / seconds,
  }));
  await session.release();
}

main().catch((e) => {
  console.error(`peer_ort_accuracy.mjs: error: ${e.message}`);
  process.exit(1);
});
