import { checkSameLength } from "./same-length.js";

/**
 * Average precision, exactly as scikit-learn's `average_precision_score(labels,
 * scores)` (binary, `pos_label=1`), which MTEB uses for pair classification
 * (`PairClassificationEvaluator.ap_score`, one AP per similarity), reranking
 * (`RerankingEvaluator.ap_score`, averaged over queries into MAP) and the binary
 * classification `ap` (there on the hard 0/1 predictions).
 *
 * Protocol (`sklearn.metrics._ranking._binary_clf_curve` +
 * `precision_recall_curve` + `_binary_uninterpolated_average_precision`): the
 * samples are sorted by score, descending, and every *distinct* score is one
 * threshold, so tied scores enter together. With TP(t) and FP(t) the counts of
 * positives and negatives scoring ≥ t, P(t) = TP/(TP+FP) and R(t) = TP/#positives,
 *
 *   AP = Σ_t (R(t) − R(t_prev)) · P(t)
 *
 * over thresholds from the highest down — a step-wise sum, not interpolated.
 * A group of tied scores therefore contributes (its positives / #positives) ×
 * the precision reached after the whole group. Without any positive, scikit-learn
 * warns and sets recall to 1 at every threshold; the sum is then the precision at
 * the highest threshold, 0 — returned here as 0.
 *
 * @param scores higher = more likely positive (negate distances first, as MTEB
 *   does with `scores * -1`); NaN and ±∞ are refused, as scikit-learn refuses them.
 * @param labels 1 / `true` for positives, 0 / `false` for negatives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  checkSameLength("averagePrecision", scores, labels);
  const n = scores.length;
  const positive = new Uint8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label === 1 || label === true) {
      positive[i] = 1;
      positives++;
    } else if (label !== 0 && label !== false) {
      throw new RangeError(`averagePrecision: label ${String(label)} is not 0/1`);
    }
    if (!Number.isFinite(scores[i]!)) throw new RangeError("averagePrecision: non-finite score (scikit-learn refuses NaN and infinity)");
  }
  if (positives === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let ap = 0;
  let tp = 0;
  let fp = 0;
  for (let start = 0; start < n; ) {
    const score = scores[order[start]!]!;
    let groupPositives = 0;
    let end = start;
    for (; end < n && scores[order[end]!] === score; end++) {
      if (positive[order[end]!] === 1) groupPositives++;
    }
    tp += groupPositives;
    fp += end - start - groupPositives;
    if (groupPositives > 0) ap += (groupPositives / positives) * (tp / (tp + fp));
    start = end;
  }
  return ap;
}
