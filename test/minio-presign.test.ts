import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../app/client/index.js';
import { loadConfig } from '../app/config.js';
import { createMinioStore } from '../app/storage/minio.js';
import { rawRequest } from './helpers/raw-http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectedPresignSignature } from './helpers/sigv4.js';

const signatureOf = (url: string) => new URL(url).searchParams.get('X-Amz-Signature');
const signedHeadersOf = (url: string) => new URL(url).searchParams.get('X-Amz-SignedHeaders');

describe('independent SigV4 check', () => {
  it("reproduces AWS's documented presigned URL example", () => {
    // From the AWS S3 docs, "Authenticating Requests: Using Query Parameters".
    const url =
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    expect(expectedPresignSignature(url, 'GET', {}, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(signatureOf(url));
  });
});

describe('MinIO presigned PUT with metadata headers', () => {
  const secret = 'a-secret/with+odd=chars';
  const store = createMinioStore(
    loadConfig({ STORAGE: 'minio', MINIO_ENDPOINT: '127.0.0.1', MINIO_PORT: '9123', MINIO_ACCESS_KEY: 'webml', MINIO_SECRET_KEY: secret, MINIO_REGION: 'eu-west-1' }),
  );
  const meta = { 'x-amz-meta-shape': '[28, 28]', 'x-amz-meta-parser': 'idx-images' };

  it('signs host and exactly the given headers, for the request a client sends', async () => {
    const url = await store.presignPut('data/m/train set', 60, meta);
    expect(new URL(url).pathname).toBe('/webml/data/m/train%20set');
    expect(signedHeadersOf(url)).toBe('host;x-amz-meta-parser;x-amz-meta-shape');
    expect(expectedPresignSignature(url, 'PUT', meta, secret)).toBe(signatureOf(url));
  });

  it('would not match a request with another header value, a missing header, another method or key', async () => {
    const url = await store.presignPut('data/m/train', 60, meta);
    expect(expectedPresignSignature(url, 'PUT', { ...meta, 'x-amz-meta-shape': '[28,29]' }, secret)).not.toBe(signatureOf(url));
    expect(() => expectedPresignSignature(url, 'PUT', { 'x-amz-meta-parser': 'idx-images' }, secret)).toThrow(/x-amz-meta-shape is not sent/);
    expect(expectedPresignSignature(url, 'GET', meta, secret)).not.toBe(signatureOf(url));
    expect(expectedPresignSignature(url.replace('/train?', '/other?'), 'PUT', meta, secret)).not.toBe(signatureOf(url));
    expect(expectedPresignSignature(url, 'PUT', meta, 'another secret')).not.toBe(signatureOf(url));
  });

  it('canonicalizes whitespace as the store does: tabs and space runs become one space', async () => {
    const url = await store.presignPut('data/m/ws', 60, { 'x-amz-meta-shape': '[28,\t  28]' });
    expect(expectedPresignSignature(url, 'PUT', { 'x-amz-meta-shape': '[28,\t  28]' }, secret)).toBe(signatureOf(url));
  });

  it('signs only host when there are no headers (a plain presigned PUT)', async () => {
    const url = await store.presignPut('models/plain', 60);
    expect(signedHeadersOf(url)).toBe('host');
    expect(expectedPresignSignature(url, 'PUT', {}, secret)).toBe(signatureOf(url));
  });
});

describe('upload routes against the MinIO adapter', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ storage: 'minio' });
  });
  afterAll(() => server?.close({ remove: true }));

  const secret = () => server.config.MINIO_SECRET_KEY;

  it('redirects to a URL signed for the x-amz-meta-* headers the client sent, and the upload lands', async () => {
    const headers = { 'x-amz-meta-name': 'Iris classifier', 'x-amz-meta-extra': 'kept' };
    const grant = await fetch(`${server.url}/model/iris`, { method: 'PUT', headers, redirect: 'manual' });
    expect(grant.status).toBe(307);
    const location = grant.headers.get('location')!;
    expect(signedHeadersOf(location)).toBe('host;x-amz-meta-extra;x-amz-meta-name');
    expect(expectedPresignSignature(location, 'PUT', headers, secret())).toBe(signatureOf(location));
    expect(expectedPresignSignature(location, 'PUT', { ...headers, 'x-amz-meta-name': 'Iris' }, secret())).not.toBe(signatureOf(location));

    // What curl -L and fetch do next: the same headers, with the body, to the Location.
    const put = await fetch(location, { method: 'PUT', headers, body: new Blob(['{"modelTopology":{}}']) });
    expect(put.status).toBe(200);
    const head = await fetch(`${server.url}/model/iris`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-amz-meta-name')).toBe('Iris classifier');
  });

  it('signs the bytes of a UTF-8 header value as they travel', async () => {
    const name = Buffer.from('Modèle  né', 'utf8');
    const grant = await rawRequest(server.url, {
      method: 'PUT',
      path: '/parser/utf8',
      // Node writes a latin1 string's code units as bytes: these are the UTF-8 bytes on the wire.
      headers: { 'x-amz-meta-name': name.toString('latin1') },
    });
    expect(grant.status).toBe(307);
    const location = String(grant.headers.location);
    expect(expectedPresignSignature(location, 'PUT', { 'x-amz-meta-name': name }, secret())).toBe(signatureOf(location));
  });

  it('the SDK sends the store exactly the headers its URL is signed for', async () => {
    const sent: Array<{ url: string; method: string; headers: Headers }> = [];
    const recording: typeof fetch = (input, init) => {
      sent.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers) });
      return fetch(input, init);
    };
    const sdk = createClient({ server: server.url, fetch: recording });
    await sdk.models.upload('sdk-model', new Blob(['{}']), { name: 'SDK  model' });
    const toStore = sent.find((request) => !request.url.startsWith(server.url))!;
    expect(toStore.headers.get('x-amz-meta-name')).toBe('SDK  model');
    const meta: Record<string, string> = {};
    toStore.headers.forEach((value, name) => {
      if (name.startsWith('x-amz-meta-')) meta[name] = value;
    });
    expect(expectedPresignSignature(toStore.url, toStore.method, meta, secret())).toBe(signatureOf(toStore.url));
  });

  it('signs dataset uploads for their shape and parser headers', async () => {
    const model = await fetch(`${server.url}/model/m`, { method: 'PUT', headers: { 'x-amz-meta-name': 'm' }, body: new Blob(['{}']) });
    expect(model.status).toBe(200);
    const headers = { 'x-amz-meta-shape': '[4]', 'x-amz-meta-parser': 'csv' };
    const grant = await fetch(`${server.url}/model/m/data`, { method: 'PUT', headers, redirect: 'manual' });
    expect(grant.status).toBe(307);
    const location = grant.headers.get('location')!;
    expect(signedHeadersOf(location)).toBe('host;x-amz-meta-parser;x-amz-meta-shape');
    expect(expectedPresignSignature(location, 'PUT', headers, secret())).toBe(signatureOf(location));
  });
});
