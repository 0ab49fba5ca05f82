/** Loss weights per class, from `FitOptions.classWeight`. */
import { InvalidInputError } from "../errors.js";
import { describe } from "../model/arguments.js";
import type { ClassLabel } from "./labels.js";
import type { Targets } from "./targets.js";

/** Class weights: "balanced" (n / (classes · count)), or a weight per label. */
export type ClassWeight = "balanced" | Readonly<Record<string, number>> | ReadonlyMap<ClassLabel, number> | null;

/** Class weights (single-label) or positive weights (multi-label) over the training rows. */
export function lossWeights(classWeight: ClassWeight, targets: Targets, train: readonly number[], classes: ClassLabel[], multilabel: boolean): Float64Array | null {
  if (classWeight === null) return null;
  const n = classes.length;
  const out = new Float64Array(n).fill(1);
  if (classWeight === "balanced") {
    const positives = new Float64Array(n);
    for (const i of train) {
      if (targets.kind === "single") positives[targets.index[i]!]!++;
      else for (let c = 0; c < n; c++) positives[c]! += targets.indicator[i * n + c]!;
    }
    for (let c = 0; c < n; c++) {
      const count = positives[c]!;
      if (count === 0) continue;
      out[c] = multilabel ? (train.length - count) / count : train.length / (n * count);
    }
    return out;
  }
  if (typeof classWeight !== "object") throw new InvalidInputError(`classWeight must be "balanced", an object or a Map of weights, got ${describe(classWeight)}`);
  const get = (label: ClassLabel) => (classWeight instanceof Map ? classWeight.get(label) : (classWeight as Record<string, number>)[String(label)]);
  const known = new Set(classes.map(String));
  const keys = classWeight instanceof Map ? [...classWeight.keys()].map(String) : Object.keys(classWeight);
  for (const key of keys) if (!known.has(key)) throw new InvalidInputError(`classWeight: "${key}" is not one of the classes`);
  classes.forEach((label, c) => {
    const weight = get(label);
    if (weight === undefined) return;
    if (typeof weight !== "number" || !(weight >= 0) || !Number.isFinite(weight)) throw new InvalidInputError(`classWeight for ${describe(label)} must be a finite number ≥ 0, got ${describe(weight)}`);
    out[c] = weight;
  });
  return out;
}
