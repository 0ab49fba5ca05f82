/**
 * The exact threshold searches behind `deduplicate`: for each query row, the best row of a target
 * set whose score is at least the threshold, where a score is the smallest cosine over the
 * columns. The prefix bound (prefix-bound.ts) on the first column skips most pairs; every pair
 * it passes is scored in full, so the answers are those of an all-pairs check.
 *
 * This is a threshold join, not a top-k search, and the greedy variant grows its target set
 * while it runs, which is why it does not go through `VectorIndex`.
 */
import { BOUND_SLACK, PREFIX, prefixRows, principalAxes, type PrefixRows } from "./prefix-bound.js";
import type { RecordsProgress } from "./dedup-records.js";

/** Per query row: the matched target row (-1 for none) and its score. */
export interface ThresholdMatches {
  readonly match: Int32Array;
  readonly score: Float64Array;
}

/** Query rows per batch: each block of target rows is read once per batch. */
const BATCH_ROWS = 64;
/** Target rows per block: 2048 × 16 float32 prefixes, 128 KiB, stay in L2 while a batch passes. */
const BLOCK_ROWS = 2048;

/** Rows being scanned against: their prefixes and tails in scan order, and their rows in the column matrices. */
interface Target extends PrefixRows {
  readonly columns: readonly Float32Array[];
  readonly rows: Int32Array;
}

/**
 * Greedy selection in row order: a row matches the best row kept before it (ties go to the
 * earliest); a row that matches none is kept. Rows are processed in batches; rows kept earlier in
 * the same batch are searched after the ones kept before it, which keeps row order.
 *
 * @param columns - One row-major matrix of unit rows per column, `count` rows each.
 */
export function greedyMatches(columns: readonly Float32Array[], dim: number, count: number, threshold: number, onProgress?: RecordsProgress): ThresholdMatches {
  const query = prefixRows(columns[0]!, count, dim, principalAxes(columns[0]!, count, dim));
  const kept: Target = {
    columns,
    prefix: new Float32Array(count * PREFIX),
    headTail: new Float64Array(count),
    tail: new Float64Array(count),
    rows: new Int32Array(count),
  };
  let keptCount = 0;
  const matches = emptyMatches(count);
  for (let start = 0; start < count; start += BATCH_ROWS) {
    const end = Math.min(count, start + BATCH_ROWS);
    const keptBefore = keptCount;
    scanBlocks(columns, query, start, end, kept, keptBefore, dim, threshold, matches);
    for (let q = start; q < end; q++) {
      scanRange(columns, query, q, kept, keptBefore, keptCount, dim, threshold, matches);
      if (matches.match[q] !== -1) continue;
      kept.prefix.set(query.prefix.subarray(q * PREFIX, (q + 1) * PREFIX), keptCount * PREFIX);
      kept.headTail[keptCount] = query.headTail[q]!;
      kept.tail[keptCount] = query.tail[q]!;
      kept.rows[keptCount++] = q;
    }
    onProgress?.({ stage: "search", done: end, total: count });
  }
  return matches;
}

/**
 * Each query row's best match among all target rows (ties go to the earliest target row).
 *
 * @param queryColumns - One matrix of unit rows per column, `queryCount` rows each.
 * @param targetColumns - The same columns of the target set, `targetCount` rows each.
 */
export function referenceMatches(
  queryColumns: readonly Float32Array[],
  queryCount: number,
  targetColumns: readonly Float32Array[],
  targetCount: number,
  dim: number,
  threshold: number,
  onProgress?: RecordsProgress,
): ThresholdMatches {
  const matches = emptyMatches(queryCount);
  if (targetCount === 0) return matches;
  const axes = principalAxes(targetColumns[0]!, targetCount, dim);
  const query = prefixRows(queryColumns[0]!, queryCount, dim, axes);
  const target: Target = { columns: targetColumns, ...prefixRows(targetColumns[0]!, targetCount, dim, axes), rows: Int32Array.from({ length: targetCount }, (_, i) => i) };
  for (let start = 0; start < queryCount; start += BATCH_ROWS) {
    const end = Math.min(queryCount, start + BATCH_ROWS);
    scanBlocks(queryColumns, query, start, end, target, targetCount, dim, threshold, matches);
    onProgress?.({ stage: "search", done: end, total: queryCount });
  }
  return matches;
}

