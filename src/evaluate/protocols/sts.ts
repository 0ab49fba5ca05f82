/**
 * STS (MTEB STSEvaluator): cosine similarity of each pair's embeddings, compared
 * with the gold scores by Spearman's rank correlation; main score = Spearman × 100.
 */
import type { CachingEncoder } from "../encoder.js";
import { cosine, pearson, spearman } from "../metrics/correlation.js";
import type { StsData } from "../types.js";

export async function evaluateSts(encoder: CachingEncoder, data: StsData) {
  const a = await encoder.embed(data.sentences1);
  const b = await encoder.embed(data.sentences2);
  const similarities = a.map((v, i) => cosine(v, b[i]!));
  return {
    mainScore: 100 * spearman(data.scores, similarities),
    scores: { cosineSpearman: 100 * spearman(data.scores, similarities), cosinePearson: 100 * pearson(data.scores, similarities) },
  };
}
