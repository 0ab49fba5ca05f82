/**
 * The pooling kernels. Rows come from a contiguous table in its stored dtype (float32,
 * float16 or int8); `mapping` (vocabulary quantization) picks the row of each token and
 * `weights` scales it, indexed by the original token id, as Python's
 * `embedding[mapping[ids]] * weights[ids]`.
 *
 * Two implementations: the WebAssembly SIMD kernel (src/linalg/wasm/pool.wat), used when
 * the table lives in kernel memory, and the JavaScript kernel below, used where SIMD is
 * missing, turned off (`MODEL2VEC_WASM=off`) or the width is not a multiple of 4.
 */
import { halfToFloatTable } from "../formats/float16.js";
import { type StoredTable, STORED_BYTES } from "../linalg/stored-table.js";
import { type PoolRegion, PoolMemory, TEXTS_PER_CALL, TOKENS_PER_CALL } from "../linalg/wasm/pool-memory.js";
import { sharedMemorySupported, wasmKernelsEnabled } from "../linalg/wasm/wasm-runtime.js";

/** The lookup a model pools over. */
export interface EmbeddingTable {
  /** The rows; their values live in `memory` when the SIMD kernel pools them. */
  readonly table: StoredTable;
  readonly mapping: Int32Array | null;
  readonly weights: Float32Array | null;
  /** The kernel memory holding `table`, or null for the JavaScript kernel. */
  readonly memory: PoolMemory | null;
}

/**
 * The table a model pools over: `table` moved into kernel memory (with `threads` scratch
 * regions, shared where threads can share it) when the SIMD kernel can pool it, else as given.
 */
export function poolingTable(table: StoredTable, mapping: Int32Array | null, weights: Float32Array | null, threads: number): EmbeddingTable {
  if (table.dim % 4 !== 0 || !wasmKernelsEnabled()) return { table, mapping, weights, memory: null };
  const memory = PoolMemory.create(table, threads, threads > 1 && sharedMemorySupported());
  return { table: memory.table, mapping, weights, memory };
}

/**
 * Reusable buffers of {@link meanPool} for one thread: its scratch region of the kernel
 * memory, or JavaScript buffers that grow with the longest text seen.
 */
export class PoolScratch {
  /** Float64 sums of one text, `dim` wide (JavaScript kernel). */
  readonly accumulator: Float64Array;
  /** This thread's region of the kernel memory, or null. */
  readonly region: PoolRegion | null;
  #rowOffsets = new Int32Array(512);
  #weights = new Float64Array(512);
  #rows = new Float32Array(0);

