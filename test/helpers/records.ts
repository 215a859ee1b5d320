import type { Dtype, RecordBlock } from '../../lua/types.js';

/** One record of a block, unpacked for assertions (the app itself never unpacks records). */
export interface UnpackedRecord {
  dtype: Dtype;
  bytes: Uint8Array;
}

/** The records of a packed block, one object each, in order. */
export function unpackRecords(block: RecordBlock): UnpackedRecord[] {
  const records: UnpackedRecord[] = [];
  let offset = 0;
  for (let run = 0; run < block.runCount; run++) {
    const size = block.recordBytes(run);
    for (let i = 0; i < block.runLength(run); i++, offset += size) {
      records.push({ dtype: block.dtype(run), bytes: block.bytes.subarray(offset, offset + size) });
    }
  }
  if (offset !== block.bytes.length) throw new Error(`block runs cover ${offset} of its ${block.bytes.length} bytes`);
  return records;
}
