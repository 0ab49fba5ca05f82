/**
 * Clustering (MTEB ClusteringEvaluator): k-means with k = the number of true
 * classes on the embeddings, scored by V-measure × 100. MTEB uses sklearn's
 * MiniBatchKMeans (batch 500); we run full k-means (seeded, k-means' random init),
 * which converges to at least as good a partition.
 */
import { kmeans } from "../../quantize/kmeans.js";
import { type CachingEncoder, stackRows } from "../encoder.js";
import { vMeasure } from "../metrics/clustering.js";
import type { ClusteringData } from "../types.js";

export async function evaluateClustering(encoder: CachingEncoder, data: ClusteringData, seed: number) {
  const { data: matrix, dim } = stackRows(await encoder.embed(data.texts));
  const clusters = new Set(data.labels).size;
  const { labels } = kmeans(matrix, dim, clusters, { seed, nInit: 1 });
  const score = 100 * vMeasure(data.labels, Array.from(labels));
  return { mainScore: score, scores: { vMeasure: score } };
}
