import { afterAll, describe, expect, it } from 'vitest';
import { bundledParserSource } from '../lua/bundled.js';
import { createLuaRunner } from '../lua/runner.js';
import type { ParserRunner } from '../lua/types.js';
import { idxImages, idxLabels } from './helpers/idx.js';
import { unpackRecords, type UnpackedRecord } from './helpers/records.js';

// One runner (and so one warm worker) per chunk size.
const runners = new Map<number, ParserRunner>();
afterAll(() => Promise.all([...runners.values()].map((r) => r.close())));

function runner(chunkBytes = 64 * 1024): ParserRunner {
  if (!runners.has(chunkBytes)) {
    runners.set(chunkBytes, createLuaRunner({ LUA_TIMEOUT_MS: 10_000, LUA_MEMORY_MB: 64, PARSER_CHUNK_BYTES: chunkBytes }));
  }
  return runners.get(chunkBytes)!;
}

/** Feeds `input` in pieces of `pieceBytes` (independent of the runner's chunk size). */
async function* pieces(input: Uint8Array, pieceBytes = 1000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < input.length; i += pieceBytes) yield input.slice(i, i + pieceBytes);
}

async function collect(r: ParserRunner, id: string, source: string | Uint8Array, input: Uint8Array): Promise<UnpackedRecord[]> {
  const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
  const records: UnpackedRecord[] = [];
  for await (const block of r.run({ id, source: text }, pieces(input))) records.push(...unpackRecords(block));
  return records;
}

const floats = (r: UnpackedRecord) => Array.from(new Float32Array(r.bytes.slice().buffer));
const every256 = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('Lua parser runner', () => {
  it('passes all 256 byte values through Lua and back unchanged', async () => {
    const echo = 'function parse(chunk, n) assert(#chunk == n) return { chunk } end';
    const records = await collect(runner(), 'echo', echo, every256);
    expect(records).toHaveLength(1);
    expect(records[0].dtype).toBe('uint8');
    expect(Array.from(records[0].bytes)).toEqual(Array.from(every256));
  });

  it('calls parse with chunks of exactly PARSER_CHUNK_BYTES, the last one shorter', async () => {
    const sizes = 'function parse(chunk, n) return { { n, #chunk } } end';
    const records = await collect(runner(100), 'sizes', sizes, new Uint8Array(1050));
    expect(records.map(floats)).toEqual([...Array(10).fill([100, 100]), [50, 50]]);
  });

  // The original WebML style: state in globals across calls, records as raw byte strings.
  const fixedRecords = `
    buffer = ""
    function parse(chunk, n)
      buffer = buffer .. chunk
      local out = {}
      while #buffer >= 5 do
        out[#out + 1] = buffer:sub(1, 5)
        buffer = buffer:sub(6)
      end
      return out
    end`;
  it.each([1, 7, 4096])('keeps global state across chunks of %i bytes that split records', async (chunk) => {
    const input = Uint8Array.from({ length: 5 * 200 }, (_, i) => (i * 37) & 255);
    const records = await collect(runner(chunk), 'fixed5', fixedRecords, input);
    expect(records).toHaveLength(200);
    records.forEach((r, i) => expect(Array.from(r.bytes)).toEqual(Array.from(input.subarray(i * 5, i * 5 + 5))));
  });

  it('stores arrays of numbers as float32 little-endian', async () => {
    const numbers = 'function parse() return { { 1.5, -2, 3e38 }, "\\1\\2" } end';
    const [numeric, bytes] = await collect(runner(), 'numbers', numbers, new Uint8Array(1));
    expect(numeric.dtype).toBe('float32');
    const expected = new Uint8Array(12);
    const view = new DataView(expected.buffer);
    [1.5, -2, 3e38].forEach((v, i) => view.setFloat32(i * 4, v, true));
    expect(Array.from(numeric.bytes)).toEqual(Array.from(expected));
    expect(bytes).toMatchObject({ dtype: 'uint8' });
    expect(Array.from(bytes.bytes)).toEqual([1, 2]);
  });

  it('packs like records as one run per block (across calls), split where size or dtype changes', async () => {
    const bytesThenOthers = `
      function parse(chunk, n)
        local out = {}
        for i = 1, n do out[i] = chunk:sub(i, i) end
        return out
      end
      function finish() return { "ab", "cd", { 1 }, "e" } end`;
    const shapes: string[] = [];
    for await (const block of runner(100).run({ id: 'runs', source: bytesThenOthers }, pieces(new Uint8Array(1000)))) {
      for (let run = 0; run < block.runCount; run++) shapes.push(`${block.runLength(run)}x${block.recordBytes(run)} ${block.dtype(run)}`);
    }
    expect(shapes).toEqual(['1000x1 uint8', '2x2 uint8', '1x4 float32', '1x1 uint8']);
  });

  it('treats nil and {} as "no records yet" and returns what finish() gives at the end', async () => {
    const buffered = `
      count = 0
      function parse(chunk, n) count = count + n if count % 2 == 0 then return nil end return {} end
      function finish() return { tostring(count) } end`;
    const records = await collect(runner(3), 'buffered', buffered, new Uint8Array(10));
    expect(records.map((r) => new TextDecoder().decode(r.bytes))).toEqual(['10']);
  });
});

