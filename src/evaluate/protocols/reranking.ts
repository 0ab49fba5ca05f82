/**
 * Reranking (MTEB RerankingEvaluator): each query's positive and negative
 * candidates are ranked by cosine similarity to the query; main score = the mean
 * over queries of the average precision × 100 (MAP), with MRR@10 alongside.
 */
import type { CachingEncoder } from "../encoder.js";
import { averagePrecision } from "../metrics/average-precision.js";
import { cosine } from "../metrics/correlation.js";
import type { RerankingData } from "../types.js";

export async function evaluateReranking(encoder: CachingEncoder, data: RerankingData) {
  let map = 0;
  let mrr = 0;
  let counted = 0;
  for (const sample of data.samples) {
    if (sample.positive.length === 0 || sample.negative.length === 0) continue;
    const [query] = await encoder.embed([sample.query]);
    const candidates = await encoder.embed([...sample.positive, ...sample.negative]);
    const scores = candidates.map((c) => cosine(query!, c));
    const labels = candidates.map((_, i) => (i < sample.positive.length ? 1 : 0));
    map += averagePrecision(scores, labels);
    const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
    const firstRelevant = order.slice(0, 10).findIndex((i) => labels[i] === 1);
    mrr += firstRelevant < 0 ? 0 : 1 / (firstRelevant + 1);
    counted++;
  }
  const result = { map: (100 * map) / Math.max(counted, 1), mrrAt10: (100 * mrr) / Math.max(counted, 1) };
  return { mainScore: result.map, scores: result };
}
