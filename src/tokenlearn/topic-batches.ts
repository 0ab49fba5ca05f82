/**
 * Topic-aware batches, after TAS-B's topic-aware sampling (Hofstätter et al.,
 * 2021): rows are clustered by the direction of their teacher vector, and each
 * training batch is drawn from one cluster. Random sentences share few words,
 * so telling them apart teaches a static model little; sentences on one topic
 * share many, so the contrastive loss's in-batch negatives are hard ones and
 * the model learns finer distinctions. Soft targets keep true paraphrases
 * inside a batch from being pushed apart.
 */
import { InvalidInputError } from "../errors.js";
import { assignLabels, kmeans } from "../quantize/kmeans.js";
import { mulberry32, shuffle } from "../random.js";

/** Rows k-means is fitted on at most; the rest are only assigned to the nearest centre. */
const FIT_SAMPLE = 60_000;
/** Rows normalised at a time when assigning, so no unit copy of all targets is held. */
const ASSIGN_CHUNK = 16_384;

/**
 * The topic of each of the `vectors.length / dim` rows: the nearest of `k`
 * k-means centres fitted (seeded) on the unit vectors of up to 60,000 of the
 * `fitRows`. Zero vectors count as the origin.
 *
 * @throws InvalidInputError when `k` is not an integer from 1 to the number of `fitRows`.
 */
export function topicLabels(vectors: Float32Array, dim: number, fitRows: readonly number[], k: number, seed: number): Int32Array {
  if (!Number.isSafeInteger(k) || k < 1 || k > fitRows.length) {
    throw new InvalidInputError(`batchTopics must be an integer from 1 to the ${fitRows.length} training rows, got ${String(k)}`);
  }
  // A stream apart from mulberry32(seed), which tokenlearn's validation split draws from.
  const sampled = shuffle([...fitRows], mulberry32(seed + 1)).slice(0, FIT_SAMPLE);
  const sample = unitRows(vectors, dim, sampled);
  // Sorting rows into topics needs no converged centres; 50 iterations bound the time.
  const { centroids } = kmeans(sample, dim, k, { seed, maxIter: 50 });
  const rows = vectors.length / dim;
  const labels = new Int32Array(rows);
  for (let start = 0; start < rows; start += ASSIGN_CHUNK) {
    const chunk = Array.from({ length: Math.min(ASSIGN_CHUNK, rows - start) }, (_, i) => start + i);
    labels.set(assignLabels(unitRows(vectors, dim, chunk), dim, centroids, k), start);
  }
  return labels;
}

/**
 * One epoch's row order: rows shuffled, grouped by their topic (a label below `topics`), topics in random
 * order, then cut into batches of `batchSize` whose order is shuffled, with a
 * short last batch kept last. A batch mixes two topics only where one topic's
 * rows run out.
 */
export function topicBatchOrder(rows: readonly number[], labels: Int32Array, topics: number, batchSize: number, random: () => number): number[] {
  const byTopic: number[][] = Array.from({ length: topics }, () => []);
  for (const row of shuffle([...rows], random)) byTopic[labels[row]!]!.push(row);
  const grouped = shuffle(byTopic, random).flat();
  const batches: number[][] = [];
  for (let start = 0; start < grouped.length; start += batchSize) batches.push(grouped.slice(start, start + batchSize));
  const short = batches.length > 0 && batches.at(-1)!.length < batchSize ? batches.pop()! : [];
  return [...shuffle(batches, random).flat(), ...short];
}

/** The listed rows of `vectors`, each scaled to unit length, packed. */
function unitRows(vectors: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, k) => {
    const source = vectors.subarray(row * dim, (row + 1) * dim);
    let squares = 0;
    for (let j = 0; j < dim; j++) squares += source[j]! * source[j]!;
    const scale = squares > 0 ? 1 / Math.sqrt(squares) : 0;
    for (let j = 0; j < dim; j++) out[k * dim + j] = source[j]! * scale;
  });
  return out;
}
