/** Classification metrics: scikit-learn's `accuracy_score`, `f1_score` and `classification_report`. */

import { type Label, sortLabels } from "./labels.js";
import { checkSameLength } from "./same-length.js";

/** scikit-learn's `accuracy_score`: the fraction of positions where the labels agree. */
export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkSameLength("accuracy", yTrue, yPred);
  if (yTrue.length === 0) throw new RangeError("accuracy: no samples");
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** Precision, recall, F1 and support of one class. */
export interface ClassScores {
  label: Label;
  precision: number;
  recall: number;
  f1: number;
  /** Occurrences of the class in `yTrue`. */
  support: number;
}

/**
 * Per-class scores as scikit-learn's `precision_recall_fscore_support(average=None)`
 * (and `classification_report`), over the labels of yTrue ∪ yPred in
 * `numpy.unique` order: with tp, fp, fn counted per class,
 *
 *   precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2·tp / (2·tp + fp + fn)
 *
 * and 0 wherever a denominator is 0 (`zero_division="warn"` yields 0).
 */
export function classificationReport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): ClassScores[] {
  checkSameLength("classificationReport", yTrue, yPred);
  const labels = sortLabels([...Array.from(yTrue), ...Array.from(yPred)]);
  const index = new Map<Label, number>(labels.map((label, i) => [label, i]));
  const tp = new Float64Array(labels.length);
  const truePerClass = new Float64Array(labels.length);
  const predPerClass = new Float64Array(labels.length);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!)!;
    const p = index.get(yPred[i]!)!;
    truePerClass[t]!++;
    predPerClass[p]!++;
    if (t === p) tp[t]!++;
  }
  return labels.map((label, c) => {
    const hits = tp[c]!;
    const fp = predPerClass[c]! - hits;
    const fn = truePerClass[c]! - hits;
    return {
      label,
      precision: hits + fp === 0 ? 0 : hits / (hits + fp),
      recall: hits + fn === 0 ? 0 : hits / (hits + fn),
      f1: 2 * hits + fp + fn === 0 ? 0 : (2 * hits) / (2 * hits + fp + fn),
      support: truePerClass[c]!,
    };
  });
}

/**
 * scikit-learn's `f1_score(yTrue, yPred, average="macro")` — MTEB's
 * classification `f1`: the unweighted mean of the per-class F1 (see
 * {@link classificationReport}) over every label present in yTrue ∪ yPred, a
 * class never predicted (or never true) counting with F1 = 0.
 */
export function macroF1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const report = classificationReport(yTrue, yPred);
  if (report.length === 0) throw new RangeError("macroF1: no samples");
  let sum = 0;
  for (const row of report) sum += row.f1;
  return sum / report.length;
}

/**
 * scikit-learn's `f1_score(average="weighted")` — MTEB's `f1_weighted`: per-class
 * F1 averaged with weights = support in yTrue (classes only predicted weigh 0).
 */
export function weightedF1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const report = classificationReport(yTrue, yPred);
  let sum = 0;
  let support = 0;
  for (const row of report) {
    sum += row.f1 * row.support;
    support += row.support;
  }
  if (support === 0) throw new RangeError("weightedF1: no samples");
  return sum / support;
}
