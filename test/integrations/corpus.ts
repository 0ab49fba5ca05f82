/**
 * Deterministic test corpora for the vector-store integrations, and the brute-force
 * cosine top-k their search results are checked against.
 */
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import type { StaticModel } from "../../src/index.js";
import { mulberry32 } from "../fixtures/random.js";

/** `count` distinct sentences of 4 to 11 words drawn (seeded) from the model's whole-word tokens. */
export function randomSentences(model: StaticModel, count: number, seed: number): string[] {
  const words = model.tokens.filter((token) => /^[a-z]{3,}$/.test(token));
  const next = mulberry32(seed);
  const sentences = new Set<string>();
  while (sentences.size < count) {
    const length = 4 + Math.floor(next() * 8);
    sentences.add(Array.from({ length }, () => words[Math.floor(next() * words.length)]!).join(" "));
  }
  return [...sentences];
}

/** One brute-force hit: the document's index and its cosine similarity to the query. */
export interface ReferenceHit {
  index: number;
  score: number;
}

/** The `k` documents most cosine-similar to `query`, best first (ties by index), in double precision. */
export function bruteForceTopK(documents: readonly Float32Array[], query: Float32Array, k: number): ReferenceHit[] {
  const hits = documents.map((document, index) => ({ index, score: cosine(document, query) }));
  return hits.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
}