  /** @param region - The scratch region of `source.memory` this thread uses (each thread its own). */
  constructor(source: EmbeddingTable, region = 0) {
    this.accumulator = new Float64Array(source.table.dim);
    this.region = source.memory?.region(region) ?? null;
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

  /** Room for `length` decoded values. */
  rows(length: number): Float32Array {
    if (this.#rows.length < length) this.#rows = new Float32Array(Math.max(length, this.#rows.length * 2));
    return this.#rows;
  }
}

/**
 * Writes the mean of the (weighted) rows of `ids[start, end)` to
 * `out[outOffset, outOffset + dim)`, L2-normalised when asked. No ids gives a
 * zero vector.
 *
 * The JavaScript kernel sums in float64; the SIMD kernel adds float32 partial sums of 32
 * tokens into float64 sums, within 1e-6 (relative) of it (test/model/pooling.test.ts).
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
  const dim = source.table.dim;
  const count = end - start;
  if (count === 0) {
    out.fill(0, outOffset, outOffset + dim);
    return;
  }
  if (source.memory !== null && scratch.region !== null) {
    kernelMeanPool(source, source.memory, scratch.region, ids, start, count, normalize);
    out.set(scratch.region.out.subarray(0, dim), outOffset);
    return;
  }
  const rows = scratch.rowOffsets(count);
  const { table, mapping, weights } = source;
  for (let t = 0; t < count; t++) {
    const id = ids[start + t]!;
    rows[t] = (mapping === null ? id : mapping[id]!) * dim;
  }
  let values: Float32Array | Int8Array;
  if (table.dtype === "float16") {
    // Decoded row by row into scratch first: then one summing loop serves every dtype.
    values = scratch.rows(count * dim);
    decodeHalfRows(table.values, rows, count, dim, values);
  } else {
    values = table.values;
  }
  const sums = scratch.accumulator;
  if (weights === null) {
    sumColumns(values, rows, count, dim, sums);
  } else {
    const scale = scratch.weights(count);
    for (let t = 0; t < count; t++) scale[t] = weights[ids[start + t]!]!;
    sumWeightedColumns(values, rows, scale, count, dim, sums);
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

/**
 * {@link meanPool} of every text of a batch: text k's ids are `ids[offsets[k], offsets[k + 1])`,
 * its vector row `outRow + k` of `out`. The SIMD kernel pools up to TEXTS_PER_CALL texts per
 * call (a text longer than one call alone goes through {@link meanPool}).
 */
export function meanPoolTexts(
  source: EmbeddingTable,
  ids: Int32Array,
  offsets: Int32Array,
  out: Float32Array,
  outRow: number,
  normalize: boolean,
  scratch: PoolScratch,
): void {
  const dim = source.table.dim;
  const texts = offsets.length - 1;
  const { memory } = source;
  const region = scratch.region;
  if (memory === null || region === null) {
    for (let k = 0; k < texts; k++) meanPool(source, ids, offsets[k]!, offsets[k + 1]!, out, (outRow + k) * dim, normalize, scratch);
    return;
  }
  const { table, weights } = source;
  let k = 0;
  while (k < texts) {
    const start = offsets[k]!;
    let end = k;
    while (end < texts && end - k < TEXTS_PER_CALL && offsets[end + 1]! - start <= TOKENS_PER_CALL) end++;
    if (end === k) {
      meanPool(source, ids, start, offsets[k + 1]!, out, (outRow + k) * dim, normalize, scratch);
      k++;
      continue;
    }
    writeRows(source, memory, region, ids, start, offsets[end]! - start);
    const local = region.offsets;
    for (let j = k; j <= end; j++) local[j - k] = offsets[j]! - start;
    const count = end - k;
    memory.kernel.poolTexts(
      table.dtype,
      region.rowsAddress,
      weights === null ? region.onesAddress : region.weightsAddress,
      region.offsetsAddress,
      count,
      dim,
      normalize,
      region.sumsAddress,
      region.outAddress,
    );
    out.set(region.out.subarray(0, count * dim), (outRow + k) * dim);
    k = end;
  }
}

/** The SIMD kernel's mean of `count` ids from `start`, left in `region.out`. */
function kernelMeanPool(source: EmbeddingTable, memory: PoolMemory, region: PoolRegion, ids: Int32Array, start: number, count: number, normalize: boolean): void {
  const { table, weights } = source;
  const dim = table.dim;
  const sum = memory.kernel.summer(table.dtype);
  for (let done = 0; done < count; done += TOKENS_PER_CALL) {
    const n = Math.min(TOKENS_PER_CALL, count - done);
    writeRows(source, memory, region, ids, start + done, n);
    sum(region.rowsAddress, weights === null ? region.onesAddress : region.weightsAddress, n, dim, region.sumsAddress);
  }
  memory.kernel.finish(region.sumsAddress, dim, count, normalize, region.outAddress);
}

/** Writes the row addresses (and weights, if any) of `ids[first, first + n)` to `region` (n ≤ TOKENS_PER_CALL). */
function writeRows(source: EmbeddingTable, memory: PoolMemory, region: PoolRegion, ids: Int32Array, first: number, n: number): void {
  const { table, mapping, weights } = source;
  const rowBytes = table.dim * STORED_BYTES[table.dtype];
  const base = memory.tableAddress;
  const rows = region.rows;
  if (mapping === null) for (let t = 0; t < n; t++) rows[t] = base + ids[first + t]! * rowBytes;
  else for (let t = 0; t < n; t++) rows[t] = base + mapping[ids[first + t]!]! * rowBytes;
  if (weights !== null) {
    const scale = region.weights;
    for (let t = 0; t < n; t++) scale[t] = weights[ids[first + t]!]!;
  }
}

/** Rows `rows[t]` (value offsets) of a float16 table, decoded to consecutive rows of `out`; `rows[t]` then points there. */
function decodeHalfRows(half: Uint16Array, rows: Int32Array, count: number, dim: number, out: Float32Array): void {
  const decode = halfToFloatTable();
  for (let t = 0; t < count; t++) {
    const from = rows[t]!;
    const to = t * dim;
    for (let j = 0; j < dim; j++) out[to + j] = decode[half[from + j]!]!;
    rows[t] = to;
  }
}

/** `sums[j] = Σ_t table[rows[t] + j]`, eight columns at a time. Kept apart from the weighted loop: 20% faster than it with unit weights. */
function sumColumns(table: Float32Array | Int8Array, rows: Int32Array, count: number, dim: number, sums: Float64Array): void {
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
function sumWeightedColumns(table: Float32Array | Int8Array, rows: Int32Array, scale: Float64Array, count: number, dim: number, sums: Float64Array): void {
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

/** Writes each (weighted) row of `ids[start, end)` to consecutive rows of `out` from `outOffset`, decoded to float32. */
export function gatherRows(
  source: EmbeddingTable,
  ids: Int32Array,
  start: number,
  end: number,
  out: Float32Array,
  outOffset: number,
): void {
  const { table, mapping, weights } = source;
  const { dim } = table;
  const decode = table.dtype === "float16" ? halfToFloatTable() : null;
  let o = outOffset;
  for (let t = start; t < end; t++) {
    const id = ids[t]!;
    const base = (mapping === null ? id : mapping[id]!) * dim;
    const weight = weights === null ? 1 : weights[id]!;
    if (decode === null) {
      const values = table.values as Float32Array | Int8Array;
      for (let j = 0; j < dim; j++) out[o++] = values[base + j]! * weight;
    } else {
      for (let j = 0; j < dim; j++) out[o++] = decode[table.values[base + j]!]! * weight;
    }
  }
}
