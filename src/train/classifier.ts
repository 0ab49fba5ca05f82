/**
 * StaticModelForClassification: model2vec.train's classifier (model2vec `train/classifier.py`) —
 * a trainable pooling layer over a StaticModel's table plus an MLP head, fitted
 * end to end with Adam, early stopping on a validation split, and saved as a
 * portable folder (model2vec files + head tensors + JSON config, never code).
 */
import { InvalidInputError, ModelFormatError } from "../errors.js";
import type { SaveOptions } from "../persistence/save-files.js";
import type { PushOptions } from "../hub/push.js";
import type { HubLoadOptions } from "../persistence/resolve-model.js";
import { describe } from "../model/arguments.js";
import { StaticModel } from "../model/static-model.js";
import { truncateCodePoints } from "../tokenizer/text.js";
import { mulberry32 } from "../random.js";
import { lossWeights } from "./class-weights.js";
import { checkTexts, integerOption } from "./classifier-arguments.js";
import { CLASSIFIER_CONFIG_FILE, type ClassifierConfig, FORMAT_VERSION, parseConfig } from "./classifier-config.js";
import { type ClassifierEvaluation, multiLabelEvaluation, singleLabelEvaluation } from "./classifier-evaluation.js";
import { type FitHistory, type FitOptions, fitSettings } from "./fit-options.js";
import { HEAD_FILE, decodeHead, encodeHead } from "./head-file.js";
import { type ClassLabel, type ClassifierLabels, parseLabels } from "./labels.js";
import { Mlp } from "./mlp.js";
import { PooledEncoder, initialLogits } from "./pooled-encoder.js";
import { PREDICT_BATCH, toProbabilities } from "./probabilities.js";
import { trainEpochs } from "./training-loop.js";
import { fitData } from "./validation-split.js";

/** Python's training cut: characters, then token ids. */
const MAX_CHARACTERS = 5120;
const MAX_TOKENS = 512;

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
    const { classes, multilabel } = parsed;
    if (!multilabel && classes.length < 2) throw new InvalidInputError(`fit needs at least 2 classes, got ${classes.length}`);
    const settings = fitSettings(options, this.seed);
    const { maxEpochs, seed } = settings;
    options.signal?.throwIfAborted();

    const random = mulberry32(seed);
    const data = fitData(texts, parsed, options.validation, settings.testSize, random, (batch) => this.#tokenize(batch));
    if (data.validation === null && maxEpochs === Infinity) throw new InvalidInputError("maxEpochs = Infinity needs a validation set for early stopping");
    const batchSize = options.batchSize ?? 32 * Math.min(Math.max(1, Math.floor(data.train.length / 30 / 32)), 16);
    integerOption(batchSize, "batchSize", 1);
    const weights = lossWeights(options.classWeight ?? null, data.targets, data.train, classes, multilabel);

    const head = new Mlp({ inputDim: this.encoder.dim, outputDim: classes.length, nLayers: this.nLayers, hiddenDim: this.hiddenDim, seed });
    this.#head = head;
    this.#classes = classes;
    this.#multilabel = multilabel;
    return trainEpochs({
      encoder: this.encoder,
      head,
      ...data,
      nClasses: classes.length,
      weights,
      learningRate: settings.learningRate,
      lazyEmbeddingUpdates: options.lazyEmbeddingUpdates ?? false,
      batchSize,
      minEpochs: settings.minEpochs,
      maxEpochs,
      patience: settings.patience,
      random,
      signal: options.signal,
      onProgress: options.onProgress,
    });
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
    if (!this.#multilabel) return singleLabelEvaluation(parsed.values as ClassLabel[], predicted as ClassLabel[]);
    return multiLabelEvaluation(this.#classes, parsed.values as ClassLabel[][], predicted as ClassLabel[][]);
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
    const config: ClassifierConfig = {
      version: FORMAT_VERSION,
      labels: [...this.#classes],
      multilabel: this.#multilabel,
      nLayers: this.nLayers,
      hiddenDim: this.hiddenDim,
      normalize: this.encoder.normalize,
      inputDim: this.encoder.dim,
    };
    files.set(HEAD_FILE, encodeHead(head));
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
    this.#head = decodeHead(headBytes, config, this.seed);
    this.#classes = config.labels;
    this.#multilabel = config.multilabel;
  }
}

/** The "[PAD]" token's id, or null when the vocabulary has none. */
function padIdOf(model: StaticModel): number | null {
  const id = model.tokens.indexOf("[PAD]");
  return id >= 0 ? id : null;
}
