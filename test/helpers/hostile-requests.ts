import fc from 'fast-check';

/** One generated request, sent as-is over a raw socket (no URL normalization by a client). */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** Ids the seeded data uses, so generated requests also hit things that exist. */
export interface KnownIds {
  model: string;
  parser: string;
  dataset: string;
  session: string;
  batch: string;
}

const routes: Array<[method: string, template: string]> = [
  ['GET', '/models'],
  ['GET', '/model/:a'],
  ['PUT', '/model/:a'],
  ['GET', '/parsers'],
  ['PUT', '/parser'],
  ['GET', '/parser/:a'],
  ['PUT', '/parser/:a'],
  ['GET', '/model/:a/data'],
  ['PUT', '/model/:a/data'],
  ['GET', '/model/:a/data/:b'],
  ['PUT', '/model/:a/data/:b'],
  ['GET', '/model/:a/labels'],
  ['PUT', '/model/:a/labels/:b'],
  ['GET', '/model/:a/labels/:b'],
  ['GET', '/model/:a/batches'],
  ['GET', '/model/:a/batch'],
  ['GET', '/model/:a/batch/:b/data'],
  ['GET', '/model/:a/batch/:b/labels'],
  ['POST', '/model/:a/data/:b/batch'],
  ['PUT', '/model/:a/session'],
  ['GET', '/model/:a/sessions'],
  ['GET', '/model/:a/session/:b'],
  ['GET', '/model/:a/session/:b/losses'],
  ['POST', '/model/:a/session/:b/loss'],
  ['POST', '/model/:a/session/:b/weights'],
  ['GET', '/healthz'],
  ['GET', '/blobs/:a/:b'],
  ['PUT', '/blobs/:a/:b'],
  ['GET', '/:a'],
];

const methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];

/** Path segments a hostile client tries: traversal, encoded slashes, NUL, bad escapes, overlong. */
const nastySegments = [
  '..', '.', '%2e%2e', '..%2F..', '..%2f..%2fetc%2fpasswd', 'a%2Fb', '%2F', '%00', 'a%00b', '%0a', '%ZZ', '%', '',
  '~', '.hidden', '-dash', 'a%20b', 'x'.repeat(129), 'x'.repeat(5000), '%C3%A9t%C3%A9', '%F0%9F%92%A5', '%C0%AF',
];

const idArb = (known: KnownIds) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(known.model, known.parser, known.dataset, known.session, known.batch, 'csv', 'new-id') },
    { weight: 3, arbitrary: fc.constantFrom(...nastySegments) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent) },
  );

const queryArb = fc.constantFrom(
  '', '', '', '?dtype=float64', '?dtype=float16', '?dtype=', '?x=%ZZ', '?expires=1&signature=abc',
  `?expires=${'9'.repeat(40)}&signature=${'0'.repeat(64)}`, '?expires=-1&signature=', '?a=1&a=2',
);

/** JSON values that are never a valid loss, batch size, shape or tensor. */
const nonFinite = ['NaN', 'Infinity', '-Infinity', '1e309', '-1e309', 'null', 'true', '"abc"', '"1.5"', '[]', '{}', '"\\u0000"'];
const hostileValues = [
  ...nonFinite,
  '-1', '0', '1.5', '-0.5', '1e300', '9007199254740993', '[-1]', '[0]', '[1.5]', '[2147483649]', '[1e309]', '[null]',
  '["1"]', '[[1]]', `[${Array(40).fill(1).join(',')}]`, `"${'x'.repeat(3000)}"`, '{"__proto__":{"x":1}}',
];
const jsonKeys = ['shape', 'data', 'loss', 'alpha', 'id', 'batch_size', 'data_parser', 'label_parser', '__proto__', 'constructor'];

/** A JSON object of hostile fields: a loss is never finite, a batch size never a valid count. */
const hostileObjectArb = fc
  .uniqueArray(fc.constantFrom(...jsonKeys), { maxLength: 5 })
  .chain((fieldNames) =>
    fc.tuple(...fieldNames.map((k) => fc.constantFrom(...(k === 'loss' ? nonFinite : hostileValues)).map((v) => `"${k}":${v}`))),
  )
  .map((fields) => `{${fields.join(',')}}`);

