/**
 * The prefix bound of the threshold scan (threshold-scan.ts) on the exact search's block kernel:
 * a row's PREFIX coordinates and the norm of the rest, written as one row `[p0 … p19, |tail|, 0,
 * 0, 0]`, make the bound `pq·pr + |tail q|·|tail r|` a plain dot product. So the WebAssembly SIMD
 * kernel of `VectorIndex` (dot-block.wat, through scan-memory.ts; the JavaScript kernel where SIMD
 * is missing) bounds a batch of queries against a block of rows at once, and lists the few rows
 * where some query's bound reaches the threshold. On 30,000 Wikipedia sentences this took the
 * greedy scan from 10.2 s of CPU (the bounds in JavaScript, 8 then 16 coordinates) to 2.1 s;
 * bounds on 8 coordinates (12-value rows) took 3.7 s, as nearly every row of a 64-query batch
 * then has a query passing it; 28 coordinates were no faster than 20.
 */
import { PREFIX, type PrefixRows } from "./prefix-bound.js";
import { openScanMemory, type ScanScratch } from "./scan-memory.js";
import { DOT_KERNELS } from "./score-block.js";

/** Values per bound row: PREFIX coordinates and the tail norm, padded to the kernel's multiple of 4. */
const WIDTH = Math.ceil((PREFIX + 1) / 4) * 4;
/** Query rows per batch: each block of rows is read once per batch. */
export const BATCH_ROWS = 64;
/** Rows per block: 2048 × 24 float32 values, 192 KiB, stay in L2 while a batch passes. */
export const BLOCK_ROWS = 2048;

/** Bound rows for up to `capacity` target rows, and the scratch of one batch (64 queries). */
export class BoundRows {
  readonly #memory;
  readonly #rows: Float32Array;
  readonly #scratch: ScanScratch;

  /**
   * @param capacity - Target rows it holds.
   * @param limit - The bound a pair must reach to be a candidate.
   */
  constructor(capacity: number, limit: number) {
    this.#memory = openScanMemory(WIDTH, Math.max(1, capacity) * WIDTH, DOT_KERNELS);
    this.#scratch = this.#memory.scratch(BATCH_ROWS, WIDTH, BLOCK_ROWS);
    // Taken after the scratch, which may grow (and so detach) the memory; nothing grows later.
    this.#rows = this.#memory.matrix(Math.max(1, capacity) * WIDTH);
    // The kernel lists scores strictly above the threshold: a hair below the limit (which has slack to spare).
    this.#scratch.thresholds.fill(limit - 1e-6);
  }

  /** The last block's bounds, `scores[r * queryCount + q]`, and what a candidate's bound must exceed. */
  get scores(): Float32Array {
    return this.#scratch.scores;
  }

  get threshold(): number {
    return this.#scratch.thresholds[0]!;
  }

  /** The rows of the last block (0-based) where some query's bound exceeds the threshold, in increasing order. */
  get hits(): Int32Array {
    return this.#scratch.hits;
  }

  /** Makes target row `row` the bound row of `source`'s row `from`. */
  setRow(row: number, source: PrefixRows, from: number): void {
    writeBoundRow(this.#rows, row, source, from);
  }

  /** Loads `source`'s rows `[start, end)` as the batch of queries. */
  setQueries(source: PrefixRows, start: number, end: number): void {
    for (let q = start; q < end; q++) writeBoundRow(this.#scratch.queries, q - start, source, q);
  }

  /**
   * Bounds the batch's `queryCount` queries against target rows `[first, first + count)` into `scores`.
   *
   * @returns How many rows of the block are in `hits`.
   */
  bound(queryCount: number, first: number, count: number): number {
    const { queries, scores, thresholds, hits } = this.#scratch;
    return this.#memory.kernel(queries, queryCount, this.#rows, first, count, WIDTH, scores, thresholds, hits);
  }
}

function writeBoundRow(out: Float32Array, row: number, source: PrefixRows, from: number): void {
  const o = row * WIDTH;
  for (let i = 0; i < PREFIX; i++) out[o + i] = source.prefix[from * PREFIX + i]!;
  out[o + PREFIX] = source.tail[from]!;
}
