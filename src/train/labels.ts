/**
 * The classifier's labels: checked, and classified as single-label (one class
 * per text) or multi-label (a list of classes per text).
 */
import { InvalidInputError } from "../errors.js";
import { sortLabels } from "../evaluate/metrics/labels.js";
import { describe } from "../model/arguments.js";

/** One text's label: a class, or for multi-label data the list of its classes. */
export type ClassLabel = string | number;
export type ClassifierLabels = readonly ClassLabel[] | readonly (readonly ClassLabel[])[];

/** Labels that passed {@link parseLabels}, with their classes in `numpy.unique` order. */
export interface ParsedLabels {
  multilabel: boolean;
  values: ClassLabel[] | ClassLabel[][];
  classes: ClassLabel[];
}

export function isLabel(value: unknown): value is ClassLabel {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** Runs a label helper of evaluate/metrics, reporting its RangeError or TypeError as an InvalidInputError about `what`. */
export function safeLabels<T>(run: () => T, what: string): T {
  try {
    return run();
  } catch (error) {
    throw new InvalidInputError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

/** Checks `count` labels, all single-label or all multi-label as the first one is. */
export function parseLabels(labels: unknown, count: number, what: string): ParsedLabels {
  if (!Array.isArray(labels)) throw new InvalidInputError(`${what} must be an array, got ${describe(labels)}`);
  if (labels.length !== count) throw new InvalidInputError(`${what} has ${labels.length} entries for ${count} texts`);
  if (count === 0) throw new InvalidInputError(`${what}: no examples`);
  const multilabel = Array.isArray(labels[0]);
  for (let i = 0; i < labels.length; i++) {
    const label: unknown = labels[i];
    if (multilabel) {
      if (!Array.isArray(label) || !label.every(isLabel)) {
        throw new InvalidInputError(`${what}[${i}] is ${describe(label)}; multi-label data needs an array of strings or numbers for every text`);
      }
    } else if (!isLabel(label)) {
      throw new InvalidInputError(`${what}[${i}] is ${describe(label)}, expected a string or a finite number (or arrays of them for multi-label data)`);
    }
  }
  const values = labels as ClassLabel[] | ClassLabel[][];
  const all = multilabel ? (values as ClassLabel[][]).flat() : (values as ClassLabel[]);
  const classes = safeLabels(() => sortLabels(all), what);
  if (classes.length === 0) throw new InvalidInputError(`${what}: no labels at all`);
  return { multilabel, values, classes };
}
