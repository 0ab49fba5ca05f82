/** semhash's `self_find_representative`: a few typical and mutually different records of a set. */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { rankByAverageSimilarity, type RankingOptions } from "./average-similarity.js";
import type { TextRecord } from "./dedup-records.js";
import type { FilterResult } from "./filter-result.js";
import type { SearchEncoder } from "./types.js";

/** Options of {@link selectRepresentatives}. */
export interface SelectRepresentativesOptions extends RankingOptions {
  /** Records to select. Default 10. */
  readonly selectionSize?: number | undefined;
  /**
   * The most typical records the selection is made from. Default "auto" (semhash's): a tenth of
   * the distinct records, at least `selectionSize` and 100, at most 1,000 and all of them.
   */
  readonly candidateLimit?: number | "auto" | undefined;
  /** From 0 (typical records only) to 1 (as different from each other as possible). Default 0.5. */
  readonly diversity?: number | undefined;
}

/**
 * Picks `selectionSize` representative records: the distinct records are ranked by the mean
 * cosine to their nearest other records (as in `filterOutliers`), and the top `candidateLimit`
 * are re-ranked by maximal marginal relevance (semhash's default strategy): first the most typical
 * one, then each time the candidate maximising
 * `(1 − diversity) × relevance − diversity × (its highest cosine to a selected record)`.
 *
 * `selected` holds the picks in order with those marginal scores (the first: `(1 − diversity) ×
 * relevance`); `filtered` the other candidates, in rank order, with their relevance. Records
 * outside the candidates are in neither, as in semhash. Only the first of exact copies takes part.
 *
 * @param model - What embeds the texts: a `StaticModel`, or any `{ dim, encode(texts) }`.
 * @throws InvalidInputError for a bad size, limit or diversity, or bad records (see `deduplicate`).
 */
export async function selectRepresentatives<R extends TextRecord>(
  model: SearchEncoder,
  records: readonly R[],
  options: SelectRepresentativesOptions = {},
): Promise<FilterResult<R>> {
  const size = options.selectionSize ?? 10;
  const limit = options.candidateLimit ?? "auto";
  const diversity = options.diversity ?? 0.5;
  if (!Number.isSafeInteger(size) || size < 0) throw new InvalidInputError(`selectRepresentatives: selectionSize must be a non-negative integer, got ${describe(size)}`);
  if (limit !== "auto" && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new InvalidInputError(`selectRepresentatives: candidateLimit must be "auto" or a non-negative integer, got ${describe(limit)}`);
  }
  if (typeof diversity !== "number" || !(diversity >= 0 && diversity <= 1)) {
    throw new InvalidInputError(`selectRepresentatives: diversity must be a number from 0 to 1, got ${describe(diversity)}`);
  }
  const ranking = await rankByAverageSimilarity(model, records, options, "selectRepresentatives");
  const total = ranking.order.length;
  const candidates = ranking.order.slice(0, limit === "auto" ? autoCandidateLimit(total, size) : Math.min(limit, total));
  const picks = maximalMarginalRelevance(candidates, ranking.scores, ranking.vectors, ranking.width, Math.min(size, candidates.length), diversity);
  const picked = new Set(picks.map((pick) => pick.group));
  const rest = candidates.filter((group) => !picked.has(group));
  const first = (group: number) => ranking.grouped.firstOf[group]!;
  return {
    selected: picks.map((pick) => records[first(pick.group)]!),
    selectedIndices: picks.map((pick) => first(pick.group)),
    scoresSelected: picks.map((pick) => pick.gain),
    filtered: rest.map((group) => records[first(group)]!),
    filteredIndices: rest.map(first),
    scoresFiltered: rest.map((group) => ranking.scores[group]!),
  };
}

/** semhash's `compute_candidate_limit` with its defaults (fraction 0.1, at least 100, at most 1,000). */
function autoCandidateLimit(total: number, size: number): number {
  return Math.min(Math.max(Math.floor(total * 0.1), size, 100), 1000, total);
}

/**
 * Greedy MMR over `candidates` (best first): the highest relevance first, then the best
 * trade-off of relevance and highest similarity to what is selected (the first of equal gains).
 */
function maximalMarginalRelevance(
  candidates: readonly number[],
  relevance: Float64Array,
  vectors: Float32Array,
  width: number,
  size: number,
  diversity: number,
): { group: number; gain: number }[] {
  const picks: { group: number; gain: number }[] = [];
  if (size === 0) return picks;
  const closest = new Float64Array(candidates.length).fill(-Infinity);
  const taken = new Uint8Array(candidates.length);
  let best = 0;
  for (let c = 1; c < candidates.length; c++) if (relevance[candidates[c]!]! > relevance[candidates[best]!]!) best = c;
  let gain = (1 - diversity) * relevance[candidates[best]!]!;
  for (;;) {
    taken[best] = 1;
    picks.push({ group: candidates[best]!, gain });
    if (picks.length === size) return picks;
    const chosen = candidates[best]! * width;
    best = -1;
    for (let c = 0; c < candidates.length; c++) {
      if (taken[c]) continue;
      const row = candidates[c]! * width;
      let cosine = 0;
      for (let d = 0; d < width; d++) cosine += vectors[row + d]! * vectors[chosen + d]!;
      if (cosine > closest[c]!) closest[c] = cosine;
      const candidateGain = (1 - diversity) * relevance[candidates[c]!]! - diversity * closest[c]!;
      if (best < 0 || candidateGain > gain) [best, gain] = [c, candidateGain];
    }
  }
}
