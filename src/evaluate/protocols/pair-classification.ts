/**
 * Pair classification (MTEB PairClassificationEvaluator): for cosine, dot product,
 * Euclidean and Manhattan similarity (distances negated), the average precision of
 * ranking the positive pairs first; main score = the best AP × 100.
 */
import type { CachingEncoder } from "../encoder.js";
import { averagePrecision } from "../metrics/average-precision.js";
import { pairScores } from "../metrics/pair-classification.js";
import type { PairClassificationData } from "../types.js";

export async function evaluatePairClassification(encoder: CachingEncoder, data: PairClassificationData) {
  const a = await encoder.embed(data.sentences1);
  const b = await encoder.embed(data.sentences2);
  const similarities = pairScores(a, b);
  const scores: Record<string, number> = {};
  for (const [name, values] of Object.entries(similarities)) scores[`${name}AP`] = 100 * averagePrecision(values, data.labels);
  return { mainScore: Math.max(...Object.values(scores)), scores };
}