describe('Lua parser runner, runs side by side', () => {
  it('runs two parsers at once, consumed in lockstep (data and labels of one batch)', async () => {
    const r = runner(64);
    const images = idxImages(300, 2, 2);
    const labels = idxLabels(Array.from({ length: 300 }, (_, i) => i % 256));
    const data = r.run({ id: 'idx-images', source: bundledParserSource('idx-images').toString() }, pieces(images, 50))[Symbol.asyncIterator]();
    const tags = r.run({ id: 'idx-labels', source: bundledParserSource('idx-labels').toString() }, pieces(labels, 50))[Symbol.asyncIterator]();
    const pulled: { data: UnpackedRecord[]; labels: UnpackedRecord[] } = { data: [], labels: [] };
    for (;;) {
      const [d, l] = await Promise.all([data.next(), tags.next()]);
      if (!d.done) pulled.data.push(...unpackRecords(d.value));
      if (!l.done) pulled.labels.push(...unpackRecords(l.value));
      if (d.done && l.done) break;
    }
    expect(pulled.data).toHaveLength(300);
    expect(pulled.labels.map((x) => x.bytes[0])).toEqual(Array.from({ length: 300 }, (_, i) => i % 256));
    pulled.data.forEach((x, i) => expect(Array.from(x.bytes)).toEqual(Array.from(images.subarray(16 + i * 4, 20 + i * 4))));
  });

  it('lets a consumer stop early, and the next run works', async () => {
    const r = runner(16);
    const many = 'function parse(c) return { c } end';
    for await (const block of r.run({ id: 'many', source: many }, pieces(new Uint8Array(1 << 20)))) {
      expect(unpackRecords(block).length).toBeGreaterThan(0);
      break;
    }
    expect(await collect(r, 'echo', 'function parse(c) return { c } end', every256)).toHaveLength(16);
  });
});

describe('bundled parsers', () => {
  const images = idxImages(70, 4, 3);
  const labels = Array.from({ length: 70 }, (_, i) => (i * 3) % 10);

  it.each([1, 7, 4096])('idx-images gives one 12-byte record per image (chunks of %i)', async (chunk) => {
    const records = await collect(runner(chunk), 'idx-images', bundledParserSource('idx-images'), images);
    expect(records).toHaveLength(70);
    records.forEach((r, i) => {
      expect(r.dtype).toBe('uint8');
      expect(Array.from(r.bytes)).toEqual(Array.from(images.subarray(16 + i * 12, 16 + i * 12 + 12)));
    });
  });

  it.each([1, 5, 4096])('idx-labels gives one 1-byte record per label (chunks of %i)', async (chunk) => {
    const records = await collect(runner(chunk), 'idx-labels', bundledParserSource('idx-labels'), idxLabels(labels));
    expect(records.map((r) => Array.from(r.bytes))).toEqual(labels.map((l) => [l]));
  });

  it('idx-images rejects a truncated file, naming the parser and the line', async () => {
    const run = collect(runner(), 'idx-images', bundledParserSource('idx-images'), images.subarray(0, 16 + 12 * 5 + 4));
    await expect(run).rejects.toThrow(/Parser 'idx-images' failed: \[string "idx-images"\]:\d+: file ends inside an image \(4 stray bytes\)/);
  });

  it('idx-labels rejects an image file (wrong magic)', async () => {
    await expect(collect(runner(), 'idx-labels', bundledParserSource('idx-labels'), images)).rejects.toThrow(/not an IDX label file \(magic 0x00000803\)/);
  });

  const csvValues = [
    [1, 2.5, -3],
    [0.125, 1e3, 7],
    [4, 5, 6],
  ];
  const csvCases = {
    'with a header line and LF': 'a,b,c\n1,2.5,-3\n0.125,1e3,7\n4,5,6\n',
    'without a header line, CRLF, no final line end': '1,2.5,-3\r\n0.125,1e3,7\r\n\r\n4, 5 ,6',
  };
  for (const [name, text] of Object.entries(csvCases)) {
    it.each([1, 4, 4096])(`csv ${name} gives float32 records (chunks of %i)`, async (chunk) => {
      const records = await collect(runner(chunk), 'csv', bundledParserSource('csv'), new TextEncoder().encode(text));
      expect(records.every((r) => r.dtype === 'float32')).toBe(true);
      expect(records.map(floats)).toEqual(csvValues);
    });
  }

  it('csv rejects a non-numeric field after the first line, naming the CSV line', async () => {
    const run = collect(runner(), 'csv', bundledParserSource('csv'), new TextEncoder().encode('1,2\n3,x\n'));
    await expect(run).rejects.toThrow(/Parser 'csv' failed: .*line 2: field 2 \("x"\) is not a number/);
  });
});
