/**
 * The exact threshold searches behind `deduplicate`: for each query row, the best row of a target
 * set whose score is at least the threshold, where a score is the smallest cosine over the
 * columns. The prefix bound (prefix-bound.ts) on the first column skips most pairs; every pair
 * it passes is scored in full, so the answers are those of an all-pairs check.
 *
 * This is a threshold join, not a top-k search, and the greedy variant grows its target set
 * while it runs, which is why it does not go through `VectorIndex`.
 */
import { BATCH_ROWS, BLOCK_ROWS, BoundRows } from "./bound-rows.js";
import { BOUND_SLACK, HEAD, PREFIX, prefixRows, principalAxes, type PrefixRows } from "./prefix-bound.js";
import type { RecordsProgress } from "./dedup-records.js";

/** Per query row: the matched target row (-1 for none) and its score. */
export interface ThresholdMatches {
  readonly match: Int32Array;
  readonly score: Float64Array;
}

/** Rows being scanned against: their prefixes and tails in scan order, and their rows in the column matrices. */
interface Target extends PrefixRows {
  readonly columns: readonly Float32Array[];
  readonly rows: Int32Array;
  /** The rows' prefix bounds, for the block kernel. */
  readonly bounds: BoundRows;
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
    bounds: new BoundRows(count, threshold - BOUND_SLACK),
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
      kept.bounds.setRow(keptCount, query, q);
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
  const targetRows = prefixRows(targetColumns[0]!, targetCount, dim, axes);
  const bounds = new BoundRows(targetCount, threshold - BOUND_SLACK);
  for (let r = 0; r < targetCount; r++) bounds.setRow(r, targetRows, r);
  const target: Target = { columns: targetColumns, ...targetRows, rows: Int32Array.from({ length: targetCount }, (_, i) => i), bounds };
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

/**
 * Queries `[start, end)` against target rows `[0, targets)`, block by block: the block kernel
 * bounds every pair, and the pairs that reach the threshold go on to {@link checkPair}.
 */
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
  if (targets === 0) return;
  const queryCount = end - start;
  const { bounds } = target;
  const { scores, hits } = bounds;
  const limit = bounds.threshold;
  bounds.setQueries(query, start, end);
  for (let block = 0; block < targets; block += BLOCK_ROWS) {
    const hitCount = bounds.bound(queryCount, block, Math.min(BLOCK_ROWS, targets - block));
    // Rows in increasing order for each query, so the earliest of equal scores stays.
    for (let h = 0; h < hitCount; h++) {
      const r = hits[h]!;
      const base = r * queryCount;
      for (let q = 0; q < queryCount; q++) {
        if (scores[base + q]! > limit) checkPair(queryColumns, query, start + q, target, block + r, dim, threshold, matches);
      }
    }
  }
}

/** The prefix bound of query `q` and target row `r`, and where it reaches the threshold their full score. */
function checkPair(
  queryColumns: readonly Float32Array[],
  query: PrefixRows,
  q: number,
  target: Target,
  r: number,
  dim: number,
  threshold: number,
  matches: ThresholdMatches,
): void {
  const p = query.prefix;
  const t = target.prefix;
  let bound = query.tail[q]! * target.tail[r]!;
  for (let i = 0, a = q * PREFIX, b = r * PREFIX; i < PREFIX; i++) bound += p[a + i]! * t[b + i]!;
  if (bound < threshold - BOUND_SLACK) return;
  const score = rowScore(queryColumns, q, target.columns, target.rows[r]!, dim, threshold);
  // Strictly greater: of equal scores, the earliest target row stays.
  if (score >= threshold && score > matches.score[q]!) {
    matches.score[q] = score;
    matches.match[q] = target.rows[r]!;
  }
}

/**
 * Query row `q` against target rows `[from, to)` (the few kept earlier in its own batch): the
 * 8-coordinate bound in JavaScript, then {@link checkPair}.
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
  const queryHeadTail = query.headTail[q]!;
  const limit = threshold - BOUND_SLACK;
  const { prefix, headTail } = target;
  for (let r = from; r < to; r++) {
    let head = queryHeadTail * headTail[r]!;
    for (let i = 0, t = r * PREFIX; i < HEAD; i++) head += p[o + i]! * prefix[t + i]!;
    if (head >= limit) checkPair(queryColumns, query, q, target, r, dim, threshold, matches);
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
