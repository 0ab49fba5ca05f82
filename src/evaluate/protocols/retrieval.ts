/**
 * Retrieval (MTEB RetrievalEvaluator, BEIR metrics through pytrec_eval): every
 * query ranks the whole corpus by cosine similarity; nDCG@10 is the main score,
 * with MAP@10, recall@10 and MRR@10; each is the mean over queries with
 * judgements, × 100.
 */
import type { CachingEncoder } from "../encoder.js";
import { mapAtK, mrrAtK, ndcgAtK, recallAtK } from "../metrics/retrieval.js";
import type { RetrievalData } from "../types.js";

const K = 10;

export async function evaluateRetrieval(encoder: CachingEncoder, data: RetrievalData) {
  const docIds = [...data.corpus.keys()];
  const docs = normalizedRows(await encoder.embed(docIds.map((id) => data.corpus.get(id)!)));
  const queryIds = [...data.qrels.keys()].filter((id) => data.queries.has(id));
  const queries = normalizedRows(await encoder.embed(queryIds.map((id) => data.queries.get(id)!)));
  const totals = { ndcg: 0, map: 0, recall: 0, mrr: 0 };
  const scores = new Float32Array(docIds.length);
  queryIds.forEach((queryId, q) => {
    const query = queries[q]!;
    for (let d = 0; d < docIds.length; d++) scores[d] = dot(query, docs[d]!);
    const ranked = topK(scores, K + 90).map((d) => docIds[d]!);
    const qrels = data.qrels.get(queryId)!;
    totals.ndcg += ndcgAtK(ranked, qrels, K);
    totals.map += mapAtK(ranked, qrels, K);
    totals.recall += recallAtK(ranked, qrels, K);
    totals.mrr += mrrAtK(ranked, qrels, K);
  });
  const mean = (total: number) => (100 * total) / Math.max(queryIds.length, 1);
  const result = { ndcgAt10: mean(totals.ndcg), mapAt10: mean(totals.map), recallAt10: mean(totals.recall), mrrAt10: mean(totals.mrr) };
  return { mainScore: result.ndcgAt10, scores: result };
}

function normalizedRows(rows: Float32Array[]): Float32Array[] {
  return rows.map((row) => {
    const norm = Math.sqrt(dot(row, row));
    return norm === 0 ? row : row.map((v) => v / norm);
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Indices of the `k` highest scores, best first; ties broken by index. */
function topK(scores: Float32Array, k: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k);
}
