import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type WebMLClient } from '../app/client/index.js';
import { encodeIdx } from '../app/client/idx.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { failure } from './helpers/client-failure.js';

let server: TestServer;
let client: WebMLClient;

beforeAll(async () => {
  server = await startTestServer();
  client = createClient({ server: server.url });
});
afterAll(() => server.close({ remove: true }));

const images = encodeIdx({ shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) });
const labels = encodeIdx({ shape: [3], data: Uint8Array.of(0, 1, 2) });

describe('models', () => {
  const definition = { format: 'layers-model', modelTopology: { class_name: 'Sequential' } };

  it('upload answers the id and size, then list, head, get and getJson see the stored bytes', async () => {
    const result = await client.models.upload('digits', JSON.stringify(definition), { name: 'Digits MLP' });
    expect(result).toMatchObject({ id: 'digits', size: JSON.stringify(definition).length });
    expect(Date.parse(result.expiresAt!)).toBeGreaterThan(Date.now());
    expect(await client.models.list()).toContain('digits');
    const meta = await client.models.head('digits');
    expect(meta).toMatchObject({ name: 'Digits MLP', size: result.size, contentType: 'application/json' });
    expect(meta.lastModified).toBeInstanceOf(Date);
    expect(new TextDecoder().decode(await client.models.get('digits'))).toBe(JSON.stringify(definition));
    expect(await client.models.getJson('digits')).toEqual(definition);
  });

  it('upload of a taken id is a 409 carrying the server code and message', async () => {
    await client.models.upload('taken', '{}', { name: 'first' });
    const error = await failure(() => client.models.upload('taken', '{}', { name: 'second' }));
    expect(error).toMatchObject({ status: 409, code: 'model_exists', retryable: false });
    expect(error.message).toMatch(/'taken' already exists/);
    expect(new TextDecoder().decode(await client.models.get('taken'))).toBe('{}');
  });

  it('a bad id is a 400 and a missing model a 404, on GET and on HEAD (which has no body)', async () => {
    expect(await failure(() => client.models.upload('bad id!', '{}', { name: 'x' }))).toMatchObject({ status: 400, code: 'invalid_id' });
    const get = await failure(() => client.models.get('nope'));
    expect(get).toMatchObject({ status: 404, code: 'model_not_found', message: "Model 'nope' does not exist." });
    const head = await failure(() => client.models.head('nope'));
    expect(head).toMatchObject({ status: 404, code: 'not_found' });
    expect(head.message).toContain('HEAD');
  });

  it('an empty name is a 400 naming the header', async () => {
    const error = await failure(() => client.models.upload('unnamed', '{}', { name: ' ' }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_metadata' });
    expect(error.message).toContain('x-amz-meta-name');
  });
});

describe('parsers', () => {
  it('lists the bundled parsers and returns their Lua source', async () => {
    expect(await client.parsers.list()).toEqual(expect.arrayContaining(['idx-images', 'idx-labels', 'csv']));
    expect(await client.parsers.get('idx-labels')).toContain('function parse(chunk, n)');
    expect((await client.parsers.head('idx-images')).name).toMatch(/IDX images/);
  });

  it('upload without an id gets a generated one; with an id keeps it', async () => {
    const source = 'function parse(chunk, n) return {} end';
    const generated = await client.parsers.upload(source, { name: 'noop' });
    expect(generated.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(await client.parsers.get(generated.id)).toBe(source);
    const chosen = await client.parsers.upload(new Blob([source]), { name: 'noop', id: 'noop-1' });
    expect(chosen.id).toBe('noop-1');
    expect(await client.parsers.list()).toEqual(expect.arrayContaining([generated.id, 'noop-1']));
  });

  it('a missing parser is a 404', async () => {
    expect(await failure(() => client.parsers.get('absent'))).toMatchObject({ status: 404, code: 'parser_not_found' });
  });
});

describe('data and labels', () => {
  beforeAll(() => client.models.upload('sets', '{}', { name: 'sets' }));

  it('upload bytes with shape and parser; head reports them; get returns the raw file', async () => {
    const progress: number[] = [];
    const data = await client.data.upload('sets', images, { shape: [2, 2], parser: 'idx-images', id: 'train', onProgress: (sent) => progress.push(sent) });
    expect(data).toMatchObject({ id: 'train', size: images.length });
    expect(progress.at(-1)).toBe(images.length);
    await client.labels.upload('sets', new Blob([labels]), { shape: [1], parser: 'idx-labels', id: 'train' });
    expect(await client.data.head('sets', 'train')).toMatchObject({ shape: [2, 2], parser: 'idx-images', size: images.length });
    expect(await client.labels.head('sets', 'train')).toMatchObject({ shape: [1], parser: 'idx-labels', size: labels.length });
    expect(await client.data.get('sets', 'train')).toEqual(images);
    expect(await client.labels.get('sets', 'train')).toEqual(labels);
    expect(await client.data.list('sets')).toEqual(['train']);
    expect(await client.labels.list('sets')).toEqual(['train']);
  });

  it('upload without an id answers a generated id', async () => {
    const { id } = await client.data.upload('sets', images, { shape: [4], parser: 'idx-images' });
    expect(await client.data.list('sets')).toContain(id);
  });

  it('an unknown parser is a 400, a bad shape a 400, an unknown model a 404', async () => {
    const parser = await failure(() => client.data.upload('sets', images, { shape: [4], parser: 'nope' }));
    expect(parser).toMatchObject({ status: 400, code: 'unknown_parser' });
    expect(parser.message).toContain("Parser 'nope'");
    const shape = await failure(() => client.data.upload('sets', images, { shape: [0], parser: 'idx-images' }));
    expect(shape).toMatchObject({ status: 400, code: 'invalid_metadata' });
    const model = await failure(() => client.labels.upload('ghost', labels, { shape: [1], parser: 'idx-labels' }));
    expect(model).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(await failure(() => client.data.list('ghost'))).toMatchObject({ status: 404 });
    expect(await failure(() => client.labels.get('sets', 'absent'))).toMatchObject({ status: 404, code: 'labels_not_found' });
  });
});

describe('upload limits', () => {
  it('a body over MAX_UPLOAD_BYTES is refused by the signed upload with a 413', async () => {
    const small = await startTestServer({ env: { MAX_UPLOAD_BYTES: '1000' } });
    try {
      const sdk = createClient(small.url);
      await sdk.models.upload('m', '{}', { name: 'm' });
      const error = await failure(() => sdk.data.upload('m', new Uint8Array(5000), { shape: [1], parser: 'idx-labels', id: 'big' }));
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect(await sdk.data.list('m')).toEqual([]);
    } finally {
      await small.close({ remove: true });
    }
  });
});

describe('on the MinIO adapter (s3rver)', () => {
  it('uploads go to presigned S3 URLs and downloads and batches come back through them', async () => {
    const s3 = await startTestServer({ storage: 'minio' });
    try {
      const sdk = createClient(s3.url);
      await sdk.models.upload('m', '{"k":1}', { name: 'm' });
      expect(await sdk.models.getJson('m')).toEqual({ k: 1 });
      await sdk.data.upload('m', images, { id: 'd', shape: [2, 2], parser: 'idx-images' });
      await sdk.labels.upload('m', labels, { id: 'd', shape: [1], parser: 'idx-labels' });
      expect(await sdk.data.get('m', 'd')).toEqual(images);
      expect(await sdk.batches.create('m', 'd', { dataParser: 'idx-images', labelParser: 'idx-labels', batchSize: 2 })).toEqual({ batches: 2, records: 3 });
      const { data, labels: labelPart } = await sdk.batches.download('m', await sdk.batches.random('m'));
      expect(data.bytes.length).toBe(data.shape[0] * 4);
      expect(labelPart.bytes.length).toBe(data.shape[0]);
    } finally {
      await s3.close({ remove: true });
    }
  });
});