function emptyMatches(count: number): ThresholdMatches {
  return { match: new Int32Array(count).fill(-1), score: new Float64Array(count).fill(-Infinity) };
}

/** Queries `[start, end)` against target rows `[0, targets)`, block by block. */
function scanBlocks(
  queryColumns: readonly Float32Array[],
  query: PrefixRows,
  start: number,
  end: number,
  target: Target,
  targets: number,
  dim: number,
  threshold: number,
  matches: ThresholdMatches,
): void {
  for (let block = 0; block < targets; block += BLOCK_ROWS) {
    const blockEnd = Math.min(targets, block + BLOCK_ROWS);
    for (let q = start; q < end; q++) scanRange(queryColumns, query, q, target, block, blockEnd, dim, threshold, matches);
  }
}

/**
 * Query row `q` against target rows `[from, to)`: the 8-term bound for each, the 16-term bound
 * where that reaches the threshold, a full score where both do. The query's prefix sits in locals
 * for the whole range.
 */
function scanRange(
  queryColumns: readonly Float32Array[],
  query: PrefixRows,
  q: number,
  target: Target,
  from: number,
  to: number,
  dim: number,
  threshold: number,
  matches: ThresholdMatches,
): void {
  const p = query.prefix;
  const o = q * PREFIX;
  const x0 = p[o]!, x1 = p[o + 1]!, x2 = p[o + 2]!, x3 = p[o + 3]!, x4 = p[o + 4]!, x5 = p[o + 5]!, x6 = p[o + 6]!, x7 = p[o + 7]!;
  const x8 = p[o + 8]!, x9 = p[o + 9]!, x10 = p[o + 10]!, x11 = p[o + 11]!, x12 = p[o + 12]!, x13 = p[o + 13]!, x14 = p[o + 14]!, x15 = p[o + 15]!;
  const queryHeadTail = query.headTail[q]!;
  const queryTail = query.tail[q]!;
  const limit = threshold - BOUND_SLACK;
  const { prefix, headTail, tail, rows } = target;
  for (let r = from; r < to; r++) {
    const t = r * PREFIX;
    const head =
      x0 * prefix[t]! + x1 * prefix[t + 1]! + x2 * prefix[t + 2]! + x3 * prefix[t + 3]! +
      x4 * prefix[t + 4]! + x5 * prefix[t + 5]! + x6 * prefix[t + 6]! + x7 * prefix[t + 7]!;
    if (head + queryHeadTail * headTail[r]! < limit) continue;
    const bound =
      head + x8 * prefix[t + 8]! + x9 * prefix[t + 9]! + x10 * prefix[t + 10]! + x11 * prefix[t + 11]! +
      x12 * prefix[t + 12]! + x13 * prefix[t + 13]! + x14 * prefix[t + 14]! + x15 * prefix[t + 15]! +
      queryTail * tail[r]!;
    if (bound < limit) continue;
    const score = rowScore(queryColumns, q, target.columns, rows[r]!, dim, threshold);
    // Strictly greater: of equal scores, the earliest target row stays.
    if (score >= threshold && score > matches.score[q]!) {
      matches.score[q] = score;
      matches.match[q] = rows[r]!;
    }
  }
}

/**
 * The score of query row `q` and target row `r`: their smallest cosine over the columns (each a
 * dot product of unit rows summed in order), or -Infinity as soon as a column is below `threshold`.
 */
export function rowScore(queryColumns: readonly Float32Array[], q: number, targetColumns: readonly Float32Array[], r: number, dim: number, threshold: number): number {
  let score = Infinity;
  for (let c = 0; c < queryColumns.length; c++) {
    const a = queryColumns[c]!;
    const b = targetColumns[c]!;
    let sum = 0;
    for (let i = 0, x = q * dim, y = r * dim; i < dim; i++) sum += a[x + i]! * b[y + i]!;
    if (sum < threshold) return -Infinity;
    if (sum < score) score = sum;
  }
  return score;
}
