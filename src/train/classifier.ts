/**
 * StaticModelForClassification: model2vec.train's classifier (REFERENCE §5) —
 * a trainable pooling layer over a StaticModel's table plus an MLP head, fitted
 * end to end with Adam, early stopping on a validation split, and saved as a
 * portable folder (model2vec files + head tensors + JSON config, never code).
 */
import { InvalidInputError, ModelFormatError } from "../errors.js";
import { classificationReport } from "../evaluate/metrics/classification.js";
import { type Label, sortLabels } from "../evaluate/metrics/labels.js";
import { decodeFloat32, readSafetensors } from "../formats/safetensors.js";
import type { SaveOptions } from "../formats/save-files.js";
import { type TensorToWrite, writeSafetensors } from "../formats/safetensors-writer.js";
import type { PushOptions } from "../hub/push.js";
import type { HubLoadOptions } from "../hub/resolve-model.js";
import { describe } from "../model/arguments.js";
import { StaticModel } from "../model/static-model.js";
import { truncateCodePoints } from "../tokenizer/text.js";
import { mulberry32, shuffle } from "../random.js";
import { bceWithLogits, sigmoid, softmaxCrossEntropy } from "./losses.js";
import { Mlp } from "./mlp.js";
import { Adam, type FloatArray, ReduceLROnPlateau } from "./optimizer.js";
import { PooledEncoder, initialLogits } from "./pooled-encoder.js";

/** One text's label: a class, or for multi-label data the list of its classes. */
export type ClassLabel = string | number;
export type ClassifierLabels = readonly ClassLabel[] | readonly (readonly ClassLabel[])[];

/** The classifier config file written next to the model files. */
export const CLASSIFIER_CONFIG_FILE = "classifier_config.json";
/** The head tensors file: `head.{layer}.weight` (out × in) and `head.{layer}.bias`. */
export const HEAD_FILE = "head.safetensors";
const FORMAT_VERSION = 1;
/** Python's training cut: characters, then token ids. */
const MAX_CHARACTERS = 5120;
const MAX_TOKENS = 512;
const PREDICT_BATCH = 1024;

/** Options of {@link StaticModelForClassification.fromStaticModel}. */
export interface FromStaticModelOptions {
  model: StaticModel;
  /** Hidden Linear → ReLU blocks of the head; 0 for a linear head. Default 1. */
  nLayers?: number | undefined;
  /** Default 512. */
  hiddenDim?: number | undefined;
  /** Default seed of `fit` (head initialisation, split, shuffling). Default 42. */
  seed?: number | undefined;
}

/** Options of {@link StaticModelForClassification.fromPretrained}. */
export interface ClassifierFromPretrainedOptions extends HubLoadOptions {
  /** Used when the folder holds a plain model (no classifier config). */
  nLayers?: number | undefined;
  hiddenDim?: number | undefined;
  seed?: number | undefined;
}

/** Class weights: "balanced" (n / (classes · count)), or a weight per label. */
export type ClassWeight = "balanced" | Readonly<Record<string, number>> | ReadonlyMap<ClassLabel, number> | null;

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

/** Options of {@link StaticModelForClassification.fit}; defaults are Python's. */
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

/** What {@link StaticModelForClassification.fit} did. */
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

/** Per-class scores of {@link StaticModelForClassification.evaluate}. */
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

/** The contents of classifier_config.json. */
export interface ClassifierConfig {
  version: number;
  labels: ClassLabel[];
  multilabel: boolean;
  nLayers: number;
  hiddenDim: number;
  normalize: boolean;
  inputDim: number;
}

interface Checkpoint {
  table: Float32Array;
  logits: Float32Array;
  head: Float32Array[];
}

/**
 * A text classifier on top of a static model. Texts are pooled by the trainable
 * layer of {@link PooledEncoder} (σ(w)-weighted mean of the table rows,
 * normalised when the model normalises) and classified by an MLP head; `fit`
 * trains the table, the token weights and the head together.
 *
 * Tokenization drops unknown tokens (as StaticModel.encode does, unlike Python's
 * trainer, which pools the [UNK] row), so the trained pooling and
 * {@link toStaticModel}'s encode agree. The pad token ("[PAD]", when the
 * vocabulary has it) is skipped in the sum and the count, as in Python.
 */
