/**
 * tokenlearn's training step (tokenlearn `train.py`, and `pretrain.py` of v0.1/v0.2): fit a static model to a teacher's
 * sentence vectors, then re-regularise it as the original potion models were.
 * Node-only (featurization reads and writes files).
 *
 * 1. Targets: the featurized teacher vectors (a {@link featurize} folder, or made
 *    now from `teacher` + `corpus`), rows with NaN dropped, reduced by PCA to
 *    `pcaDims`.
 * 2. Start model: `model` when given; otherwise `distillFromModel({ teacher,
 *    vocabulary, pcaDims, quantizeTo: "float32" })` (SIF 1e-4) with the
 *    `vocabSize` most frequent `\w+|[^\w\s]+` tokens of the lowercased training
 *    texts as custom vocabulary (tokenlearn HEAD's `create_vocab`).
 * 3. Training (tokenlearn HEAD's `StaticModelForFineTuning`): h = Σₜ σ(w_t)·E_t / n,
 *    L2-normalised, then a Linear(dim → target dim) head; InfoNCE (τ 0.07,
 *    default; one-hot targets, or with `targetTemperature` soft ones drawn from the
 *    targets' in-batch similarities), cosine or MSE against the targets; AdamW (lr 1e-3, weight decay
 *    0.01) or Adam; batches of 256, random or (`batchTopics`) each from one topic of the
 *    targets (see topic-batches.ts); a seeded validation split of min(10k, 10%)
 *    rows checked every epoch, early stopping with patience 5, and the best
 *    epoch's parameters restored.
 *
 *    The per-token parameters w start, as tokenlearn HEAD's do, from the start
 *    model's `weights` tensor used as is (not as logits; `_encode` applies σ to
 *    them), or from 1 when the model has none (its `construct_weights`
 *    override): σ(1) ≈ 0.73 for every token. The pad token is never pooled (w =
 *    −10000, so its row ends up zero).
 * 4. Re-regularisation (tokenlearn v0.1.x `weight_model`): E_t ← E_t·σ(w_t), PCA to
 *    `pcaDims` over the rows, then E_t ← E_t·α/(α + p_t) with α = 1e-3 and the
 *    add-one smoothed corpus token probability p_t = (count_t + 1)/(N + V) from
 *    tokenizing the training texts with the model's tokenizer. The result has
 *    `normalize` true and stores no weights or mapping.
 *
 * `weighting: "norm"` is tokenlearn v0.2 (`pretrain.py`, the potion-multilingual
 * recipe) instead: the start model's rows are made unit length and each token's
 * w starts at its row's norm (the pad's at 0); h = Σₜ w_t·e_t / n, not
 * normalised, feeds the head; the result's rows are w_t·e_t with no PCA, and the
 * corpus re-weighting of step 4 only when `sifAlpha` is given (v0.2 has none).
 * v0.2's loss is MSE: pass `loss: "mse"` for the whole recipe.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DistillProgress } from "../distill/embed-tokens.js";
import { distillFromModel } from "../distill/distill.js";
import type { Teacher } from "../distill/teacher.js";
import { InvalidInputError } from "../errors.js";
import { licenseOption } from "../persistence/model-card.js";
import { pca } from "../linalg/pca.js";
import { Embeddings } from "../linalg/embeddings.js";
import { StaticModel } from "../model/static-model.js";
import { mulberry32, shuffle } from "../random.js";
import { cosineLoss, infoNce, mseLoss, type PairLossResult } from "../train/losses.js";
import { Mlp } from "../train/mlp.js";
import { Adam, AdamW, type Parameter } from "../train/optimizer.js";
import { PooledEncoder } from "../train/pooled-encoder.js";
import type { CorpusSource } from "./corpus.js";
import { countCorpusTokens, mostFrequent } from "./corpus-vocabulary.js";
import { type FeaturizeOptions, type FeaturizeProgress, featurize } from "./featurize.js";
import { readFeaturized } from "./shards.js";
import { topicBatchOrder, topicLabels } from "./topic-batches.js";
import { scoreAddedWords } from "./word-scores.js";

export type TokenlearnLoss = "contrastive" | "cosine" | "mse";
export type TokenlearnOptimizer = "adamw" | "adam";
/** "sigmoid": tokenlearn HEAD's σ(w)-weighted, normalised mean; "norm": tokenlearn v0.2's unit rows scaled by w (see the module comment). */
export type TokenlearnWeighting = "sigmoid" | "norm";

