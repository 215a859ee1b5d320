/** Builds MNIST-format IDX files with known contents for tests and benches. */

/** An IDX image file of `count` images of rows x cols; pixel(i, p) gives image i's byte p. */
export function idxImages(count: number, rows: number, cols: number, pixel = (i: number, p: number) => (i * 31 + p * 7) & 255): Uint8Array {
  const size = rows * cols;
  const file = new Uint8Array(16 + count * size);
  const view = new DataView(file.buffer);
  view.setUint32(0, 0x803);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < size; p++) file[16 + i * size + p] = pixel(i, p);
  }
  return file;
}

/** An IDX label file holding `labels`. */
export function idxLabels(labels: ArrayLike<number>): Uint8Array {
  const file = new Uint8Array(8 + labels.length);
  const view = new DataView(file.buffer);
  view.setUint32(0, 0x801);
  view.setUint32(4, labels.length);
  file.set(labels, 8);
  return file;
}
