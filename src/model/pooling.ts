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

/** Reusable buffers of {@link meanPool}, sized for one row width; they grow with the longest text seen. */
export class PoolScratch {
  /** Float64 sums of one text, `dim` wide. */
  readonly accumulator: Float64Array;
  #rowOffsets = new Int32Array(512);
  #weights = new Float64Array(512);

  constructor(dim: number) {
    this.accumulator = new Float64Array(dim);
  }

  /** Room for `count` row offsets. */
  rowOffsets(count: number): Int32Array {
    if (this.#rowOffsets.length < count) this.#rowOffsets = new Int32Array(Math.max(count, this.#rowOffsets.length * 2));
    return this.#rowOffsets;
  }

  /** Room for `count` token weights. */
  weights(count: number): Float64Array {
    if (this.#weights.length < count) this.#weights = new Float64Array(Math.max(count, this.#weights.length * 2));
    return this.#weights;
  }
}

/**
 * Writes the mean of the (weighted) rows of `ids[start, end)` to
 * `out[outOffset, outOffset + dim)`, L2-normalised when asked. No ids gives a
 * zero vector.
 *
 * Sums run column block by column block: eight float64 sums live in locals while
 * the loop walks the text's rows (a sentence's rows stay in cache), so the inner
 * loop only loads table values, and no accumulator array is read or written per
 * token. Each column still adds its values in token order, in float64, so the
 * result does not depend on the blocking. Measured 1.85× faster than row-by-row
 * accumulation into a Float64Array on potion-shaped rows (256 wide).
 */
export function meanPool(
  source: EmbeddingTable,
  ids: Int32Array,
  start: number,
  end: number,
  out: Float32Array,
  outOffset: number,
  normalize: boolean,
  scratch: PoolScratch,
): void {
  const { table, dim, mapping, weights } = source;
  const count = end - start;
  if (count === 0) {
    out.fill(0, outOffset, outOffset + dim);
    return;
  }
  const rows = scratch.rowOffsets(count);
  for (let t = 0; t < count; t++) {
    const id = ids[start + t]!;
    rows[t] = (mapping === null ? id : mapping[id]!) * dim;
  }
  const sums = scratch.accumulator;
  if (weights === null) {
    sumColumns(table, rows, count, dim, sums);
  } else {
    const scale = scratch.weights(count);
    for (let t = 0; t < count; t++) scale[t] = weights[ids[start + t]!]!;
    sumWeightedColumns(table, rows, scale, count, dim, sums);
  }
  let norm = 0;
  for (let j = 0; j < dim; j++) {
    const mean = sums[j]! / count;
    sums[j] = mean;
    norm += mean * mean;
  }
  // Python divides by (‖x‖ + 1e-32), so a zero vector stays zero.
  const scale = normalize ? 1 / (Math.sqrt(norm) + 1e-32) : 1;
  for (let j = 0; j < dim; j++) out[outOffset + j] = sums[j]! * scale;
}

/** `sums[j] = Σ_t table[rows[t] + j]`, eight columns at a time. Kept apart from the weighted loop: 20% faster than it with unit weights. */
function sumColumns(table: Float32Array, rows: Int32Array, count: number, dim: number, sums: Float64Array): void {
  let j = 0;
  for (; j + 8 <= dim; j += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let t = 0; t < count; t++) {
      const b = rows[t]! + j;
      s0 += table[b]!;
      s1 += table[b + 1]!;
      s2 += table[b + 2]!;
      s3 += table[b + 3]!;
      s4 += table[b + 4]!;
      s5 += table[b + 5]!;
      s6 += table[b + 6]!;
      s7 += table[b + 7]!;
    }
    sums[j] = s0;
    sums[j + 1] = s1;
    sums[j + 2] = s2;
    sums[j + 3] = s3;
    sums[j + 4] = s4;
    sums[j + 5] = s5;
    sums[j + 6] = s6;
    sums[j + 7] = s7;
  }
  for (; j < dim; j++) {
    let sum = 0;
    for (let t = 0; t < count; t++) sum += table[rows[t]! + j]!;
    sums[j] = sum;
  }
}

/** `sums[j] = Σ_t table[rows[t] + j] · scale[t]`, eight columns at a time. */
function sumWeightedColumns(table: Float32Array, rows: Int32Array, scale: Float64Array, count: number, dim: number, sums: Float64Array): void {
  let j = 0;
  for (; j + 8 <= dim; j += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let t = 0; t < count; t++) {
      const b = rows[t]! + j;
      const w = scale[t]!;
      s0 += table[b]! * w;
      s1 += table[b + 1]! * w;
      s2 += table[b + 2]! * w;
      s3 += table[b + 3]! * w;
      s4 += table[b + 4]! * w;
      s5 += table[b + 5]! * w;
      s6 += table[b + 6]! * w;
      s7 += table[b + 7]! * w;
    }
    sums[j] = s0;
    sums[j + 1] = s1;
    sums[j + 2] = s2;
    sums[j + 3] = s3;
    sums[j + 4] = s4;
    sums[j + 5] = s5;
    sums[j + 6] = s6;
    sums[j + 7] = s7;
  }
  for (; j < dim; j++) {
    let sum = 0;
    for (let t = 0; t < count; t++) sum += table[rows[t]! + j]! * scale[t]!;
    sums[j] = sum;
  }
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
