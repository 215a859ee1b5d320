import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { batchOk, downloadPart, listBatches, uploadDataset, uploadModel, uploadParser } from './helpers/batch-uploads.js';

// In the style of the original WebML parsers: state in globals, records cut with
// string.sub and returned as raw byte strings.
const webmlStyleParser = (recordSize: number) => `
buffer = ""
RECORD = ${recordSize}

function parse(chunk, n)
  buffer = buffer .. chunk
  local out = {}
  while string.len(buffer) >= RECORD do
    table.insert(out, string.sub(buffer, 1, RECORD))
    buffer = string.sub(buffer, RECORD + 1)
  end
  return out
end
`;

/** Every byte value 0-255 (NUL and 128-255 included) appears, at offsets that differ per record. */
function records(count: number, size: number, salt: number): Uint8Array {
  const bytes = new Uint8Array(count * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + salt + Math.floor(i / 251)) % 256;
  return bytes;
}

async function fetchAll(base: string, model: string) {
  const parts = [];
  for (const id of await listBatches(base, model)) {
    parts.push({ data: await downloadPart(base, model, id, 'data'), labels: await downloadPart(base, model, id, 'labels') });
  }
  return parts;
}

describe.each([1, 7, 64, 4096])('a WebML-style parser with %i-byte chunks', (chunkBytes) => {
  const count = 50;
  const dataSize = 24; // neither a divisor nor a multiple of most chunk sizes
  const labelSize = 3;
  const data = records(count, dataSize, 1);
  const labels = records(count, labelSize, 99);
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { PARSER_CHUNK_BYTES: String(chunkBytes) } });
    await uploadModel(server.url, 'm');
    await uploadParser(server.url, 'rec24', webmlStyleParser(dataSize));
    await uploadParser(server.url, 'rec3', webmlStyleParser(labelSize));
    await uploadDataset(server.url, 'm', 'data', 'd', [4, 6], 'rec24', data);
    await uploadDataset(server.url, 'm', 'labels', 'd', [labelSize], 'rec3', labels);
  });
  afterAll(() => server.close({ remove: true }));

  it('batches records split across chunks byte for byte, labels aligned', async () => {
    expect(await batchOk(server.url, 'm', 'd', { data_parser: 'rec24', label_parser: 'rec3', batch_size: 8 })).toEqual({ batches: 7, records: 50 });
    const parts = await fetchAll(server.url, 'm');
    expect(parts.map((p) => p.data.shape)).toEqual([...Array(6).fill([8, 4, 6]), [2, 4, 6]]);
    expect(parts.map((p) => p.labels.shape)).toEqual([...Array(6).fill([8, 3]), [2, 3]]);
    expect(Buffer.concat(parts.map((p) => p.data.bytes)).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.concat(parts.map((p) => p.labels.bytes)).equals(Buffer.from(labels))).toBe(true);
    expect(new Set(parts.flatMap((p) => [p.data.dtype, p.labels.dtype]))).toEqual(new Set(['uint8']));
  });
});

describe('numeric CSV with the bundled csv parser', () => {
  let server: TestServer;
  const rows = Array.from({ length: 10 }, (_, i) => [i, i * 0.5, -(i + 1) / 3]);
  const csv = `a,b,c\r\n${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;
  const labelCsv = rows.map((_, i) => `${i % 2},${1 - (i % 2)}`).join('\n');

  beforeAll(async () => {
    server = await startTestServer({ env: { PARSER_CHUNK_BYTES: '5' } });
    await uploadModel(server.url, 'm');
    await uploadDataset(server.url, 'm', 'data', 'table', [3], 'csv', csv);
    await uploadDataset(server.url, 'm', 'labels', 'table', [2], 'csv', labelCsv);
  });
  afterAll(() => server.close({ remove: true }));

  it('gives float32 batches of shape [count, fields] holding the values', async () => {
    expect(await batchOk(server.url, 'm', 'table', { data_parser: 'csv', label_parser: 'csv', batch_size: 4 })).toEqual({ batches: 3, records: 10 });
    const parts = await fetchAll(server.url, 'm');
    expect(parts.map((p) => p.data.shape)).toEqual([[4, 3], [4, 3], [2, 3]]);
    expect(parts.map((p) => p.labels.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(new Set(parts.flatMap((p) => [p.data.dtype, p.labels.dtype]))).toEqual(new Set(['float32']));
    const floats = (bytes: Uint8Array) => Array.from(new Float32Array(bytes.slice().buffer));
    expect(parts.flatMap((p) => floats(p.data.bytes))).toEqual(rows.flat().map(Math.fround));
    expect(parts.flatMap((p) => floats(p.labels.bytes))).toEqual(rows.flatMap((_, i) => [i % 2, 1 - (i % 2)]));
  });
});
