/** The data `fit` trains and validates on: a given validation set, or a split of the training rows. */
import { InvalidInputError } from "../errors.js";
import { shuffle } from "../random.js";
import { checkTexts } from "./classifier-arguments.js";
import { type ClassLabel, type ClassifierLabels, type ParsedLabels, parseLabels } from "./labels.js";
import { type Targets, encodeTargets, selectTargets } from "./targets.js";

/**
 * Held-out indices: ⌈testSize·n⌉ rows (at least 1 when testSize > 0), stratified
 * per class (largest-remainder allocation) when single-label and every class has
 * at least 2 examples, else a random sample.
 */
export function splitIndices(values: ClassLabel[] | ClassLabel[][], multilabel: boolean, testSize: number, random: () => number): { train: number[]; validation: number[] } {
  const n = values.length;
  if (testSize === 0 || n < 2) return { train: Array.from({ length: n }, (_, i) => i), validation: [] };
  const nTest = Math.min(n - 1, Math.max(1, Math.ceil(testSize * n)));
  const byClass = new Map<ClassLabel, number[]>();
  if (!multilabel) {
    (values as ClassLabel[]).forEach((label, i) => {
      const list = byClass.get(label);
      if (list) list.push(i);
      else byClass.set(label, [i]);
    });
  }
  const isTest = new Uint8Array(n);
  if (!multilabel && [...byClass.values()].every((list) => list.length >= 2)) {
    const groups = [...byClass.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, list]) => shuffle(list.slice(), random));
    const exact = groups.map((list) => (list.length * nTest) / n);
    const take = exact.map(Math.floor);
    let left = nTest - take.reduce((a, b) => a + b, 0);
    const byRemainder = exact.map((e, g) => [e - Math.floor(e), g] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, g] of byRemainder) {
      if (left === 0) break;
      if (take[g]! < groups[g]!.length - 1) {
        take[g]!++;
        left--;
      }
    }
    groups.forEach((list, g) => list.slice(0, take[g]).forEach((i) => (isTest[i] = 1)));
  } else {
    const order = shuffle(Array.from({ length: n }, (_, i) => i), random);
    for (let k = 0; k < nTest; k++) isTest[order[k]!] = 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? validation : train).push(i);
  return { train, validation };
}

/** What `fit` trains and validates on. */
export interface FitData {
  /** Token ids of every training text. */
  ids: Int32Array[];
  /** Targets of every training text. */
  targets: Targets;
  /** The rows trained on: all of them, or those the split left for training. */
  train: number[];
  /** The validation set, or null when there is none. */
  validation: ValidationData | null;
}

export interface ValidationData {
  ids: Int32Array[];
  targets: Targets;
}

/**
 * Tokenizes the training texts and finds the validation data: the given set
 * (checked against the training classes), else a held-out split of
 * {@link splitIndices}, which draws from `random`.
 *
 * @throws InvalidInputError for a bad validation set, or when the split leaves no training rows.
 */
export function fitData(
  texts: readonly string[],
  labels: ParsedLabels,
  validation: { texts: readonly string[]; labels: ClassifierLabels } | undefined,
  testSize: number,
  random: () => number,
  tokenize: (texts: readonly string[]) => Int32Array[],
): FitData {
  const { multilabel, classes } = labels;
  const classIndex = new Map<ClassLabel, number>(classes.map((c, i) => [c, i]));
  const ids = tokenize(texts);
  const targets = encodeTargets(labels.values, multilabel, classIndex, "labels");
  let train: number[];
  let held: ValidationData | null = null;
  if (validation !== undefined) {
    const { texts: vt, labels: vl } = validation;
    checkTexts(vt, "validation.texts");
    const vParsed = parseLabels(vl, vt.length, "validation.labels");
    if (vParsed.multilabel !== multilabel) throw new InvalidInputError("validation labels must be single- or multi-label like the training labels");
    held = { ids: tokenize(vt), targets: encodeTargets(vParsed.values, multilabel, classIndex, "validation.labels") };
    train = Array.from(texts, (_, i) => i);
  } else {
    const split = splitIndices(labels.values, multilabel, testSize, random);
    train = split.train;
    if (split.validation.length > 0) {
      held = { ids: split.validation.map((i) => ids[i]!), targets: selectTargets(targets, split.validation, classes.length) };
    }
  }
  if (train.length === 0) throw new InvalidInputError("fit: no training examples remain after the validation split");
  return { ids, targets, train, validation: held };
}
