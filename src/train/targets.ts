/** Labels as the losses take them: class indices, or a rows × classes 0/1 indicator matrix. */
import { InvalidInputError } from "../errors.js";
import { describe } from "../model/arguments.js";
import type { ClassLabel } from "./labels.js";
import { bceWithLogits, softmaxCrossEntropy } from "./losses.js";
import type { FloatArray } from "./optimizer.js";

export type Targets = { kind: "single"; index: Int32Array } | { kind: "multi"; indicator: Float64Array };

/** @throws InvalidInputError naming `what[i]` when a label is not one of `classIndex`. */
export function encodeTargets(values: ClassLabel[] | ClassLabel[][], multilabel: boolean, classIndex: Map<ClassLabel, number>, what: string): Targets {
  const lookup = (label: ClassLabel, i: number) => {
    const index = classIndex.get(label);
    if (index === undefined) throw new InvalidInputError(`${what}[${i}]: ${describe(label)} is not one of the training classes`);
    return index;
  };
  if (!multilabel) return { kind: "single", index: Int32Array.from(values as ClassLabel[], lookup) };
  const n = classIndex.size;
  const indicator = new Float64Array(values.length * n);
  (values as ClassLabel[][]).forEach((row, i) => {
    for (const label of row) indicator[i * n + lookup(label, i)] = 1;
  });
  return { kind: "multi", indicator };
}

/** The targets of `rows`, in that order. */
export function selectTargets(targets: Targets, rows: readonly number[], n: number): Targets {
  if (targets.kind === "single") return { kind: "single", index: Int32Array.from(rows, (i) => targets.index[i]!) };
  const indicator = new Float64Array(rows.length * n);
  rows.forEach((i, k) => indicator.set(targets.indicator.subarray(i * n, (i + 1) * n), k * n));
  return { kind: "multi", indicator };
}

/** Softmax cross-entropy for single-label targets, BCE with logits for multi-label ones. */
export function lossOf(logits: FloatArray, targets: Targets, n: number, weights: Float64Array | null) {
  return targets.kind === "single" ? softmaxCrossEntropy(logits, targets.index, n, weights) : bceWithLogits(logits, targets.indicator, n, weights);
}
