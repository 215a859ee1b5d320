import type { Dtype } from '../../lua/types.js';
import { unprocessable } from '../errors.js';

const bytesPerElement: Record<Dtype, number> = { uint8: 1, float32: 4 };

/** Which object a stream of records comes from, for checks and error messages. */
export interface RecordSource {
  kind: 'data' | 'labels';
  id: string;
  parserId: string;
  /** Shape of one record: the dataset's x-amz-meta-shape. */
  shape: number[];
}

/**
 * Holds every record of one source to the source's declared shape and to the dtype of its
 * first record, so a batch's bytes always match the shape and dtype its index row claims.
 */
export class RecordLayout {
  dtype: Dtype | null = null;
  private readonly elements: number;

  constructor(readonly source: RecordSource) {
    this.elements = source.shape.reduce((a, b) => a * b, 1);
  }

  /** Throws a 422 naming the record, parser and shape when records of `dtype` and `recordBytes`, from record `index` on, do not fit. */
  check(dtype: Dtype, recordBytes: number, index: number): void {
    const { kind, id, parserId, shape } = this.source;
    this.dtype ??= dtype;
    if (dtype !== this.dtype) {
      throw unprocessable(
        `Parser '${parserId}' returned a ${dtype} record (record ${index}) after ${this.dtype} records for ${kind} '${id}'; all records of one ${kind === 'data' ? 'dataset' : 'labelset'} must share a type (byte strings or number arrays, not both).`,
        'record_dtype_mismatch',
      );
    }
    const expected = this.elements * bytesPerElement[dtype];
    if (recordBytes !== expected) {
      throw unprocessable(
        `Parser '${parserId}' returned record ${index} of ${kind} '${id}' with ${recordBytes / bytesPerElement[dtype]} ${dtype} values, but the ${kind} shape ${JSON.stringify(shape)} needs ${this.elements}; fix the parser or upload the ${kind} with x-amz-meta-shape matching one record.`,
        'record_size_mismatch',
      );
    }
  }
}
