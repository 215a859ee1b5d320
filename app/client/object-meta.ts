import { parseShape } from './tensor-codec.js';

/** What a HEAD tells about a stored object. */
export interface ObjectMeta {
  size: number | null;
  contentType: string | null;
  etag: string | null;
  lastModified: Date | null;
  /** `x-amz-meta-name` (models, parsers). */
  name?: string;
  /** `x-amz-meta-shape`: a record's shape (datasets) or `[count, ...record]` (batches). */
  shape?: number[];
  /** `x-amz-meta-parser` (datasets). */
  parser?: string;
  /** `x-amz-meta-dtype` (batches). */
  dtype?: 'uint8' | 'float32';
}

/** Reads the metadata headers of a HEAD answer. */
export function objectMeta(headers: Headers): ObjectMeta {
  const length = headers.get('content-length');
  const modified = headers.get('last-modified');
  const meta: ObjectMeta = {
    size: length == null ? null : Number(length),
    contentType: headers.get('content-type'),
    etag: headers.get('etag'),
    lastModified: modified ? new Date(modified) : null,
  };
  const name = headers.get('x-amz-meta-name');
  const shape = parseShape(headers.get('x-amz-meta-shape'));
  const parser = headers.get('x-amz-meta-parser');
  const dtype = headers.get('x-amz-meta-dtype');
  if (name != null) meta.name = name;
  if (shape) meta.shape = shape;
  if (parser != null) meta.parser = parser;
  if (dtype === 'uint8' || dtype === 'float32') meta.dtype = dtype;
  return meta;
}
