/** Pair classification metrics: MTEB's `PairClassificationEvaluator` similarities and best thresholds. */

import { checkSameLength } from "./same-length.js";

/**
 * The four similarities of MTEB's `PairClassificationEvaluator.compute_metrics`,
 * oriented so that higher = more similar everywhere (MTEB passes the distances
 * with `high_score_more_similar=False`, i.e. negates them before
 * `average_precision_score`):
 */
export interface PairScores {
  /** `1 − paired_cosine_distances(a, b)`. */
  cosine: Float64Array;
  /** `a · b`. */
  dot: Float64Array;
  /** `−paired_euclidean_distances(a, b)`. */
  euclidean: Float64Array;
  /** `−paired_manhattan_distances(a, b)`. */
  manhattan: Float64Array;
}

/**
 * Per-pair similarities of `a[i]` and `b[i]` (see {@link PairScores}); feed each
 * array with the 0/1 labels to `averagePrecision` (./average-precision.ts) for MTEB's per-similarity
 * `ap` (the main score is the best of the four).
 *
 * Cosine follows scikit-learn's `paired_cosine_distances` = ½‖â − b̂‖² with rows
 * L2-normalised by `normalize` (a zero row stays zero): equal to â·b̂ for non-zero
 * rows, but a zero row against a non-zero one gives 1 − ½ = 0.5 and two zero rows
 * give 1. Arithmetic is float64 (numpy works in the embeddings' float32, so the
 * last bits differ; orderings, hence AP, agree unless scores tie to ~1e-7).
 */
export function pairScores(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): PairScores {
  checkSameLength("pairScores", a, b);
  const n = a.length;
  const result: PairScores = { cosine: new Float64Array(n), dot: new Float64Array(n), euclidean: new Float64Array(n), manhattan: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) throw new RangeError(`pairScores: pair ${i} has dimensions ${x.length} and ${y.length}`);
    let dot = 0;
    let normX = 0;
    let normY = 0;
    let squared = 0;
    let manhattan = 0;
    for (let j = 0; j < x.length; j++) {
      const xv = x[j]!;
      const yv = y[j]!;
      dot += xv * yv;
      normX += xv * xv;
      normY += yv * yv;
      const diff = xv - yv;
      squared += diff * diff;
      manhattan += Math.abs(diff);
    }
    // sklearn's `normalize` divides by the norm, leaving zero rows as they are.
    const lengthX = normX === 0 ? 1 : Math.sqrt(normX);
    const lengthY = normY === 0 ? 1 : Math.sqrt(normY);
    let cosineDistance = 0;
    for (let j = 0; j < x.length; j++) {
      const diff = x[j]! / lengthX - y[j]! / lengthY;
      cosineDistance += diff * diff;
    }
    result.cosine[i] = 1 - 0.5 * cosineDistance;
    result.dot[i] = dot;
    result.euclidean[i] = -Math.sqrt(squared);
    result.manhattan[i] = -manhattan;
  }
  return result;
}

/**
 * MTEB's `PairClassificationEvaluator.find_best_acc_and_threshold` on scores where
 * higher = more similar: pairs sorted by score descending (stable), and for each
 * cut after position i = 0..n−2, accuracy = (positives above + negatives below) / n;
 * the first strict maximum wins, threshold = the mean of the scores either side of
 * the cut. Starts from accuracy 0, threshold −1; the cut after the last pair is
 * never tried (as in MTEB). For negated distances the threshold is negated too.
 */
export function bestAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): { accuracy: number; threshold: number } {
  checkSameLength("bestAccuracy", scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let negativesRemaining = 0;
  for (let i = 0; i < n; i++) if (!isPositive(labels[i]!)) negativesRemaining++;
  let positivesSoFar = 0;
  let best = 0;
  let threshold = -1;
  for (let i = 0; i < n - 1; i++) {
    if (isPositive(labels[order[i]!]!)) positivesSoFar++;
    else negativesRemaining--;
    const value = (positivesSoFar + negativesRemaining) / n;
    if (value > best) {
      best = value;
      threshold = (scores[order[i]!]! + scores[order[i + 1]!]!) / 2;
    }
  }
  return { accuracy: best, threshold };
}

/**
 * MTEB's `PairClassificationEvaluator.find_best_f1_and_threshold` on scores where
 * higher = more similar: pairs sorted by score descending (stable); for each cut
 * after position i = 0..n−2 with at least one positive above it, precision =
 * positives above / (i + 1), recall = positives above / all positives, F1 their
 * harmonic mean; the first strict maximum wins, threshold = mean of the scores
 * either side. Starts from F1 = precision = recall = threshold = 0.
 */
export function bestF1(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): { f1: number; precision: number; recall: number; threshold: number } {
  checkSameLength("bestF1", scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (isPositive(labels[i]!)) positives++;
  let extracted = 0;
  let correct = 0;
  const best = { f1: 0, precision: 0, recall: 0, threshold: 0 };
  for (let i = 0; i < n - 1; i++) {
    extracted++;
    if (isPositive(labels[order[i]!]!)) correct++;
    if (correct > 0) {
      const precision = correct / extracted;
      const recall = correct / positives;
      const f1 = (2 * precision * recall) / (precision + recall);
      if (f1 > best.f1) {
        best.f1 = f1;
        best.precision = precision;
        best.recall = recall;
        best.threshold = (scores[order[i]!]! + scores[order[i + 1]!]!) / 2;
      }
    }
  }
  return best;
}

function isPositive(label: number | boolean): boolean {
  return label === 1 || label === true;
}
