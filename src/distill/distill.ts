/**
 * Distillation (Python model2vec v0.8, `distill/distillation.py`): build the vocabulary, embed
 * every token with the teacher, reduce with PCA, weight with SIF, optionally
 * quantize the vocabulary, and convert the dtype. No training data is needed.
 */
import { InvalidInputError } from "../errors.js";
import { licenseOption } from "../persistence/model-card.js";
import { type PcaDims, pca } from "../linalg/pca.js";
import { Embeddings } from "../linalg/embeddings.js";
import { StaticModel } from "../model/static-model.js";
import { type QuantizeDtype, parseQuantizeDtype, quantizeEmbeddings } from "../quantize/dtype.js";
import type { KMeansOptions } from "../quantize/kmeans.js";
import { quantizeVocabulary } from "../quantize/quantize-table.js";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import { type DistillProgress, embedTokens } from "./embed-tokens.js";
import { sifWeights } from "./sif.js";
import type { OnnxTeacherOptions } from "./onnx-teacher.js";
import type { Pooling, Teacher } from "./teacher.js";
import { buildVocabulary } from "./vocabulary.js";

/** Options shared by {@link distill} and {@link distillFromModel}, with Python's defaults. */
export interface DistillOptions {
  /** Extra words for the vocabulary. */
  vocabulary?: readonly string[] | undefined;
  /** PCA output width: an integer, "auto" (rotation only), a variance fraction in (0, 1), or null (no PCA). Default 256. */
  pcaDims?: PcaDims;
  /** SIF coefficient s in w = s / (s + p); null for no weighting. Default 1e-4. */
  sifCoefficient?: number | null | undefined;
  /** Tokens matching this are removed. Default /^\[unused\d+\]/; null keeps all. */
  tokenRemovePattern?: RegExp | string | null | undefined;
  /** Dtype of the stored table. Default "float16". */
  quantizeTo?: QuantizeDtype | undefined;
  /** Cluster the vocabulary into this many rows (k-means) before PCA. */
  vocabularyQuantization?: number | null | undefined;
  /** k-means settings for `vocabularyQuantization`. */
  kmeans?: KMeansOptions | undefined;
  /** How the teacher's token outputs become one vector. Default "mean". */
  pooling?: Pooling | undefined;
  /** Sequences per teacher call. Default 256. */
  batchSize?: number | undefined;
  onProgress?: ((progress: DistillProgress) => void) | undefined;
  /** The licence of the distilled model's card (e.g. "apache-2.0"). Default: the teacher's `license`, else "mit". */
  license?: string | undefined;
  /** Receives notes on what was skipped, clamped or how long stages took. */
  onLog?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Distills a loaded teacher into a StaticModel with `normalize` true and the
 * config keys Python writes.
 *
 * @throws InvalidInputError for bad options; errors of the teacher and tokenizer pass through.
 */
export async function distillFromModel(options: DistillOptions & { teacher: Teacher }): Promise<StaticModel> {
  const { teacher } = options;
  const log = options.onLog ?? (() => {});
  const pooling = options.pooling ?? "mean";
  if (!teacher.poolings.includes(pooling)) {
    throw new InvalidInputError(`pooling "${pooling}" is not supported by ${teacher.name}; use one of ${teacher.poolings.join(", ")}`);
  }
  const pcaDims = options.pcaDims === undefined ? 256 : options.pcaDims;
  const sifCoefficient = options.sifCoefficient === undefined ? 1e-4 : options.sifCoefficient;
  const quantizeTo = parseQuantizeDtype(options.quantizeTo ?? "float16", "quantizeTo");
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new InvalidInputError(`batchSize must be a positive integer, got ${batchSize}`);
  sifWeights(0, sifCoefficient); // validates before the slow part
  const license = licenseOption(options.license) ?? teacher.license ?? null;

  const vocabulary = buildVocabulary(teacher.tokenizerJson, {
    vocabulary: options.vocabulary,
    tokenRemovePattern: options.tokenRemovePattern,
    onLog: log,
  });
  const size = vocabulary.tokens.length;
  const started = performance.now();
  const raw = await embedTokens(teacher, vocabulary.teacherInputs, { pooling, batchSize, signal: options.signal, onProgress: options.onProgress });
  const teacherMs = performance.now() - started;
  options.signal?.throwIfAborted();

  const sif = sifWeights(size, sifCoefficient);
  const reduce = async (data: Float32Array, rows: number) => {
    options.onProgress?.({ stage: "pca", done: 0, total: 1 });
    const result = await pca(data, rows, teacher.dim, pcaDims, { onWarning: log });
    options.onProgress?.({ stage: "pca", done: 1, total: 1 });
    return result ? new Embeddings(result.projected, rows, result.dim) : new Embeddings(data, rows, teacher.dim);
  };

  let table: Embeddings;
  let weights: Float32Array | null = null;
  let mapping: Int32Array | null = null;
  if (options.vocabularyQuantization) {
    // Python: k-means on the raw embeddings with the SIF weights kept apart, then PCA of the centroids.
    options.onProgress?.({ stage: "quantize", done: 0, total: 1 });
    const clustered = quantizeVocabulary(options.vocabularyQuantization, Float32Array.from(sif), new Embeddings(raw, size, teacher.dim), {
      kmeans: options.kmeans,
    });
    options.onProgress?.({ stage: "quantize", done: 1, total: 1 });
    table = await reduce(clustered.embeddings.data, clustered.embeddings.rows);
    ({ weights, mapping } = clustered);
  } else {
    table = await reduce(raw, size);
    const { data, dim } = table;
    for (let i = 0; i < size; i++) for (let j = 0; j < dim; j++) data[i * dim + j]! *= sif[i]!;
  }
  const data = quantizeEmbeddings(table.data, quantizeTo);
  log(`teacher forward passes: ${teacherMs.toFixed(0)} ms; everything else: ${(performance.now() - started - teacherMs).toFixed(0)} ms`);

  return new StaticModel({
    embeddings: new Embeddings(data, table.rows, table.dim),
    tokenizer: loadTokenizer(vocabulary.tokenizerJson),
    weights,
    mapping,
    normalize: true,
    embeddingDtype: quantizeTo,
    baseModelName: teacher.name,
    license,
    config: {
      model_type: "model2vec",
      architectures: ["StaticModel"],
      tokenizer_name: teacher.name,
      apply_pca: pcaDims ?? null,
      sif_coefficient: sifCoefficient,
      hidden_dim: table.dim,
      seq_length: 1000000,
      normalize: true,
      pooling,
    },
  });
}

/** Options of {@link distill}: the teacher to load, and how. */
export interface DistillFromPathOptions extends DistillOptions, Omit<OnnxTeacherOptions, "pooling" | "onProgress"> {
  /** A Hub id or folder of an ONNX sentence transformer, or a TF.js USE folder (`model.json` + `vocab.json`). */
  model: string;
}

/**
 * Loads the teacher `model` (recognised by what its folder holds), distills it
 * with {@link distillFromModel}, and releases it. Node only.
 */
export async function distill(options: DistillFromPathOptions): Promise<StaticModel> {
  if (options === null || typeof options !== "object" || typeof options.model !== "string" || options.model.length === 0) {
    throw new InvalidInputError("distill needs { model: a Hub id or folder }");
  }
  const { loadTeacher } = await import("./load-teacher.js");
  const { revision, token, cacheDir, localFilesOnly, threads } = options;
  const teacher = await loadTeacher(options.model, { revision, token, cacheDir, localFilesOnly, threads, pooling: options.pooling });
  try {
    return await distillFromModel({ ...options, teacher });
  } finally {
    await teacher.dispose?.();
  }
}