export interface TokenlearnOptions {
  /** The teacher: needed to featurize `corpus`, and to distill the start model when `model` is not given. */
  teacher?: Teacher | undefined;
  /** Texts to featurize with `teacher` (into `featurized` when given, else a temporary folder removed afterwards). */
  corpus?: CorpusSource | undefined;
  /** A featurize output folder: read as is, or (with `corpus`) created or resumed first. */
  featurized?: string | undefined;
  /** Settings passed to {@link featurize} when featurizing `corpus` (batchSize, shardSize, maxRows, maxLength). */
  featurizeOptions?: Pick<FeaturizeOptions, "batchSize" | "shardSize" | "maxRows" | "maxLength"> | undefined;
  /** Start from this model instead of distilling the teacher (`vocabSize` is then unused). */
  model?: StaticModel | undefined;
  /** Custom words for the distilled start model: the most frequent corpus tokens; 0 for none. Default 56000. */
  vocabSize?: number | undefined;
  /**
   * Unigram (SentencePiece) score of those words in the start model's tokenizer:
   * "minimum", the vocabulary's lowest (Python's distill; segmentation then almost
   * never picks them), or "corpus", their corpus log-probability (see
   * {@link scoreAddedWords}). Other tokenizers ignore it. Default "minimum".
   */
  addedWordScores?: "minimum" | "corpus" | undefined;
  /** Width of the targets after PCA, of the distilled start model, and of the result. Default 256. */
  pcaDims?: number | undefined;
  /** Default "contrastive" (InfoNCE, τ 0.07). */
  loss?: TokenlearnLoss | undefined;
  /** τ of the contrastive loss (InfoNCE); other losses ignore it. Default 0.07. */
  temperature?: number | undefined;
  /**
   * τ of soft contrastive targets: each row's target is softmax(cos(its teacher vector, the batch's)/τ_t)
   * instead of its own teacher vector alone, so sentences the teacher calls alike are not pushed
   * apart (see {@link infoNce}). Contrastive loss only. Default: none (one-hot, as tokenlearn).
   */
  targetTemperature?: number | undefined;
  /**
   * Topic-aware batches: k-means over the directions of the (PCA'd) teacher vectors
   * sorts the training rows into this many topics, and each batch is drawn from one
   * topic, so the contrastive loss compares sentences with others on their topic
   * (see {@link topicBatchOrder}). Validation batches stay random. Contrastive loss
   * only. Default: none (random batches, as tokenlearn).
   */
  batchTopics?: number | undefined;
  /** Default "adamw". */
  optimizer?: TokenlearnOptimizer | undefined;
  /** How tokens are weighted in training and in the result. Default "sigmoid" (tokenlearn HEAD). */
  weighting?: TokenlearnWeighting | undefined;
  /**
   * Update only the embedding rows and weights a batch used (lazy Adam), which is
   * much faster for a large vocabulary. Default false: every row moves every step,
   * as torch's dense AdamW.
   */
  lazyUpdates?: boolean | undefined;
  /** Default 1e-3. */
  learningRate?: number | undefined;
  /** Default 0.01 for AdamW, 0 for Adam. */
  weightDecay?: number | undefined;
  /** Default 256. */
  batchSize?: number | undefined;
  /** Default 20. */
  maxEpochs?: number | undefined;
  /** Epochs without a lower validation loss before stopping. Default 5. */
  patience?: number | undefined;
  /** Seeds the validation split, the batch order and the head's initialisation. Default 42. */
  seed?: number | undefined;
  /** Tokens per training text (the model's tokenize `maxLength`). Default 512. */
  maxLength?: number | undefined;
  /** α of the final corpus-frequency reweighting α/(α + p); null to skip it. Default 1e-3, or null with `weighting: "norm"`. */
  sifAlpha?: number | null | undefined;
  /** Save the result here as a model2vec folder. */
  outputDir?: string | undefined;
  /** The result's licence, for its saved card (e.g. "apache-2.0"). Default: the start model's, else "mit". */
  license?: string | undefined;
  onProgress?: ((progress: TokenlearnProgress) => void) | undefined;
  /** Notes on what was dropped, clamped and how long stages took. */
  onLog?: ((message: string) => void) | undefined;
  /** Checked between batches and stages; the signal's reason is thrown. */
  signal?: AbortSignal | undefined;
}