/** A weights body one step from valid for a `[3, 7]` session: wrong length, or non-finite values. */
const nearTensorArb = fc.constantFrom(
  `{"shape":[3,7],"data":[${Array(20).fill(0.5).join(',')}]}`,
  `{"shape":[3,7],"data":[${Array(21).fill('1e309').join(',')}]}`,
  `{"shape":[7,3],"data":[${Array(21).fill(0.5).join(',')}]}`,
  `{"shape":[3,7],"data":[${Array(21).fill('"0.5"').join(',')}]}`,
  `{"shape":[-3,-7],"data":[]}`,
  `{"shape":[3,7]}`,
);

const invalidJsonArb = fc.constantFrom('{', '{"loss":', '[1,2', '{"shape":[1,2],"data":[1,2,', 'NaN', '', '\u0000', '{"a":1}}', "{'loss':1}");

/**
 * Raw bytes that can never be a valid float32/float64 tensor: a length that is no multiple
 * of 4, or all 0xff (NaN as float32 and as float64).
 */
const hostileBinaryArb = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => (b.length % 4 === 0 ? Buffer.concat([Buffer.from(b), Buffer.from([1])]) : Buffer.from(b))),
  fc.constantFrom(84, 168, 4, 8).map((n) => Buffer.alloc(n, 0xff)),
);

const formArb = fc
  .record({
    data_parser: fc.option(fc.constantFrom('csv', 'nope', '..', '', 'x'.repeat(200)), { nil: undefined }),
    label_parser: fc.option(fc.constantFrom('csv', 'nope', '%00'), { nil: undefined }),
    batch_size: fc.option(fc.constantFrom('0', '-1', '1.5', 'abc', '1e3', '99999999999', '', '0x10', 'NaN'), { nil: undefined }),
  })
  .map((fields) => new URLSearchParams(Object.entries(fields).filter(([, v]) => v !== undefined) as [string, string][]).toString());

const bodyArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.oneof(hostileObjectArb, nearTensorArb, invalidJsonArb).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: hostileBinaryArb },
  { weight: 1, arbitrary: formArb.map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)) },
);

// Header values must be latin1 without CR/LF/NUL, or the client refuses to send them.
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)), maxLength: 60 });

const headersArb = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json', 'application/octet-stream', 'text/plain', 'multipart/form-data', 'multipart/form-data; boundary=xyz',
      'application/x-www-form-urlencoded', 'x/y; charset=utf-99', '',
    ),
    'x-amz-meta-name': fc.oneof(headerText, fc.constant('')),
    'x-amz-meta-shape': fc.constantFrom('[1]', '[]', '[-1]', '[0]', '[1.5]', 'null', '[1e309]', '[2147483649]', '{', '"[1]"', `[${Array(40).fill(1)}]`, ''),
    'x-amz-meta-parser': fc.constantFrom('csv', 'nope', '..', '', 'x'.repeat(200), '%00'),
    'x-tensor-shape': fc.constantFrom('[3,7]', '[21]', '[]', '[-3,7]', 'NaN', '[3,7', '[1e309]', ''),
    'x-tensor-dtype': fc.constantFrom('float32', 'float64', 'int8', ''),
    accept: fc.constantFrom('application/octet-stream', 'application/json', '*/*'),
    range: fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-99999999999999', 'items=1-2'),
  },
  { requiredKeys: [] },
);

/** Generated requests to every route: mostly the route's own method, sometimes any method. */
export function hostileRequestArb(known: KnownIds): fc.Arbitrary<HostileRequest> {
  return fc
    .record({
      route: fc.constantFrom(...routes),
      otherMethod: fc.option(fc.constantFrom(...methods), { freq: 4, nil: null }),
      a: idArb(known),
      b: idArb(known),
      query: queryArb,
      headers: headersArb,
      body: bodyArb,
    })
    .map(({ route: [method, template], otherMethod, a, b, query, headers, body }) => {
      const verb = otherMethod ?? method;
      return {
        method: verb,
        path: template.replace(':a', a).replace(':b', b) + query,
        headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== '')) as Record<string, string>,
        body: verb === 'GET' || verb === 'HEAD' ? null : body,
      };
    });
}