export class StaticModelForClassification {
  /** The model the classifier was built from (tokenizer, config, metadata). */
  readonly base: StaticModel;
  readonly encoder: PooledEncoder;
  readonly nLayers: number;
  readonly hiddenDim: number;
  readonly seed: number;
  #head: Mlp | null = null;
  #classes: ClassLabel[] = [];
  #multilabel = false;

  private constructor(base: StaticModel, encoder: PooledEncoder, nLayers: number, hiddenDim: number, seed: number) {
    this.base = base;
    this.encoder = encoder;
    this.nLayers = nLayers;
    this.hiddenDim = hiddenDim;
    this.seed = seed;
  }

  /**
   * Wraps `model` with an untrained head (created by `fit` once the classes are
   * known). The table is copied; token logits start at logit(weights), or 0 (σ = ½)
   * when the model has no weights, and −10000 for the pad token, as Python's
   * `from_static_model`.
   */
  static fromStaticModel(options: FromStaticModelOptions): StaticModelForClassification {
    if (options === null || typeof options !== "object" || !(options.model instanceof StaticModel)) {
      throw new InvalidInputError("fromStaticModel needs { model: StaticModel }");
    }
    const { model } = options;
    const nLayers = integerOption(options.nLayers ?? 1, "nLayers", 0);
    const hiddenDim = integerOption(options.hiddenDim ?? 512, "hiddenDim", 1);
    const seed = integerOption(options.seed ?? 42, "seed", -(2 ** 31));
    const padId = padIdOf(model);
    const encoder = new PooledEncoder({
      table: Float32Array.from(model.embedding.data),
      dim: model.dim,
      logits: initialLogits(model.tokens.length, model.weights, padId),
      mapping: model.mapping,
      padId,
      normalize: model.normalize,
    });
    return new StaticModelForClassification(model, encoder, nLayers, hiddenDim, seed);
  }

  /**
   * Loads a classifier saved by {@link savePretrained} from a folder or a Hub
   * repository. A folder holding a plain model2vec model (no
   * classifier_config.json) is wrapped as {@link fromStaticModel} does, with an
   * untrained head that `fit` creates.
   *
   * A saved classifier reloads with the exact pooling it was trained with: the
   * saved table already carries σ(w), so it is loaded doubled with w = 0 (σ = ½)
   * when not vocabulary-quantized, and with w = logit(weights) when it is.
   *
   * @throws ModelFormatError when the config or the head tensors are missing, malformed or do not fit the model.
   */
  static async fromPretrained(pathOrId: string, options: ClassifierFromPretrainedOptions = {}): Promise<StaticModelForClassification> {
    if (typeof pathOrId !== "string" || pathOrId.length === 0) {
      throw new InvalidInputError(`fromPretrained needs a folder path or a Hub id, got ${describe(pathOrId)}`);
    }
    const { loadClassifierFolder } = await import("./load-classifier.js");
    const { folder, config, head } = await loadClassifierFolder(pathOrId, options);
    const model = await StaticModel.fromPretrained(folder);
    const parsed = config === null ? null : parseConfig(config, model);
    const wrapped = StaticModelForClassification.fromStaticModel({
      model,
      nLayers: parsed ? parsed.nLayers : options.nLayers,
      hiddenDim: parsed ? parsed.hiddenDim : options.hiddenDim,
      seed: options.seed,
    });
    if (parsed === null) return wrapped;
    if (head === null) throw new ModelFormatError(`${pathOrId}: ${CLASSIFIER_CONFIG_FILE} is present but ${HEAD_FILE} is missing`);
    wrapped.#restoreSaved(parsed, head);
    return wrapped;
  }

