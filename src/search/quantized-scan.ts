/**
 * Quantized search: a shortlist by binary code, then exact scores of the shortlisted rows.
 *
 * The shortlist holds each query's best `candidates` rows by binary code, chosen by
 * counting instead of a heap. A code score is an integer (`bits - 2 · distance`, distance 0..bits),
 * so each query keeps a histogram of the distances of the rows it let in, and a cut: the smallest
 * distance at or under which `candidates` rows are in. A later row gets in only strictly under
 * the cut (at the cut, the rows already in win the tie by insertion order), and the kernel skips
 * rows no query lets in. At the end a query keeps its rows under the cut, then its first rows at
 * the cut up to `candidates`: the very rows a bounded heap with ties broken by insertion order
 * would keep, at a few operations per row that gets in rather than a heap update.
 */
import { blockRows, type ScanInput } from "./exact-scan.js";
import type { ScanScratch, ScoreBlock } from "./scan-memory.js";
import { TopK } from "./top-k.js";

/**
 * Queries per kernel call. The kernel lists the rows where some query of its call gets in, and
 * each such row costs a pass over the call's scores: 16 queries rather than all 64 of a batch make
 * the shortlist of 1,000 per query take 10% less time at 1M rows (4 or 8 add kernel calls).
 */
const GROUP = 16;

/** Each query's shortlisted positions, in insertion order. */
export interface Shortlist {
  readonly queries: number;
  /** Query `q`'s positions are `positions[q * stride, q * stride + sizes[q])`. */
  readonly stride: number;
  readonly sizes: Int32Array;
  readonly positions: Int32Array;
}

/**
 * The best `input.k` rows of `[first, end)` by code score for every query, ties to the earlier row.
 * `input.kernel` scores codes of `input.width` 32-bit words; `accept` is asked only about rows that
 * would get in.
 */
export function shortlistCodes(input: ScanInput): Shortlist {
  const { matrix, width, first, end, queryCount, k: candidates, kernel, scratch, accept } = input;
  const bits = width * 32;
  const slots = bits + 1; // histogram slots: distances 0..bits
  // Room for twice the shortlist: when full, rows that can no longer make it are dropped.
  const stride = Math.min(2 * candidates, end - first);
  const positions = new Int32Array(queryCount * stride);
  const distances = new Int32Array(queryCount * stride);
  const sizes = new Int32Array(queryCount);
  const counts = new Int32Array(queryCount * slots);
  // cuts[q] starts past every distance; under[q] counts the rows in under it.
  const cuts = new Int32Array(queryCount).fill(slots);
  const under = new Int32Array(queryCount);
  const shortlist = { queries: queryCount, stride, sizes, positions };
  if (candidates === 0 || stride === 0) return shortlist;

  /** Keeps query q's rows under the cut and its first ones at the cut, up to `candidates` in all. */
  const compact = (q: number): void => {
    const base = q * stride;
    const cut = cuts[q]!;
    let room = candidates - under[q]!;
    let kept = 0;
    for (let i = 0; i < sizes[q]!; i++) {
      const distance = distances[base + i]!;
      if (distance < cut || (distance === cut && room-- > 0)) {
        positions[base + kept] = positions[base + i]!;
        distances[base + kept++] = distance;
      }
    }
    sizes[q] = kept;
  };

  const { scores, thresholds, hits } = scratch;
  // Getting in under the cut is scoring above bits - 2 · cut.
  thresholds.fill(bits - 2 * slots, 0, queryCount);
  const groups = Array.from({ length: Math.ceil(queryCount / GROUP) }, (_, g) => {
    const from = g * GROUP;
    const to = Math.min(queryCount, from + GROUP);
    return { from, count: to - from, queries: scratch.queries.subarray(from * width, to * width), thresholds: thresholds.subarray(from, to) };
  });
  const block = blockRows(width);
  for (let start = first; start < end; start += block) {
    const rows = Math.min(block, end - start);
    for (const group of groups) {
      const { from, count } = group;
      const hitCount = kernel(group.queries, count, matrix, start, rows, width, scores, group.thresholds, hits);
      for (let h = 0; h < hitCount; h++) {
        const r = hits[h]!;
        for (let g = 0; g < count; g++) {
          const q = from + g;
          // Compared again: the cut may have come down since the kernel compared (earlier rows of this block).
          const score = scores[r * count + g]!;
          if (score <= thresholds[q]!) continue;
          if (accept !== undefined && !accept(start + r)) break; // filtered out for every query
          const distance = (bits - score) / 2;
          if (sizes[q] === stride) compact(q);
          const at = q * stride + sizes[q]!;
          sizes[q] = sizes[q]! + 1;
          positions[at] = start + r;
          distances[at] = distance;
          counts[q * slots + distance] = counts[q * slots + distance]! + 1;
          let cut = cuts[q]!;
          let inUnder = under[q]! + 1;
          while (inUnder >= candidates) inUnder -= counts[q * slots + --cut]!;
          under[q] = inUnder;
          if (cut !== cuts[q]) {
            cuts[q] = cut;
            thresholds[q] = bits - 2 * cut;
          }
        }
      }
    }
  }
  for (let q = 0; q < queryCount; q++) compact(q);
  return shortlist;
}

/**
 * The exact top k among each query's shortlisted rows: each row scored by `kernel` alone, so its
 * score has the very bits exact search gives it. `scratch` is the kernel's, with the unit queries
 * in place. The rows are read in increasing position over all queries together: nearby rows
 * share memory pages, which random reads of a 1 GB matrix otherwise pay for one by one
 * (1M × 256, 64 queries × 1,000 rows: a third less time than query by query).
 */
export function rescoreShortlist(shortlist: Shortlist, kernel: ScoreBlock, matrix: Float32Array, dim: number, scratch: ScanScratch, k: number): TopK {
  const queryCount = shortlist.queries;
  const top = new TopK(queryCount, k);
  const { scores, thresholds, hits } = scratch;
  thresholds[0] = -Infinity;
  const queries = Array.from({ length: queryCount }, (_, q) => scratch.queries.subarray(q * dim, (q + 1) * dim));
  // (position, query) pairs as position · queryCount + query: exact in a float64 below 2^53.
  let total = 0;
  for (let q = 0; q < queryCount; q++) total += shortlist.sizes[q]!;
  const pairs = new Float64Array(total);
  let n = 0;
  for (let q = 0; q < queryCount; q++) {
    const base = q * shortlist.stride;
    for (let i = 0; i < shortlist.sizes[q]!; i++) pairs[n++] = shortlist.positions[base + i]! * queryCount + q;
  }
  pairs.sort();
  for (let i = 0; i < total; i++) {
    const position = Math.floor(pairs[i]! / queryCount);
    const q = pairs[i]! - position * queryCount;
    kernel(queries[q]!, 1, matrix, position, 1, dim, scores, thresholds, hits);
    top.push(q, scores[0]!, position);
  }
  return top;
}
