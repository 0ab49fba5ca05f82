/** Clustering metrics: scikit-learn's `v_measure_score` and its parts. */

import { type Label, sortLabels } from "./labels.js";
import { checkSameLength } from "./same-length.js";

/** Homogeneity, completeness and their harmonic mean (V-measure, β = 1). */
export interface VMeasureScores {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/**
 * scikit-learn's `homogeneity_completeness_v_measure(labels_true, labels_pred,
 * beta=1)`, the measure of MTEB's `ClusteringEvaluator` (`v_measure_score` of the
 * true labels against the k-means assignment; label values only name groups).
 *
 * With natural logs, H(C) and H(K) the entropies of the class and cluster
 * labelings and I(C;K) their mutual information (from the contingency table,
 * computed term by term as `mutual_info_score` does, terms below machine epsilon
 * in magnitude dropped, the sum clipped at 0, and 0 outright when either side has
 * a single group):
 *
 *   homogeneity h = I / H(C), or 1 when H(C) = 0
 *   completeness c = I / H(K), or 1 when H(K) = 0
 *   V = 2·h·c / (h + c), or 0 when h + c = 0
 *
 * Empty input scores 1, 1, 1 (scikit-learn's convention).
 */
export function homogeneityCompletenessVMeasure(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): VMeasureScores {
  checkSameLength("vMeasure", labelsTrue, labelsPred);
  const n = labelsTrue.length;
  if (n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const classIndex = indexLabels(labelsTrue);
  const clusterIndex = indexLabels(labelsPred);
  const classCounts = new Float64Array(classIndex.count);
  const clusterCounts = new Float64Array(clusterIndex.count);
  // Sparse contingency table, visited row-major (class, then cluster) like scipy's `find` on the CSR table.
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = classIndex.codes[i]!;
    const k = clusterIndex.codes[i]!;
    classCounts[c]!++;
    clusterCounts[k]!++;
    const key = c * clusterIndex.count + k;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const entropyC = entropyOfCounts(classCounts);
  const entropyK = entropyOfCounts(clusterCounts);
  let mi = 0;
  if (classIndex.count > 1 && clusterIndex.count > 1) {
    const keys = [...cells.keys()].sort((a, b) => a - b);
    const logN = Math.log(n);
    for (const key of keys) {
      const value = cells.get(key)!;
      const c = Math.floor(key / clusterIndex.count);
      const k = key - c * clusterIndex.count;
      const nm = value / n;
      const logOuter = -Math.log(classCounts[c]! * clusterCounts[k]!) + logN + logN;
      const term = nm * (Math.log(value) - logN) + nm * logOuter;
      if (Math.abs(term) >= Number.EPSILON) mi += term;
    }
    if (mi < 0) mi = 0;
  }
  const homogeneity = entropyC !== 0 ? mi / entropyC : 1;
  const completeness = entropyK !== 0 ? mi / entropyK : 1;
  const vMeasureScore = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure: vMeasureScore };
}

/** scikit-learn's `v_measure_score(labelsTrue, labelsPred)` (β = 1); see {@link homogeneityCompletenessVMeasure}. */
export function vMeasure(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred).vMeasure;
}

/** scikit-learn's `homogeneity_score`: I(C;K) / H(C), 1 when H(C) = 0. */
export function homogeneity(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred).homogeneity;
}

/** scikit-learn's `completeness_score`: I(C;K) / H(K), 1 when H(K) = 0. */
export function completeness(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred).completeness;
}

/** Dense codes 0..count-1 for the labels, in `numpy.unique` order. */
function indexLabels(labels: ArrayLike<Label>): { codes: Int32Array; count: number } {
  const sorted = sortLabels(Array.from(labels));
  const index = new Map<Label, number>(sorted.map((label, i) => [label, i]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) codes[i] = index.get(labels[i]!)!;
  return { codes, count: sorted.length };
}

/** scikit-learn's `entropy`: −Σ (nᵢ/N)(ln nᵢ − ln N), 0 for a single group. */
function entropyOfCounts(counts: Float64Array): number {
  if (counts.length === 1) return 0;
  let total = 0;
  for (const count of counts) total += count;
  const logTotal = Math.log(total);
  let sum = 0;
  for (const count of counts) sum += (count / total) * (Math.log(count) - logTotal);
  return -sum;
}