  /** The classes, in the order of the probability columns; empty before `fit`. */
  get classes(): readonly ClassLabel[] {
    return this.#classes;
  }

  get multilabel(): boolean {
    return this.#multilabel;
  }

  /** The head, or null before `fit`. */
  get head(): Mlp | null {
    return this.#head;
  }

  get normalize(): boolean {
    return this.encoder.normalize;
  }

  /**
   * Trains on `texts` and their labels: single-label when each label is a string
   * or number (softmax cross-entropy, validation accuracy), multi-label when each
   * is an array (BCE with logits, validation sample-averaged Jaccard at 0.5).
   * The head is re-initialised; the table and token weights continue from their
   * current values. Adam with ReduceLROnPlateau on the validation loss (factor
   * 0.5, patience 3, threshold 3 % relative, min 1e-6); early stopping on the
   * validation metric; the best epoch's weights are restored at the end.
   *
   * @throws InvalidInputError for empty data, mismatched lengths, bad labels or options.
   */
  async fit(texts: readonly string[], labels: ClassifierLabels, options: FitOptions = {}): Promise<FitHistory> {
    checkTexts(texts, "texts");
    const parsed = parseLabels(labels, texts.length, "labels");
    const classes = parsed.classes;
    if (!parsed.multilabel && classes.length < 2) throw new InvalidInputError(`fit needs at least 2 classes, got ${classes.length}`);
    const learningRate = positiveOption(options.learningRate ?? 1e-3, "learningRate");
    const seed = integerOption(options.seed ?? this.seed, "seed", -(2 ** 31));
    const testSize = options.testSize ?? 0.1;
    if (typeof testSize !== "number" || !(testSize >= 0 && testSize < 1)) throw new InvalidInputError(`testSize must be in [0, 1), got ${describe(testSize)}`);
    const maxEpochs = options.maxEpochs === undefined || options.maxEpochs === -1 ? 100 : options.maxEpochs;
    if (!(maxEpochs === Infinity || (Number.isInteger(maxEpochs) && maxEpochs >= 1))) throw new InvalidInputError(`maxEpochs must be a positive integer, got ${describe(maxEpochs)}`);
    const minEpochs = integerOption(options.minEpochs ?? 1, "minEpochs", 0);
    const patience = options.earlyStoppingPatience === null ? null : integerOption(options.earlyStoppingPatience ?? 5, "earlyStoppingPatience", 1);
    const signal = options.signal;
    signal?.throwIfAborted();

    const random = mulberry32(seed);
    const multilabel = parsed.multilabel;
    const nClasses = classes.length;
    const classIndex = new Map<ClassLabel, number>(classes.map((c, i) => [c, i]));
    const ids = this.#tokenize(texts);

    // Train / validation split.
    let train: number[];
    let valIds: Int32Array[] = [];
    let valTargets: Targets | null = null;
    const allTargets = encodeTargets(parsed.values, multilabel, classIndex, "labels");
    if (options.validation !== undefined) {
      const { texts: vt, labels: vl } = options.validation;
      checkTexts(vt, "validation.texts");
      const vParsed = parseLabels(vl, vt.length, "validation.labels");
      if (vParsed.multilabel !== multilabel) throw new InvalidInputError("validation labels must be single- or multi-label like the training labels");
      valIds = this.#tokenize(vt);
      valTargets = encodeTargets(vParsed.values, multilabel, classIndex, "validation.labels");
      train = Array.from(texts, (_, i) => i);
    } else {
      const split = splitIndices(parsed.values, multilabel, testSize, random);
      train = split.train;
      if (split.validation.length > 0) {
        valIds = split.validation.map((i) => ids[i]!);
        valTargets = selectTargets(allTargets, split.validation, nClasses);
      }
    }
    if (train.length === 0) throw new InvalidInputError("fit: no training examples remain after the validation split");
    const hasValidation = valTargets !== null && valIds.length > 0;
    if (!hasValidation && maxEpochs === Infinity) throw new InvalidInputError("maxEpochs = Infinity needs a validation set for early stopping");
    const batchSize = options.batchSize ?? 32 * Math.min(Math.max(1, Math.floor(train.length / 30 / 32)), 16);
    integerOption(batchSize, "batchSize", 1);
    const weights = lossWeights(options.classWeight ?? null, allTargets, train, classes, multilabel);

    // Model, optimizer, schedule.
    const head = new Mlp({ inputDim: this.encoder.dim, outputDim: nClasses, nLayers: this.nLayers, hiddenDim: this.hiddenDim, seed });
    this.#head = head;
    this.#classes = classes;
    this.#multilabel = multilabel;
    const params = [this.encoder.table, this.encoder.logits, ...head.parameters()];
    const optimizer = new Adam(params, { learningRate, lazy: options.lazyEmbeddingUpdates ?? false });
    optimizer.zeroGrad();
    const scheduler = new ReduceLROnPlateau(optimizer);

    const history: FitHistory = { epochs: 0, trainLoss: [], valLoss: [], valMetric: [], bestEpoch: 0, learningRate: [] };
    let best: Checkpoint | null = null;
    let bestMetric = -Infinity;
    let stopBest = -Infinity;
    let wait = 0;
    let lastYield = Date.now();
    const order = train.slice();
    const aborted = () => {
      if (best) this.#restore(best);
      signal!.throwIfAborted();
    };

    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      shuffle(order, random);
      let lossSum = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        if (Date.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
        if (signal?.aborted) aborted();
        const end = Math.min(start + batchSize, order.length);
        const rows = order.slice(start, end);
        const batch = rows.map((i) => ids[i]!);
        const targets = selectTargets(allTargets, rows, nClasses);
        const h = this.encoder.forward(batch, { train: true });
        const logits = head.forward(h, { train: true });
        const { loss, grad } = lossOf(logits, targets, nClasses, weights);
        this.encoder.backward(head.backward(grad));
        optimizer.step();
        optimizer.zeroGrad();
        lossSum += loss * rows.length;
      }
      history.epochs = epoch;
      history.trainLoss.push(lossSum / order.length);
      history.learningRate.push(optimizer.learningRate);
      let stop = false;
      if (hasValidation) {
        const { loss, metric } = this.#validate(valIds, valTargets!, weights);
        history.valLoss.push(loss);
        history.valMetric.push(metric);
        scheduler.step(loss);
        if (metric > bestMetric) {
          bestMetric = metric;
          best = this.#snapshot();
          history.bestEpoch = epoch;
        }
        // Lightning's EarlyStopping(mode="max", min_delta=0.001).
        if (metric - 0.001 > stopBest) {
          stopBest = metric;
          wait = 0;
        } else {
          wait++;
        }
        stop = patience !== null && wait >= patience && epoch >= minEpochs;
      } else {
        history.bestEpoch = epoch;
      }
      options.onProgress?.({
        epoch,
        maxEpochs,
        trainLoss: history.trainLoss[epoch - 1]!,
        valLoss: hasValidation ? history.valLoss[epoch - 1]! : NaN,
        valMetric: hasValidation ? history.valMetric[epoch - 1]! : NaN,
        learningRate: optimizer.learningRate,
        bestEpoch: history.bestEpoch,
      });
      if (stop) break;
    }
    if (best) this.#restore(best);
    return history;
  }

  /**
   * Class probabilities: softmax (single-label) or per-class sigmoid (multi-label).
   *
   * @returns texts × classes values, row-major, columns in {@link classes} order.
   */
  predictProba(texts: readonly string[]): Float32Array {
    const head = this.#trainedHead();
    checkTexts(texts, "texts");
    const n = this.#classes.length;
    const out = new Float32Array(texts.length * n);
    for (let first = 0; first < texts.length; first += PREDICT_BATCH) {
      const chunk = texts.slice(first, first + PREDICT_BATCH);
      const logits = head.forward(this.encoder.forward(this.#tokenize(chunk)));
      toProbabilities(logits, n, this.#multilabel, out, first * n);
    }
    return out;
  }

  /**
   * The predicted label of each text; for multi-label models, the labels whose
   * probability exceeds `threshold` (default 0.5).
   */
  predict(texts: readonly string[], options: { threshold?: number | undefined } = {}): ClassLabel[] | ClassLabel[][] {
    const threshold = options.threshold ?? 0.5;
    if (typeof threshold !== "number" || Number.isNaN(threshold)) throw new InvalidInputError(`threshold must be a number, got ${describe(threshold)}`);
    const proba = this.predictProba(texts);
    const classes = this.#classes;
    const n = classes.length;
    if (this.#multilabel) {
      return Array.from(texts, (_, i) => classes.filter((_, c) => proba[i * n + c]! > threshold));
    }
    return Array.from(texts, (_, i) => {
      let arg = 0;
      for (let c = 1; c < n; c++) if (proba[i * n + c]! > proba[i * n + arg]!) arg = c;
      return classes[arg]!;
    });
  }

  /**
   * Scores predictions against `labels`: accuracy (subset accuracy for
   * multi-label), macro F1 and per-class precision, recall, F1 and support.
   */
  evaluate(texts: readonly string[], labels: ClassifierLabels, options: { threshold?: number | undefined } = {}): ClassifierEvaluation {
    checkTexts(texts, "texts");
    const parsed = parseLabels(labels, texts.length, "labels");
    this.#trainedHead();
    if (parsed.multilabel !== this.#multilabel) throw new InvalidInputError(`evaluate: the model is ${this.#multilabel ? "multi" : "single"}-label, the labels are not`);
    const predicted = this.predict(texts, options);
    if (!this.#multilabel) {
      const yTrue = parsed.values as ClassLabel[];
      const yPred = predicted as ClassLabel[];
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
    const known = new Set(this.#classes);
    const yTrue = parsed.values as ClassLabel[][];
    const yPred = predicted as ClassLabel[][];
    const perClass: Record<string, ClassEvaluation> = {};
    for (const row of yTrue) for (const label of row) if (!known.has(label)) throw new InvalidInputError(`labels: ${describe(label)} is not one of the model's classes`);
    let exact = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = new Set(yTrue[i]);
      if (t.size === yPred[i]!.length && yPred[i]!.every((l) => t.has(l))) exact++;
    }
    let f1Sum = 0;
    for (const label of this.#classes) {
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
    return { accuracy: exact / yTrue.length, macroF1: f1Sum / this.#classes.length, perClass };
  }

  /**
   * The trained pooling as a plain StaticModel (Python's `to_static_model`):
   * without vocabulary quantization each row is scaled by σ(w) and no weights
   * are stored; with it, weights = σ(w) and the mapping is kept. Its `encode`
   * gives the vectors the head sees.
   */
  toStaticModel(): StaticModel {
    const base = this.base;
    const table = Float32Array.from(this.encoder.table.value);
    const dim = this.encoder.dim;
    const sig = this.encoder.tokenWeights();
    const quantized = this.encoder.mapping !== null;
    if (!quantized) {
      for (let row = 0; row < sig.length; row++) {
        const s = sig[row]!;
        for (let j = row * dim; j < (row + 1) * dim; j++) table[j]! *= s;
      }
    }
    return new StaticModel({
      embeddings: table,
      dim,
      tokenizer: base.tokenizer,
      weights: quantized ? sig : null,
      mapping: quantized ? this.encoder.mapping : null,
      normalize: this.encoder.normalize,
      config: { ...base.config },
      baseModelName: base.baseModelName,
      language: base.language,
      license: base.license,
    });
  }

  /**
   * The files {@link savePretrained} writes: {@link toStaticModel}'s model2vec
   * files, `head.safetensors` and `classifier_config.json`.
   */
  toFiles(options: SaveOptions = {}): Map<string, Uint8Array> {
    const head = this.#trainedHead();
    const files = this.toStaticModel().toFiles(options);
    const tensors: TensorToWrite[] = head.layers.flatMap((layer, l) => [
      { name: `head.${l}.weight`, dtype: "F32" as const, shape: [layer.outDim, layer.inDim], data: Float32Array.from(layer.weight.value) },
      { name: `head.${l}.bias`, dtype: "F32" as const, shape: [layer.outDim], data: Float32Array.from(layer.bias.value) },
    ]);
    const config: ClassifierConfig = {
      version: FORMAT_VERSION,
      labels: [...this.#classes],
      multilabel: this.#multilabel,
      nLayers: this.nLayers,
      hiddenDim: this.hiddenDim,
      normalize: this.encoder.normalize,
      inputDim: this.encoder.dim,
    };
    files.set(HEAD_FILE, writeSafetensors(tensors, { format: "pt" }));
    files.set(CLASSIFIER_CONFIG_FILE, new TextEncoder().encode(JSON.stringify(config, null, 2)));
    return files;
  }

  /**
   * Saves the classifier to `folder`, atomically (see {@link toFiles}). `license` sets
   * the card's licence (default: the base model's, else "mit").
   */
  async savePretrained(folder: string, options: SaveOptions = {}): Promise<void> {
    if (typeof folder !== "string" || folder.length === 0) throw new InvalidInputError(`savePretrained needs a folder path, got ${describe(folder)}`);
    const modelName = options.modelName ?? folder.split(/[\\/]/).filter(Boolean).pop() ?? "model2vec-classifier";
    const files = this.toFiles({ modelName, license: options.license });
    const { writeFolderAtomically } = await import("../io/write-folder.js");
    await writeFolderAtomically(folder, files);
  }

  /** Uploads {@link toFiles} to the Hub. @returns The repository's URL. */
  async pushToHub(repoId: string, options: PushOptions = {}): Promise<string> {
    const files = this.toFiles({ modelName: repoId });
    const { pushFiles } = await import("../hub/push.js");
    return pushFiles(repoId, files, { ...options, commitMessage: options.commitMessage ?? "Upload model2vec classifier" });
  }

  #tokenize(texts: readonly string[]): Int32Array[] {
    const cut = texts.map((t) => truncateCodePoints(t, MAX_CHARACTERS));
    return this.base.tokenize(cut).map((ids) => (ids.length > MAX_TOKENS ? ids.subarray(0, MAX_TOKENS) : ids));
  }

  #trainedHead(): Mlp {
    if (this.#head === null) throw new InvalidInputError("the classifier has no trained head: call fit first");
    return this.#head;
  }

  #validate(ids: Int32Array[], targets: Targets, weights: Float64Array | null): { loss: number; metric: number } {
    const head = this.#head!;
    const n = this.#classes.length;
    let lossSum = 0;
    let metricSum = 0;
    const count = ids.length;
    for (let first = 0; first < count; first += PREDICT_BATCH) {
      const rows = Array.from({ length: Math.min(PREDICT_BATCH, count - first) }, (_, k) => first + k);
      const chunkTargets = selectTargets(targets, rows, n);
      const logits = head.forward(this.encoder.forward(rows.map((i) => ids[i]!)));
      lossSum += lossOf(logits, chunkTargets, n, weights).loss * rows.length;
      for (let k = 0; k < rows.length; k++) {
        if (chunkTargets.kind === "single") {
          let arg = 0;
          for (let c = 1; c < n; c++) if (logits[k * n + c]! > logits[k * n + arg]!) arg = c;
          if (arg === chunkTargets.index[k]) metricSum++;
        } else {
          // Jaccard of the predicted (σ > 0.5 ⇔ logit > 0) and true label sets; 0 when both are empty (sklearn).
          let inter = 0;
          let union = 0;
          for (let c = 0; c < n; c++) {
            const p = logits[k * n + c]! > 0;
            const t = chunkTargets.indicator[k * n + c]! > 0.5;
            if (p && t) inter++;
            if (p || t) union++;
          }
          metricSum += union === 0 ? 0 : inter / union;
        }
      }
    }
    // The sample mean (Lightning averages per-batch means, the same for equal-sized batches).
    return { loss: lossSum / count, metric: metricSum / count };
  }

  #snapshot(): Checkpoint {
    return {
      table: Float32Array.from(this.encoder.table.value),
      logits: Float32Array.from(this.encoder.logits.value),
      head: this.#head!.parameters().map((p) => Float32Array.from(p.value)),
    };
  }

  #restore(checkpoint: Checkpoint): void {
    this.encoder.table.value.set(checkpoint.table);
    this.encoder.logits.value.set(checkpoint.logits);
    this.#head!.parameters().forEach((p, i) => p.value.set(checkpoint.head[i]!));
  }

  /** Installs a saved head and makes the pooling reproduce the saved model's encode. */
  #restoreSaved(config: ClassifierConfig, headBytes: Uint8Array): void {
    if (this.encoder.mapping === null) {
      // The saved rows carry σ(w) already: double them and let w = 0 (σ = ½) halve them back.
      const table = this.encoder.table.value;
      for (let k = 0; k < table.length; k++) table[k]! *= 2;
      const w = this.encoder.logits.value;
      w.fill(0);
      if (this.encoder.padId !== null && this.encoder.padId < w.length) w[this.encoder.padId] = -10000;
    }
    this.encoder.normalize = config.normalize;
    const head = new Mlp({ inputDim: config.inputDim, outputDim: config.labels.length, nLayers: config.nLayers, hiddenDim: config.hiddenDim, seed: this.seed });
    const file = readSafetensors(headBytes, HEAD_FILE);
    const expected = new Set<string>();
    head.layers.forEach((layer, l) => {
      for (const [name, param, shape] of [
        [`head.${l}.weight`, layer.weight, [layer.outDim, layer.inDim]],
        [`head.${l}.bias`, layer.bias, [layer.outDim]],
      ] as const) {
        expected.add(name);
        const tensor = file.tensors.get(name);
        if (!tensor) throw new ModelFormatError(`${HEAD_FILE}: tensor "${name}" is missing (nLayers = ${config.nLayers})`);
        if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
          throw new ModelFormatError(`${HEAD_FILE}: tensor "${name}" has shape ${JSON.stringify(tensor.shape)}, expected ${JSON.stringify(shape)}`);
        }
        const values = decodeFloat32(tensor);
        for (let k = 0; k < values.length; k++) {
          if (!Number.isFinite(values[k]!)) throw new ModelFormatError(`${HEAD_FILE}: tensor "${name}" holds a non-finite value at ${k}`);
        }
        param.value.set(values);
      }
    });
    for (const name of file.tensors.keys()) {
      if (!expected.has(name)) throw new ModelFormatError(`${HEAD_FILE}: unexpected tensor "${name}" for a head of ${config.nLayers} hidden layers`);
    }
    this.#head = head;
    this.#classes = config.labels;
    this.#multilabel = config.multilabel;
  }
}

// ---------------------------------------------------------------------------
// Labels and targets
// ---------------------------------------------------------------------------

type Targets = { kind: "single"; index: Int32Array } | { kind: "multi"; indicator: Float64Array };

interface ParsedLabels {
  multilabel: boolean;
  values: ClassLabel[] | ClassLabel[][];
  classes: ClassLabel[];
}

function isLabel(value: unknown): value is ClassLabel {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function safeLabels<T>(run: () => T, what: string): T {
  try {
    return run();
  } catch (error) {
    throw new InvalidInputError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

function parseLabels(labels: unknown, count: number, what: string): ParsedLabels {
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

function encodeTargets(values: ClassLabel[] | ClassLabel[][], multilabel: boolean, classIndex: Map<ClassLabel, number>, what: string): Targets {
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

function selectTargets(targets: Targets, rows: readonly number[], n: number): Targets {
  if (targets.kind === "single") return { kind: "single", index: Int32Array.from(rows, (i) => targets.index[i]!) };
  const indicator = new Float64Array(rows.length * n);
  rows.forEach((i, k) => indicator.set(targets.indicator.subarray(i * n, (i + 1) * n), k * n));
  return { kind: "multi", indicator };
}

function lossOf(logits: FloatArray, targets: Targets, n: number, weights: Float64Array | null) {
  return targets.kind === "single" ? softmaxCrossEntropy(logits, targets.index, n, weights) : bceWithLogits(logits, targets.indicator, n, weights);
}

/** Class weights (single-label) or positive weights (multi-label) over the training rows. */
function lossWeights(classWeight: ClassWeight, targets: Targets, train: readonly number[], classes: ClassLabel[], multilabel: boolean): Float64Array | null {
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

/**
 * Held-out indices: ⌈testSize·n⌉ rows (at least 1 when testSize > 0), stratified
 * per class (largest-remainder allocation) when single-label and every class has
 * at least 2 examples, else a random sample.
 */
function splitIndices(values: ClassLabel[] | ClassLabel[][], multilabel: boolean, testSize: number, random: () => number): { train: number[]; validation: number[] } {
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

function toProbabilities(logits: FloatArray, n: number, multilabel: boolean, out: Float32Array, offset: number): void {
  const rows = logits.length / n;
  for (let i = 0; i < rows; i++) {
    const base = i * n;
    if (multilabel) {
      for (let c = 0; c < n; c++) out[offset + base + c] = sigmoid(logits[base + c]!);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < n; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < n; c++) sum += Math.exp(logits[base + c]! - max);
    for (let c = 0; c < n; c++) out[offset + base + c] = Math.exp(logits[base + c]! - max) / sum;
  }
}

// ---------------------------------------------------------------------------
// Options and config
// ---------------------------------------------------------------------------

function checkTexts(texts: unknown, what: string): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) throw new InvalidInputError(`${what} must be an array of strings, got ${describe(texts)}`);
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== "string") throw new InvalidInputError(`${what}[${i}] is ${describe(texts[i])}, expected a string`);
  }
}

function integerOption(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidInputError(`${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  }
  return value;
}

function positiveOption(value: unknown, name: string): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) throw new InvalidInputError(`${name} must be a positive number, got ${describe(value)}`);
  return value;
}

/** The "[PAD]" token's id, or null when the vocabulary has none. */
function padIdOf(model: StaticModel): number | null {
  const id = model.tokens.indexOf("[PAD]");
  return id >= 0 ? id : null;
}

/** Validates classifier_config.json against the loaded model. */
export function parseConfig(raw: unknown, model: StaticModel): ClassifierConfig {
  const fail = (what: string): never => {
    throw new ModelFormatError(`${CLASSIFIER_CONFIG_FILE}: ${what}`);
  };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail("is not a JSON object");
  const config = raw as Record<string, unknown>;
  if (config.version !== FORMAT_VERSION) fail(`version ${describe(config.version)} is not supported (expected ${FORMAT_VERSION})`);
  const labels = config.labels;
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every(isLabel)) fail("labels must be a non-empty array of strings or numbers");
  if (new Set(labels as ClassLabel[]).size !== (labels as ClassLabel[]).length) fail("labels has duplicates");
  if (typeof config.multilabel !== "boolean") fail("multilabel must be a boolean");
  if (typeof config.normalize !== "boolean") fail("normalize must be a boolean");
  for (const key of ["nLayers", "hiddenDim", "inputDim"] as const) {
    const value = config[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < (key === "nLayers" ? 0 : 1)) fail(`${key} must be a ${key === "nLayers" ? "non-negative" : "positive"} integer, got ${describe(value)}`);
  }
  if (config.inputDim !== model.dim) fail(`inputDim ${config.inputDim} does not match the model's dimension ${model.dim}`);
  return {
    version: FORMAT_VERSION,
    labels: labels as ClassLabel[],
    multilabel: config.multilabel as boolean,
    nLayers: config.nLayers as number,
    hiddenDim: config.hiddenDim as number,
    normalize: config.normalize as boolean,
    inputDim: config.inputDim as number,
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
