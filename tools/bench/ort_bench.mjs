#!/usr/bin/node
// ort_bench.mjs - time one ONNX model under ONNX Runtime (onnxruntime-node).
//
// The ORT half of tools/bench/run.sh. Mirrors `anvil-run --bench`: load the
// model once, run W warm-up inferences, then N timed ones, and print
//     latency_ms median=X min=Y max=Z
// in the same format. With --output-dir it also writes each output as
// DIR/<name>.npy (same file naming as anvil-run) for the agreement check.
//
// usage: node ort_bench.mjs --model M.onnx --input NAME=FILE.npy ...
//            [--threads T] [--runs N] [--warmup W] [--output-dir DIR]
//
// onnxruntime-node is resolved from $ORT_NODE_MODULES (run.sh points it at
// <build>/bench/node_modules), so nothing is installed into the repo tree.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

function fail(msg) {
  process.stderr.write(`ort_bench: error: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { inputs: [], threads: 1, runs: 0, warmup: 3, outputDir: '' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') o.model = val();
    else if (a === '--input') o.inputs.push(val());
    else if (a === '--threads') o.threads = parseInt(val(), 10);
    else if (a === '--runs') o.runs = parseInt(val(), 10);
    else if (a === '--warmup') o.warmup = parseInt(val(), 10);
    else if (a === '--output-dir') o.outputDir = val();
    else fail(`unknown argument '${a}'`);
  }
  if (!o.model) fail('--model is required');
  return o;
}

// Minimal .npy (v1/v2/v3, little-endian float32, C order) reader and writer.
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${file}: not .npy`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  if (!/'descr':\s*'<f4'/.test(header)) fail(`${file}: not little-endian float32`);
  if (/'fortran_order':\s*True/.test(header)) fail(`${file}: Fortran order`);
  const m = header.match(/'shape':\s*\(([^)]*)\)/);
  const dims = m[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const off = hstart + hlen;
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  Buffer.from(data.buffer).set(buf.subarray(off, off + 4 * count));
  return { dims, data };
}

function writeNpy(file, dims, data) {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const f32 = Float32Array.from(data);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
                                        Buffer.from(f32.buffer)]));
}

const opts = parseArgs(process.argv.slice(2));
const modulesDir = process.env.ORT_NODE_MODULES;
if (!modulesDir) fail('ORT_NODE_MODULES is not set (run through tools/bench/run.sh)');
const require = createRequire(path.join(path.resolve(modulesDir), 'x.js'));
const ort = require('onnxruntime-node');

const session = await ort.InferenceSession.create(opts.model, {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: opts.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
});

const feeds = {};
const pending = [...session.inputNames];
for (const spec of opts.inputs) {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq) : pending[0];
  const file = eq > 0 ? spec.slice(eq + 1) : spec;
  if (!session.inputNames.includes(name)) fail(`model has no input '${name}'`);
  const { dims, data } = readNpy(file);
  feeds[name] = new ort.Tensor('float32', data, dims);
  pending.splice(pending.indexOf(name), 1);
}
if (pending.length) fail(`no file given for input(s) ${pending.join(', ')}`);

let result;
if (opts.runs > 0) {
  for (let i = 0; i < opts.warmup; ++i) await session.run(feeds);
  const times = new Float64Array(opts.runs);
  for (let i = 0; i < opts.runs; ++i) {
    const t0 = process.hrtime.bigint();
    result = await session.run(feeds);
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  times.sort();
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
  console.log(`latency_ms median=${median.toFixed(3)} min=${times[0].toFixed(3)} ` +
              `max=${times[n - 1].toFixed(3)}`);
} else {
  result = await session.run(feeds);
}

if (opts.outputDir) {
  fs.mkdirSync(opts.outputDir, { recursive: true });
  const used = new Set();
  for (const name of session.outputNames) {
    const t = result[name];
    if (t.type !== 'float32') fail(`output '${name}' is ${t.type}, not float32`);
    const base = name.replace(/[^A-Za-z0-9_.-]/g, '_');
    let file = base;
    for (let k = 1; used.has(file); ++k) file = `${base}_${k}`;
    used.add(file);
    writeNpy(path.join(opts.outputDir, `${file}.npy`), t.dims, t.data);
  }
}
