/**
 * Exact top-k by a blocked scan: the matrix is read one block of rows at a time, and each block
 * is scored against every query of the batch while it is in cache, so the matrix streams from
 * memory once per batch rather than once per query.
 */
import type { ScoreBlock } from "./score-block.js";
import { TopK } from "./top-k.js";

/** Bytes of matrix per block: small enough to stay in L2 while all queries pass over it. */
const BLOCK_BYTES = 64 * 1024;

/** What one scan reads. */
export interface ScanInput {
  /** Row-major rows × dim values (it may be longer; only the first `rows` rows are read). */
  readonly matrix: Float32Array;
  readonly dim: number;
  /** Rows `[first, end)` are scanned. */
  readonly first: number;
  readonly end: number;
  /** Row-major queries × dim values. */
  readonly queries: Float32Array;
  readonly queryCount: number;
  readonly k: number;
  readonly kernel: ScoreBlock;
  /** Room for `queryCount × blockRows(dim)` scores, where the kernel can write. */
  readonly scores: Float32Array;
  /** Whether the row at a position may be returned; called only for rows that would enter a top-k. */
  readonly accept?: ((position: number) => boolean) | undefined;
}

/** Rows per block for vectors of `dim` values. */
export function blockRows(dim: number): number {
  return Math.max(8, Math.floor(BLOCK_BYTES / (Math.max(1, dim) * 4)) & ~7);
}

/** The top-k rows of `[first, end)` for every query. */
export function scanTopK(input: ScanInput): TopK {
  const { matrix, dim, first, end, queries, queryCount, k, kernel, scores, accept } = input;
  const top = new TopK(queryCount, k);
  if (k === 0 || queryCount === 0) return top;
  const block = blockRows(dim);
  const thresholds = top.thresholds;
  for (let start = first; start < end; start += block) {
    const count = Math.min(block, end - start);
    kernel(queries, queryCount, matrix, start, count, dim, scores);
    for (let r = 0; r < count; r++) {
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
