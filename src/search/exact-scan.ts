/**
 * Exact top-k by a blocked scan: the matrix is read one block of rows at a time, and each block
 * is scored against every query of the batch while it is in cache, so the matrix streams from
 * memory once per batch rather than once per query.
 */
import type { ScanScratch, ScoreBlock } from "./scan-memory.js";
import { TopK } from "./top-k.js";

/** Bytes of matrix per block: small enough to stay in L2 while all queries pass over it. */
const BLOCK_BYTES = 64 * 1024;

/** What one scan reads. */
export interface ScanInput {
  /** Row-major rows of `width` values (it may be longer: only rows `[first, end)` are read). */
  readonly matrix: Float32Array;
  readonly width: number;
  /** Rows `[first, end)` are scanned. */
  readonly first: number;
  readonly end: number;
  readonly queryCount: number;
  readonly k: number;
  readonly kernel: ScoreBlock;
  /** The kernel's scratch, for blocks of `blockRows(width)` rows, with the queries in place. */
  readonly scratch: ScanScratch;
  /** Whether the row at a position may be returned; called only for rows that would enter a top-k. */
  readonly accept?: ((position: number) => boolean) | undefined;
  /** Adds to this top-k (of `queryCount` queries and `k`), which holds only rows before `first`; default a new one. */
  readonly top?: TopK | undefined;
}

/** Rows per block for rows of `width` 32-bit values. */
export function blockRows(width: number): number {
  return Math.max(8, Math.floor(BLOCK_BYTES / (Math.max(1, width) * 4)) & ~7);
}

/** The top-k rows of `[first, end)` for every query. */
export function scanTopK(input: ScanInput): TopK {
  const { matrix, width, first, end, queryCount, k, kernel, scratch, accept } = input;
  const { queries, scores, hits } = scratch;
  const top = input.top ?? new TopK(queryCount, k);
  if (k === 0 || queryCount === 0) return top;
  const block = blockRows(width);
  const thresholds = top.thresholds;
  for (let start = first; start < end; start += block) {
    const count = Math.min(block, end - start);
    scratch.thresholds.set(thresholds);
    const hitCount = kernel(queries, queryCount, matrix, start, count, width, scores, scratch.thresholds, hits);
    for (let h = 0; h < hitCount; h++) {
      const r = hits[h]!;
      const base = r * queryCount;
      for (let q = 0; q < queryCount; q++) {
        const score = scores[base + q]!;
        // Rows come in increasing position, so a tie with the worst kept row never displaces it.
        if (score > thresholds[q]! && (accept === undefined || accept(start + r))) top.push(q, score, start + r);
      }
    }
  }
  return top;
}
