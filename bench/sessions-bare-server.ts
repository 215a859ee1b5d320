/**
 * Baseline of bench/sessions.bench.ts: a bare node:http server that merges float32 bodies
 * into an in-memory Float64Array (center = center * alpha + update * (1 - alpha)) and
 * answers the version; no routing, validation or persistence. Env: PARAMS. Prints
 * `listening <port>`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const params = Number(process.env.PARAMS);
const alpha = 0.9;
const beta = 1 - alpha;
const center = new Float64Array(params);
let version = 0;

const server = http.createServer((req, res) => {
  const body = new Uint8Array(Number(req.headers['content-length']));
  let used = 0;
  req.on('data', (chunk: Buffer) => {
    body.set(chunk, used);
    used += chunk.byteLength;
  });
  req.on('end', () => {
    const update = new Float32Array(body.buffer, 0, params);
    for (let i = 0; i < params; i++) center[i] = center[i] * alpha + update[i] * beta;
    version++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"version":${version}}`);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