export type TokenlearnProgress =
  | { stage: "featurize"; featurize: FeaturizeProgress }
  | { stage: "distill"; distill: DistillProgress }
  | { stage: "train"; epoch: number; step: number; stepsPerEpoch: number; trainLoss: number }
  | { stage: "epoch"; epoch: number; trainLoss: number; valLoss: number; bestEpoch: number }
  | { stage: "postprocess" };

export interface TokenlearnHistory {
  /** Mean training loss of each epoch. */
  trainLoss: number[];
  /** Validation loss after each epoch. */
  valLoss: number[];
  /** 0-based epoch whose parameters were kept; −1 when no epoch ran. */
  bestEpoch: number;
  /** Validation loss before training. */
  initialValLoss: number;
  /** Rows used for training and validation. */
  trainRows: number;
  valRows: number;
}

export interface TokenlearnResult {
  model: StaticModel;
  history: TokenlearnHistory;
}

const DEFAULTS = {
  vocabSize: 56_000,
  pcaDims: 256,
  learningRate: 1e-3,
  batchSize: 256,
  maxEpochs: 20,
  patience: 5,
  seed: 42,
  maxLength: 512,
  sifAlpha: 1e-3,
  temperature: 0.07,
  maxValidation: 10_000,
  validationFraction: 0.1,
} as const;

/**
 * Trains a static model on a teacher's featurized sentence vectors (see the
 * module comment for every step).
 *
 * @throws InvalidInputError for bad options, missing inputs, or fewer than 2
 *   usable rows; the signal's reason when aborted; errors of featurize, the
 *   teacher and the file system pass through.
 */
