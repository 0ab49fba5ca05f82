/** The options of `StaticModelForClassification.fit`, what it reports, and their checks. */
import { InvalidInputError } from "../errors.js";
import { describe } from "../model/arguments.js";
import type { ClassWeight } from "./class-weights.js";
import { integerOption, positiveOption } from "./classifier-arguments.js";
import type { ClassifierLabels } from "./labels.js";

/** Reported after each epoch. */
export interface FitProgress {
  /** 1-based. */
  epoch: number;
  maxEpochs: number;
  trainLoss: number;
  /** NaN without a validation set. */
  valLoss: number;
  valMetric: number;
  learningRate: number;
  /** 1-based epoch of the best checkpoint so far (0 before any). */
  bestEpoch: number;
}

/** Options of `StaticModelForClassification.fit`; defaults are Python's. */
export interface FitOptions {
  /** Default 1e-3. */
  learningRate?: number | undefined;
  /** Default 32 · min(max(1, ⌊n/30/32⌋), 16), as Python. */
  batchSize?: number | undefined;
  /** Epochs run before early stopping may stop. Default 1. */
  minEpochs?: number | undefined;
  /** Default 100 (Python's −1, "no limit", is capped); Infinity for no cap (needs early stopping). */
  maxEpochs?: number | undefined;
  /** Epochs without a validation-metric gain of 0.001 before stopping; null to disable. Default 5. */
  earlyStoppingPatience?: number | null | undefined;
  /** Fraction held out for validation when `validation` is not given. Default 0.1. */
  testSize?: number | undefined;
  /** Single-label: CrossEntropy class weights. Multi-label: BCE `pos_weight` ("balanced": negatives / positives). */
  classWeight?: ClassWeight | undefined;
  /** Default the seed given at construction, else 42. */
  seed?: number | undefined;
  /** A validation set to use instead of a split of the training data. */
  validation?: { texts: readonly string[]; labels: ClassifierLabels } | undefined;
  /**
   * Update only the embedding rows (and token weights) used in each batch, as
   * LazyAdam / SparseAdam. Much faster for large vocabularies; differs from
   * torch's dense Adam, which keeps moving rows absent from a batch by momentum.
   * Default false (dense, as Python).
   */
  lazyEmbeddingUpdates?: boolean | undefined;
  onProgress?: ((progress: FitProgress) => void) | undefined;
  /**
   * Aborting stops within one batch: fit rejects with the signal's reason, the
   * model holding the best checkpoint so far (or, before the first validation,
   * the partially trained weights).
   */
  signal?: AbortSignal | undefined;
}

/** What `StaticModelForClassification.fit` did. */
export interface FitHistory {
  /** Epochs run. */
  epochs: number;
  trainLoss: number[];
  valLoss: number[];
  valMetric: number[];
  /** 1-based epoch whose weights were restored (the last one without validation). */
  bestEpoch: number;
  learningRate: number[];
}

/** {@link FitOptions} checked, with their defaults filled in (batch size and class weights wait for the split). */
export interface FitSettings {
  learningRate: number;
  seed: number;
  testSize: number;
  maxEpochs: number;
  minEpochs: number;
  patience: number | null;
}

/**
 * Checks the options `fit` can check before seeing the data.
 *
 * @param defaultSeed the seed given at construction.
 * @throws InvalidInputError naming the option.
 */
export function fitSettings(options: FitOptions, defaultSeed: number): FitSettings {
  const learningRate = positiveOption(options.learningRate ?? 1e-3, "learningRate");
  const seed = integerOption(options.seed ?? defaultSeed, "seed", -(2 ** 31));
  const testSize = options.testSize ?? 0.1;
  if (typeof testSize !== "number" || !(testSize >= 0 && testSize < 1)) throw new InvalidInputError(`testSize must be in [0, 1), got ${describe(testSize)}`);
  const maxEpochs = options.maxEpochs === undefined || options.maxEpochs === -1 ? 100 : options.maxEpochs;
  if (!(maxEpochs === Infinity || (Number.isInteger(maxEpochs) && maxEpochs >= 1))) throw new InvalidInputError(`maxEpochs must be a positive integer, got ${describe(maxEpochs)}`);
  const minEpochs = integerOption(options.minEpochs ?? 1, "minEpochs", 0);
  const patience = options.earlyStoppingPatience === null ? null : integerOption(options.earlyStoppingPatience ?? 5, "earlyStoppingPatience", 1);
  return { learningRate, seed, testSize, maxEpochs, minEpochs, patience };
}
