/**
 * The pooling kernels. Rows come from a contiguous float32 table; `mapping`
 * (vocabulary quantization) picks the row of each token and `weights` scales it,
 * indexed by the original token id, as Python's `embedding[mapping[ids]] * weights[ids]`.
 */

/** The lookup a model pools over. */
export interface EmbeddingTable {
  readonly table: Float32Array;
  readonly dim: number;
  readonly mapping: Int32Array | null;
  readonly weights: Float32Array | null;
}

/**
 * Writes the mean of the (weighted) rows of `ids[start, end)` to
 * `out[outOffset, outOffset + dim)`, L2-normalised when asked, using `scratch`
 * (length ≥ dim) as a float64 accumulator. No ids gives a zero vector.
 */
export function meanPool(
  source: EmbeddingTable,
  ids: Int32Array,
  start: number,
  end: number,
  out: Float32Array,
  outOffset: number,
  normalize: boolean,
  scratch: Float64Array,
): void {
  const { table, dim, mapping, weights } = source;
  const count = end - start;
  if (count === 0) {
    out.fill(0, outOffset, outOffset + dim);
    return;
  }
  scratch.fill(0, 0, dim);
  // Unrolled by four, with the unweighted case apart: V8 keeps these loops tight.
  const tail = dim - (dim % 4);
  for (let t = start; t < end; t++) {
    const id = ids[t]!;
    const base = (mapping === null ? id : mapping[id]!) * dim;
    if (weights === null) {
      let j = 0;
      for (; j < tail; j += 4) {
        scratch[j]! += table[base + j]!;
        scratch[j + 1]! += table[base + j + 1]!;
        scratch[j + 2]! += table[base + j + 2]!;
        scratch[j + 3]! += table[base + j + 3]!;
      }
      for (; j < dim; j++) scratch[j]! += table[base + j]!;
    } else {
      const weight = weights[id]!;
      let j = 0;
      for (; j < tail; j += 4) {
        scratch[j]! += table[base + j]! * weight;
        scratch[j + 1]! += table[base + j + 1]! * weight;
        scratch[j + 2]! += table[base + j + 2]! * weight;
        scratch[j + 3]! += table[base + j + 3]! * weight;
      }
      for (; j < dim; j++) scratch[j]! += table[base + j]! * weight;
    }
  }
  let norm = 0;
  for (let j = 0; j < dim; j++) {
    const mean = scratch[j]! / count;
    scratch[j] = mean;
    norm += mean * mean;
  }
  // Python divides by (‖x‖ + 1e-32), so a zero vector stays zero.
  const scale = normalize ? 1 / (Math.sqrt(norm) + 1e-32) : 1;
  for (let j = 0; j < dim; j++) out[outOffset + j] = scratch[j]! * scale;
}

/** Writes each (weighted) row of `ids[start, end)` to consecutive rows of `out` from `outOffset`. */
export function gatherRows(
  source: EmbeddingTable,
  ids: Int32Array,
  start: number,
  end: number,
  out: Float32Array,
  outOffset: number,
): void {
  const { table, dim, mapping, weights } = source;
  let o = outOffset;
  for (let t = start; t < end; t++) {
    const id = ids[t]!;
    const base = (mapping === null ? id : mapping[id]!) * dim;
    const weight = weights === null ? 1 : weights[id]!;
    for (let j = 0; j < dim; j++) out[o++] = table[base + j]! * weight;
  }
}
