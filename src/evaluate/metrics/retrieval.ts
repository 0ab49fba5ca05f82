/**
 * Retrieval metrics: pytrec_eval (trec_eval's `ndcg_cut`, `map_cut`, `recall`,
 * `P`), BEIR's MRR and MTEB's `RetrievalEvaluator`.
 */

import { compareCodePoints } from "./labels.js";

/** Graded relevance judgements of one query: document id → grade (integer). */
export type QueryQrels = ReadonlyMap<string, number>;

/**
 * Checks a ranking for the problems trec_eval refuses (duplicate documents) and
 * the cutoff; returns the number of ranks that count, min(k, ranking length).
 */
function checkRanking(name: string, ranked: readonly string[], k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: cutoff k must be a positive integer, got ${k}`);
  if (new Set(ranked).size !== ranked.length) throw new RangeError(`${name}: a document appears twice in the ranking (trec_eval refuses duplicates)`);
  return Math.min(k, ranked.length);
}

function grade(qrels: QueryQrels, doc: string): number {
  const value = qrels.get(doc);
  if (value === undefined) return 0;
  if (!Number.isInteger(value)) throw new RangeError(`qrels: grade ${value} of "${doc}" is not an integer (pytrec_eval takes integer grades)`);
  return value;
}

/** Number of judged-relevant documents: grade ≥ 1 (trec_eval `relevance_level` 1). */
function countRelevant(qrels: QueryQrels): number {
  let count = 0;
  for (const [doc] of qrels) if (grade(qrels, doc) >= 1) count++;
  return count;
}

/**
 * nDCG@k as pytrec_eval's `ndcg_cut.k` (trec_eval's `m_ndcg_cut.c`; pytrec_eval
 * builds trec_eval 9.0.5), which MTEB reports as `ndcg_at_k` (the main retrieval
 * score, k = 10).
 *
 *   DCG@k  = Σ_{i=1..min(k,n)} g_i / log2(i + 1)      (i = rank, from 1)
 *   IDCG@k = the same sum over the grades of ALL judged documents with grade > 0,
 *            sorted descending, cut at k (so fewer than k relevant documents is fine)
 *   nDCG@k = DCG@k / IDCG@k, or 0 when IDCG = 0 (no relevant judgement)
 *
 * Gains are linear — the grade itself, not 2^g − 1 ("Gain values are the
 * relevance values in the qrels file", trec_eval's own description). Documents
 * without a judgement, or with a grade ≤ 0, gain nothing. The discount is
 * trec_eval's `log2(i + 2)` for the 0-based position i ("i+2 since doc i has rank
 * i+1"); a 2008 revision of the file divided by log2(i) from rank 2 on
 * (Järvelin–Kekäläinen with b = 2), which current trec_eval no longer does.
 *
 * @param ranked document ids, best first (see {@link rankByScore} for trec_eval's
 *   order of a scored run, ties included).
 * @param qrels this query's judgements; grades must be integers.
 */
export function ndcgAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("ndcgAtK", ranked, k);
  let dcg = 0;
  for (let i = 0; i < cut; i++) {
    const gain = grade(qrels, ranked[i]!);
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  }
  const gains: number[] = [];
  for (const [doc] of qrels) {
    const gain = grade(qrels, doc);
    if (gain > 0) gains.push(gain);
  }
  gains.sort((a, b) => b - a);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) ideal += gains[i]! / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/**
 * MAP@k as pytrec_eval's `map_cut.k` (`m_map_cut.c`), MTEB's `map_at_k`:
 *
 *   AP@k = (Σ_{i ≤ k, doc i relevant} P@i) / R
 *
 * with P@i the precision at rank i and R the number of ALL judged-relevant
 * documents (grade ≥ 1) — not min(k, R): a query with 20 relevant documents and
 * a perfect top 10 scores 10/20 = 0.5. 0 when R = 0.
 */
export function mapAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("mapAtK", ranked, k);
  const relevant = countRelevant(qrels);
  if (relevant === 0) return 0;
  let sum = 0;
  let found = 0;
  for (let i = 0; i < cut; i++) {
    if (grade(qrels, ranked[i]!) >= 1) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / relevant;
}

/**
 * Recall@k as pytrec_eval's `recall.k` (`m_recall.c`), MTEB's `recall_at_k`:
 * relevant documents (grade ≥ 1) in the top k / all judged-relevant documents;
 * 0 when there are none. (Not BEIR's capped `R_cap@k`, which divides by min(R, k).)
 */
export function recallAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("recallAtK", ranked, k);
  const relevant = countRelevant(qrels);
  if (relevant === 0) return 0;
  let found = 0;
  for (let i = 0; i < cut; i++) if (grade(qrels, ranked[i]!) >= 1) found++;
  return found / relevant;
}

/**
 * Precision@k as pytrec_eval's `P.k` (`m_P.c`), MTEB's `precision_at_k`: relevant
 * documents (grade ≥ 1) in the top k / k — always k, even when fewer than k
 * documents were ranked (trec_eval fills the rest with non-relevant ones).
 */
export function precisionAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("precisionAtK", ranked, k);
  let found = 0;
  for (let i = 0; i < cut; i++) if (grade(qrels, ranked[i]!) >= 1) found++;
  return found / k;
}

/**
 * MRR@k as MTEB's `mrr` (`mteb/evaluation/evaluators/utils.py`, taken from BEIR's
 * `custom_metrics.mrr`), reported as `mrr_at_k`: 1 / rank of the first document
 * in the top k with grade > 0, else 0. (Not a pytrec_eval measure; MTEB ranks
 * the run with Python's stable sort, so its ties keep the run's insertion order
 * rather than trec_eval's — pass the ranking you mean.)
 */
export function mrrAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("mrrAtK", ranked, k);
  for (let i = 0; i < cut; i++) if (grade(qrels, ranked[i]!) > 0) return 1 / (i + 1);
  return 0;
}

/**
 * Orders a scored run the way trec_eval does before computing any measure
 * (`form_res_rels.c`, `comp_sim_docno`): score descending, ties by document id
 * descending in `strcmp` (UTF-8 byte = code point) order. pytrec_eval re-sorts
 * every run this way, so this is the ranking behind MTEB's nDCG/MAP/recall/P.
 */
export function rankByScore(scores: ReadonlyMap<string, number> | Readonly<Record<string, number>>): string[] {
  const entries: [string, number][] = scores instanceof Map ? [...scores] : Object.entries(scores);
  entries.sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : compareCodePoints(b[0], a[0])));
  return entries.map(([doc]) => doc);
}

/** Means over the evaluated queries of {@link evaluateRetrieval}. */
export interface RetrievalScores {
  ndcg: number;
  map: number;
  recall: number;
  precision: number;
  mrr: number;
  /** Queries that counted: in the run and in the qrels. */
  queries: number;
}

/**
 * Mean nDCG@k, MAP@k, recall@k, P@k and MRR@k over queries, as MTEB's
 * `RetrievalEvaluator.evaluate` (pytrec_eval) and `evaluate_custom("mrr")`:
 *
 * - only queries present both in the run and in the qrels count (pytrec_eval
 *   skips run queries without judgements, and evaluates nothing for judged
 *   queries absent from the run);
 * - a judged query whose judgements hold no grade > 0 is NOT skipped: it scores
 *   0 on every measure and weighs in the mean (trec_eval ≥ 8.1 ignores only
 *   queries with no relevance information at all). MTEB's datasets rarely have
 *   such queries, since their qrels list positive judgements only;
 * - means are plain averages over those queries. MTEB then rounds the
 *   pytrec_eval means to 5 decimals (`round(…, 5)`); that rounding is left to the
 *   caller.
 *
 * @param run query id → ranked document ids, best first (trec_eval would order a
 *   scored run with {@link rankByScore}).
 */
export function evaluateRetrieval(run: ReadonlyMap<string, readonly string[]>, qrels: ReadonlyMap<string, QueryQrels>, k = 10): RetrievalScores {
  const totals = { ndcg: 0, map: 0, recall: 0, precision: 0, mrr: 0 };
  let queries = 0;
  for (const [queryId, ranked] of run) {
    const judgements = qrels.get(queryId);
    if (judgements === undefined) continue;
    totals.ndcg += ndcgAtK(ranked, judgements, k);
    totals.map += mapAtK(ranked, judgements, k);
    totals.recall += recallAtK(ranked, judgements, k);
    totals.precision += precisionAtK(ranked, judgements, k);
    totals.mrr += mrrAtK(ranked, judgements, k);
    queries++;
  }
  const mean = (total: number) => (queries === 0 ? 0 : total / queries);
  return { ndcg: mean(totals.ndcg), map: mean(totals.map), recall: mean(totals.recall), precision: mean(totals.precision), mrr: mean(totals.mrr), queries };
}
