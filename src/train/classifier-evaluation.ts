/** Scores of `StaticModelForClassification.evaluate`: accuracy, macro F1 and per-class scores. */
import { InvalidInputError } from "../errors.js";
import { classificationReport } from "../evaluate/metrics/classification.js";
import type { Label } from "../evaluate/metrics/labels.js";
import { describe } from "../model/arguments.js";
import { type ClassLabel, safeLabels } from "./labels.js";

/** Per-class scores of `StaticModelForClassification.evaluate`. */
export interface ClassEvaluation {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassifierEvaluation {
  /** Single-label: accuracy. Multi-label: subset accuracy (every label right). */
  accuracy: number;
  /** Unweighted mean of per-class F1. */
  macroF1: number;
  /** By label (as a string key). */
  perClass: Record<string, ClassEvaluation>;
}

/** scikit-learn's accuracy and `classification_report` of single-label predictions. */
export function singleLabelEvaluation(yTrue: ClassLabel[], yPred: ClassLabel[]): ClassifierEvaluation {
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  const report = safeLabels(() => classificationReport(yTrue as Label[], yPred as Label[]), "labels");
  const perClass: Record<string, ClassEvaluation> = {};
  let f1 = 0;
  for (const row of report) {
    perClass[String(row.label)] = { precision: row.precision, recall: row.recall, f1: row.f1, support: row.support };
    f1 += row.f1;
  }
  return { accuracy: correct / yTrue.length, macroF1: report.length ? f1 / report.length : 0, perClass };
}

/**
 * Subset accuracy (every label of a text right) and per-class precision, recall
 * and F1 of multi-label predictions, over the model's `classes`.
 *
 * @throws InvalidInputError when a true label is not one of `classes`.
 */
export function multiLabelEvaluation(classes: readonly ClassLabel[], yTrue: ClassLabel[][], yPred: ClassLabel[][]): ClassifierEvaluation {
  const known = new Set(classes);
  const perClass: Record<string, ClassEvaluation> = {};
  for (const row of yTrue) for (const label of row) if (!known.has(label)) throw new InvalidInputError(`labels: ${describe(label)} is not one of the model's classes`);
  let exact = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = new Set(yTrue[i]);
    if (t.size === yPred[i]!.length && yPred[i]!.every((l) => t.has(l))) exact++;
  }
  let f1Sum = 0;
  for (const label of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i]!.includes(label);
      const p = yPred[i]!.includes(label);
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const scores = {
      precision: tp + fp === 0 ? 0 : tp / (tp + fp),
      recall: tp + fn === 0 ? 0 : tp / (tp + fn),
      f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
      support: tp + fn,
    };
    perClass[String(label)] = scores;
    f1Sum += scores.f1;
  }
  return { accuracy: exact / yTrue.length, macroF1: f1Sum / classes.length, perClass };
}
