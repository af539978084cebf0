#!/usr/bin/env node
// A peer for digitlab-bench: DigitLab's ONNX export run by onnxruntime-node (the prebuilt CPU
// binary in its npm package; install with `npm ci --ignore-scripts --prefix bench`).
// Times what DigitLab's Predictor is timed on and prints one JSON object.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const kPixels = 28 * 28;
const kWarmup = 50;
const kBatchRounds = 7;

function positive(options, name) {
  const n = Number(options[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${options[name]}"`);
  return n;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      'latency-runs': { type: 'string', default: '500' },
      'big-batch': { type: 'string', default: '1000' },
    },
  });
  if (!values.model) throw new Error('--model FILE.onnx is required');
  const threads = positive(values, 'threads');
  const latencyRuns = positive(values, 'latency-runs');
  const bigBatch = positive(values, 'big-batch');
  // Loaded here so that a missing package is a one-line error, not a stack trace.
  const ort = await import('onnxruntime-node');
  const { version } = createRequire(import.meta.url)('onnxruntime-node/package.json');

  // One intra-op pool of `threads`, nodes run one after another, like LibTorch's inference.
  const session = await ort.InferenceSession.create(values.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0];
  const output = session.outputNames[0];
  const run = async (pixels, n) =>
    (await session.run({ [input]: new ort.Tensor('float32', pixels, [n, 1, 28, 28]) }))[output];

  // Single image: the same gradient image as DigitLab's side, median after warm-up.
  const one = new Float32Array(kPixels);
  for (let i = 0; i < kPixels; ++i) one[i] = (i % 28) / 27;
  let probabilities;
  for (let i = 0; i < kWarmup; ++i) probabilities = await run(one, 1);
  const times = [];
  for (let i = 0; i < latencyRuns; ++i) {
    const t = process.hrtime.bigint();
    await run(one, 1);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }

  // Batch throughput: one warm-up batch of 0.5, then kBatchRounds timed ones; the batch size over the
  // median call, as digitlab-bench does for every runtime.
  const batch = new Float32Array(bigBatch * kPixels).fill(0.5);
  await run(batch, bigBatch);
  const calls = [];
  for (let i = 0; i < kBatchRounds; ++i) {
    const t = process.hrtime.bigint();
    await run(batch, bigBatch);
    calls.push(Number(process.hrtime.bigint() - t) / 1e9);
  }

  console.log(JSON.stringify({
    runtime: `onnxruntime-node ${version}`,
    latency_ms: median(times),
    batch_images_per_second: bigBatch / median(calls),
    probabilities: Array.from(probabilities.data),
  }));
  await session.release();
}

main().catch((e) => {
  console.error(`peer_ort.mjs: error: ${e.message}`);
  process.exit(1);
});