export async function tokenlearn(options: TokenlearnOptions): Promise<TokenlearnResult> {
  if (options === null || typeof options !== "object") throw new InvalidInputError("tokenlearn needs an options object");
  const { teacher, signal } = options;
  const log = options.onLog ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const vocabSize = integer(options.vocabSize ?? DEFAULTS.vocabSize, "vocabSize", 0);
  const pcaDims = integer(options.pcaDims ?? DEFAULTS.pcaDims, "pcaDims", 1);
  const batchSize = integer(options.batchSize ?? DEFAULTS.batchSize, "batchSize", 2);
  const maxEpochs = integer(options.maxEpochs ?? DEFAULTS.maxEpochs, "maxEpochs", 0);
  const patience = integer(options.patience ?? DEFAULTS.patience, "patience", 1);
  const maxLength = integer(options.maxLength ?? DEFAULTS.maxLength, "maxLength", 1);
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`seed must be an integer, got ${seed}`);
  const learningRate = options.learningRate ?? DEFAULTS.learningRate;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new InvalidInputError(`learningRate must be a positive number, got ${learningRate}`);
  const lossName = options.loss ?? "contrastive";
  const temperature = options.temperature ?? DEFAULTS.temperature;
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new InvalidInputError(`temperature must be a positive number, got ${String(temperature)}`);
  if (!["contrastive", "cosine", "mse"].includes(lossName)) throw new InvalidInputError(`loss must be "contrastive", "cosine" or "mse", got ${String(lossName)}`);
  const targetTemperature = options.targetTemperature;
  if (targetTemperature !== undefined) {
    if (!(targetTemperature > 0 && Number.isFinite(targetTemperature))) throw new InvalidInputError(`targetTemperature must be a positive number, got ${String(targetTemperature)}`);
    if (lossName !== "contrastive") throw new InvalidInputError(`targetTemperature needs the contrastive loss, not "${lossName}"`);
  }
  const batchTopics = options.batchTopics;
  if (batchTopics !== undefined) {
    if (!(Number.isSafeInteger(batchTopics) && batchTopics >= 1)) throw new InvalidInputError(`batchTopics must be an integer ≥ 1, got ${String(batchTopics)}`);
    if (lossName !== "contrastive") throw new InvalidInputError(`batchTopics needs the contrastive loss, not "${lossName}"`);
  }
  const optimizerName = options.optimizer ?? "adamw";
  if (!["adamw", "adam"].includes(optimizerName)) throw new InvalidInputError(`optimizer must be "adamw" or "adam", got ${String(optimizerName)}`);
  const weighting = options.weighting ?? "sigmoid";
  if (!["sigmoid", "norm"].includes(weighting)) throw new InvalidInputError(`weighting must be "sigmoid" or "norm", got ${String(weighting)}`);
  const sifAlpha = options.sifAlpha === undefined ? (weighting === "norm" ? null : DEFAULTS.sifAlpha) : options.sifAlpha;
  if (sifAlpha !== null && !(sifAlpha > 0 && Number.isFinite(sifAlpha))) throw new InvalidInputError(`sifAlpha must be a positive number or null, got ${sifAlpha}`);
  const license = licenseOption(options.license);
  const addedWordScores = options.addedWordScores ?? "minimum";
  if (!["minimum", "corpus"].includes(addedWordScores)) throw new InvalidInputError(`addedWordScores must be "minimum" or "corpus", got ${String(addedWordScores)}`);
  if (options.model !== undefined && !(options.model instanceof StaticModel)) throw new InvalidInputError("model must be a StaticModel");
  if (options.corpus !== undefined && teacher === undefined) throw new InvalidInputError("featurizing a corpus needs a teacher");
  if (options.corpus === undefined && options.featurized === undefined) throw new InvalidInputError("tokenlearn needs `featurized` (a featurize folder) or `teacher` and `corpus`");
  if (options.model === undefined && teacher === undefined) throw new InvalidInputError("tokenlearn needs a `teacher` to distill the start model, or a start `model`");
  signal?.throwIfAborted();

  // ----- 1. targets
  const started = performance.now();
  const data = await loadTargets(options, signal, progress);
  const { texts, dim: teacherDim } = dropNonFinite(data, log);
  if (texts.length < 2) throw new InvalidInputError(`tokenlearn needs at least 2 featurized rows, got ${texts.length}`);
  signal?.throwIfAborted();

  // ----- 2. start model
  let model = options.model;
  if (model === undefined) {
    const counts = vocabSize > 0 ? countCorpusTokens(texts) : undefined;
    const vocabulary = counts ? mostFrequent(counts, vocabSize) : undefined;
    model = await distillFromModel({
      teacher: teacher!,
      vocabulary,
      pcaDims,
      quantizeTo: "float32",
      onLog: log,
      signal,
      onProgress: (p) => progress({ stage: "distill", distill: p }),
    });
    if (counts && addedWordScores === "corpus") model = scoreAddedWords(model, counts, teacher!.tokenizerJson);
    log(`start model: ${model.tokens.length} tokens × ${model.dim} (${vocabulary?.length ?? 0} corpus words offered)`);
  }
  signal?.throwIfAborted();

  // Targets: PCA to pcaDims (clamped to the teacher's width; skipped when there are too few rows).
  const reduced = await pca(data.embeddings, texts.length, teacherDim, pcaDims, { onWarning: log });
  const targetDim = reduced ? reduced.dim : teacherDim;
  const targets = reduced ? reduced.projected : data.embeddings;

  // ----- 3. training
  const allIds = model.tokenize(texts, { maxLength });
  const usable: number[] = [];
  for (let i = 0; i < allIds.length; i++) if (allIds[i]!.length > 0) usable.push(i);
  if (usable.length < texts.length) log(`dropped ${texts.length - usable.length} rows whose text has no known token`);
  if (usable.length < 2) throw new InvalidInputError(`tokenlearn needs at least 2 rows with known tokens, got ${usable.length}`);
  const random = mulberry32(seed);
  shuffle(usable, random);
  const valCount = Math.max(1, Math.min(DEFAULTS.maxValidation, Math.floor(usable.length * DEFAULTS.validationFraction)));
  const valRows = usable.slice(0, valCount).sort((a, b) => a - b);
  const trainRows = usable.slice(valCount);

  const padIndex = model.tokens.indexOf("[PAD]");
  const padId = padIndex >= 0 ? padIndex : null;
  const { table, logits } = weighting === "norm" ? unitRowsAndNorms(model, padId) : sigmoidStart(model, padId);
  const encoder = new PooledEncoder({
    table,
    dim: model.dim,
    logits,
    mapping: model.mapping,
    padId,
    normalize: weighting === "sigmoid",
    weighting: weighting === "norm" ? "linear" : "sigmoid",
  });
  const head = new Mlp({ inputDim: model.dim, outputDim: targetDim, nLayers: 0, seed });
  const params: Parameter[] = [encoder.table, encoder.logits, ...head.parameters()];
  const lazy = options.lazyUpdates ?? false;
  const optimizer =
    optimizerName === "adamw"
      ? new AdamW(params, { learningRate, weightDecay: options.weightDecay ?? 0.01, lazy })
      : new Adam(params, { learningRate, weightDecay: options.weightDecay ?? 0, lazy });
  const lossOf = (x: Float64Array, y: Float32Array): PairLossResult =>
    lossName === "contrastive"
      ? infoNce(x, y, targetDim, { temperature, targetGradient: false, targetTemperature })
      : lossName === "cosine"
        ? cosineLoss(x, y, targetDim)
        : mseLoss(x, y);
  const gather = (rows: readonly number[]) => {
    const y = new Float32Array(rows.length * targetDim);
    rows.forEach((r, k) => y.set(targets.subarray(r * targetDim, (r + 1) * targetDim), k * targetDim));
    return { ids: rows.map((r) => allIds[r]!), y };
  };
  const validate = (): number => {
    let total = 0;
    for (let start = 0; start < valRows.length; start += batchSize) {
      const { ids, y } = gather(valRows.slice(start, start + batchSize));
      total += lossOf(head.forward(encoder.forward(ids)), y).loss * ids.length;
    }
    return total / valRows.length;
  };
  // Only the pooling layer outlives training; the head is discarded.
  const snapshot = () => ({ table: Float32Array.from(encoder.table.value), logits: Float32Array.from(encoder.logits.value) });

  const history: TokenlearnHistory = {
    trainLoss: [],
    valLoss: [],
    bestEpoch: -1,
    initialValLoss: validate(),
    trainRows: trainRows.length,
    valRows: valRows.length,
  };
  let best = history.initialValLoss;
  let bestState = snapshot();
  let bad = 0;
  const stepsPerEpoch = Math.ceil(trainRows.length / batchSize);
  log(`training on ${trainRows.length} rows, validating on ${valRows.length}; ${stepsPerEpoch} steps per epoch; initial validation loss ${best.toFixed(4)}`);
  const topicOf = batchTopics === undefined ? null : topicLabels(targets, targetDim, trainRows, batchTopics, seed);
  if (topicOf) log(`batches drawn from ${batchTopics} topics of the teacher vectors`);
  const trainStarted = performance.now();
  for (let epoch = 0; epoch < maxEpochs; epoch++) {
    const order = topicOf ? topicBatchOrder(trainRows, topicOf, batchTopics!, batchSize, random) : shuffle([...trainRows], random);
    let sum = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      signal?.throwIfAborted();
      const { ids, y } = gather(order.slice(step * batchSize, (step + 1) * batchSize));
      const pooled = encoder.forward(ids, { train: true });
      const out = head.forward(pooled, { train: true });
      const { loss, gradX } = lossOf(out, y);
      encoder.backward(head.backward(gradX));
      optimizer.step();
      optimizer.zeroGrad();
      sum += loss * ids.length;
      progress({ stage: "train", epoch, step, stepsPerEpoch, trainLoss: loss });
    }
    signal?.throwIfAborted();
    const trainLoss = sum / trainRows.length;
    const valLoss = validate();
    history.trainLoss.push(trainLoss);
    history.valLoss.push(valLoss);
    // Lightning's EarlyStopping (min_delta 0): any decrease counts as an improvement.
    if (valLoss < best) {
      best = valLoss;
      history.bestEpoch = epoch;
      bestState = snapshot();
      bad = 0;
    } else {
      bad++;
    }
    progress({ stage: "epoch", epoch, trainLoss, valLoss, bestEpoch: history.bestEpoch });
    if (bad >= patience) {
      log(`early stopping after epoch ${epoch}: no lower validation loss for ${patience} epochs`);
      break;
    }
  }
  // The best epoch's parameters, or the start's when no epoch beat it.
  encoder.table.value.set(bestState.table);
  encoder.logits.value.set(bestState.logits);
  log(`training: ${history.trainLoss.length} epochs in ${((performance.now() - trainStarted) / 1000).toFixed(1)} s, best epoch ${history.bestEpoch} (validation loss ${best.toFixed(4)})`);

  // ----- 4. re-regularisation
  signal?.throwIfAborted();
  progress({ stage: "postprocess" });
  const result = await reweight(model, encoder, texts, weighting === "norm" ? null : pcaDims, sifAlpha, log);
  if (license !== undefined) result.license = license;
  if (options.outputDir !== undefined) await result.savePretrained(options.outputDir);
  log(`done: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  return { model: result, history };
}

/** The featurized rows: read from `featurized`, or made now from `teacher` + `corpus`. */
async function loadTargets(
  options: TokenlearnOptions,
  signal: AbortSignal | undefined,
  progress: (p: TokenlearnProgress) => void,
): Promise<{ texts: string[]; embeddings: Float32Array; dim: number }> {
  if (options.corpus === undefined) return readFeaturized(options.featurized!);
  const temporary = options.featurized === undefined ? await mkdtemp(join(tmpdir(), "model2vec-tokenlearn-")) : null;
  const folder = options.featurized ?? temporary!;
  try {
    await featurize({
      ...options.featurizeOptions,
      teacher: options.teacher!,
      corpus: options.corpus,
      outputDir: folder,
      signal,
      onProgress: (p) => progress({ stage: "featurize", featurize: p }),
    });
    return await readFeaturized(folder);
  } finally {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
}

/** Drops rows holding NaN (or ±Infinity) values, as tokenlearn drops NaN targets; compacts in place. */
function dropNonFinite(data: { texts: string[]; embeddings: Float32Array; dim: number }, log: (m: string) => void): { texts: string[]; dim: number } {
  const { texts, embeddings, dim } = data;
  let kept = 0;
  const keptTexts: string[] = [];
  for (let r = 0; r < texts.length; r++) {
    const row = embeddings.subarray(r * dim, (r + 1) * dim);
    if (!row.every(Number.isFinite)) continue;
    if (kept !== r) embeddings.copyWithin(kept * dim, r * dim, (r + 1) * dim);
    keptTexts.push(texts[r]!);
    kept++;
  }
  if (kept < texts.length) log(`dropped ${texts.length - kept} featurized rows with non-finite values`);
  data.embeddings = embeddings.subarray(0, kept * dim);
  data.texts = keptTexts;
  return { texts: keptTexts, dim };
}

/** tokenlearn HEAD's start: the rows as they are; w = the model's weights used as logits, else 1; the pad's −10000. */
function sigmoidStart(model: StaticModel, padId: number | null): { table: Float32Array; logits: Float32Array } {
  const logits = new Float32Array(model.tokens.length);
  if (model.weights) logits.set(model.weights);
  else logits.fill(1);
  if (padId !== null) logits[padId] = -10000;
  return { table: Float32Array.from(model.embedding.data), logits };
}

/**
 * tokenlearn v0.2's start: unit rows, and w_t = the length of token t's vector
 * (its weight times its row's norm when the model has weights); the pad's 0.
 */
function unitRowsAndNorms(model: StaticModel, padId: number | null): { table: Float32Array; logits: Float32Array } {
  const { dim, mapping, weights } = model;
  const table = Float32Array.from(model.embedding.data);
  const norms = new Float32Array(table.length / dim);
  for (let r = 0; r < norms.length; r++) {
    const row = table.subarray(r * dim, (r + 1) * dim);
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += row[j]! * row[j]!;
    norms[r] = Math.sqrt(ss);
    // A zero row stays zero (Python would divide by zero here).
    if (norms[r]! > 0) for (let j = 0; j < dim; j++) row[j]! /= norms[r]!;
  }
  const logits = new Float32Array(model.tokens.length);
  for (let t = 0; t < logits.length; t++) logits[t] = norms[mapping === null ? t : mapping[t]!]! * (weights ? weights[t]! : 1);
  if (padId !== null) logits[padId] = 0;
  return { table, logits };
}

/** E_t·s_t (s = σ(w), or w) → PCA(pcaDims) unless null → ·α/(α + p_t) unless α is null; one row per token, normalize true, no weights. */
async function reweight(
  start: StaticModel,
  encoder: PooledEncoder,
  texts: readonly string[],
  pcaDims: number | null,
  sifAlpha: number | null,
  log: (m: string) => void,
): Promise<StaticModel> {
  const vocab = start.tokens.length;
  const dim = encoder.dim;
  const table = encoder.table.value;
  const weights = encoder.tokenWeights();
  const mapping = encoder.mapping;
  const rows = new Float32Array(vocab * dim);
  for (let t = 0; t < vocab; t++) {
    const base = (mapping === null ? t : mapping[t]!) * dim;
    const s = weights[t]!;
    for (let j = 0; j < dim; j++) rows[t * dim + j] = table[base + j]! * s;
  }
  const reduced = pcaDims === null ? null : await pca(rows, vocab, dim, pcaDims, { onWarning: log });
  const outDim = reduced ? reduced.dim : dim;
  const out = reduced ? reduced.projected : rows;
  if (sifAlpha !== null) {
    // Python tokenizes with tokenizer.encode(t, add_special_tokens=False): unknown ids count too.
    const counts = new Float64Array(vocab);
    let total = 0;
    for (const text of texts) {
      const ids = start.tokenizer.encode(text);
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k]!;
        if (id >= 0 && id < vocab) {
          counts[id]!++;
          total++;
        }
      }
    }
    for (let t = 0; t < vocab; t++) {
      const p = (counts[t]! + 1) / (total + vocab);
      const f = sifAlpha / (sifAlpha + p);
      for (let j = 0; j < outDim; j++) out[t * outDim + j]! *= f;
    }
  }
  return new StaticModel({
    embeddings: new Embeddings(out, vocab, outDim),
    tokenizer: start.tokenizer,
    normalize: true,
    embeddingDtype: "float32",
    baseModelName: start.baseModelName,
    language: start.language,
    license: start.license,
    config: { ...start.config, hidden_dim: outDim, apply_pca: pcaDims ?? start.config.apply_pca, normalize: true },
  });
}

function integer(value: number, name: string, min: number): number {
  if (!(Number.isSafeInteger(value) && value >= min)) throw new InvalidInputError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}
