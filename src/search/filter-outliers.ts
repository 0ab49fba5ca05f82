/** semhash's `self_filter_outliers`: the least typical records of a set. */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { rankByAverageSimilarity, type RankingOptions } from "./average-similarity.js";
import type { TextRecord } from "./dedup-records.js";
import type { FilterResult } from "./filter-result.js";
import type { SearchEncoder } from "./types.js";

/** Options of {@link filterOutliers}. */
export interface FilterOutliersOptions extends RankingOptions {
  /** The fraction of records filtered out, from 0 to 1. Default 0.1 (semhash's `outlier_percentage`). */
  readonly outlierFraction?: number | undefined;
}

/**
 * Splits off the least typical records: each record is scored by the mean cosine similarity to
 * its `neighbours` (100) nearest other records, and the lowest-scoring `ceil(n × outlierFraction)`
 * records are filtered out. Exact copies (equal in every column) are embedded once and share
 * their score. `selected` holds the rest, best first; `filtered` the outliers, also best first
 * (so the most atypical record comes last). Equal scores keep input order.
 *
 * As semhash, except that a lone record scores 0 (semhash: NaN) and that neighbours are found
 * by exact search (semhash: an approximate index by default).
 *
 * @param model - What embeds the texts: a `StaticModel`, or any `{ dim, encode(texts) }`.
 * @throws InvalidInputError for a fraction outside [0, 1], or bad records (see `deduplicate`).
 */
export async function filterOutliers<R extends TextRecord>(model: SearchEncoder, records: readonly R[], options: FilterOutliersOptions = {}): Promise<FilterResult<R>> {
  const fraction = options.outlierFraction ?? 0.1;
  if (typeof fraction !== "number" || !(fraction >= 0 && fraction <= 1)) {
    throw new InvalidInputError(`filterOutliers: outlierFraction must be a number from 0 to 1, got ${describe(fraction)}`);
  }
  const { grouped, scores, order } = await rankByAverageSimilarity(model, records, options, "filterOutliers");
  // Every record in the ranking: a group's copies follow its first record, with its score.
  const members: number[][] = order.map(() => []);
  const rankOf = new Int32Array(order.length);
  order.forEach((group, rank) => (rankOf[group] = rank));
  records.forEach((_, i) => members[rankOf[grouped.groupOf[i]!]!]!.push(i));
  const ranked = members.flat();
  const inliers = ranked.length - Math.ceil(ranked.length * fraction);
  const scoreOf = (i: number) => scores[grouped.groupOf[i]!]!;
  return {
    selected: ranked.slice(0, inliers).map((i) => records[i]!),
    selectedIndices: ranked.slice(0, inliers),
    scoresSelected: ranked.slice(0, inliers).map(scoreOf),
    filtered: ranked.slice(inliers).map((i) => records[i]!),
    filteredIndices: ranked.slice(inliers),
    scoresFiltered: ranked.slice(inliers).map(scoreOf),
  };
}
