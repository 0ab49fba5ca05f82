/** Python model2vec's `quantize_model` and `quantize_vocabulary` (v0.8), on arrays; `quantizeModel` wraps them for a StaticModel. */
import { InvalidInputError } from "../errors.js";
import { Embeddings } from "../linalg/embeddings.js";
import { type QuantizeDtype, parseQuantizeDtype, quantizeEmbeddings, roundToFloat16 } from "./dtype.js";
import { type KMeansOptions, kmeans } from "./kmeans.js";

/** Options of `quantizeModel` and {@link quantizeTable}. Each step is skipped when its option is null or undefined. */
export interface QuantizeOptions {
  /** The dtype to store the embeddings in; the table stays float32 in memory, holding that dtype's values. */
  quantizeTo?: QuantizeDtype | null | undefined;
  /** Keep only the first `dimensionality` columns (PCA orders them by variance). 0 is ignored, like Python's `from_pretrained`. */
  dimensionality?: number | null | undefined;
  /** Cluster the vocabulary into this many rows with k-means; tokens then map to rows. */
  vocabularyQuantization?: number | null | undefined;
  /** Settings of the k-means behind `vocabularyQuantization` (default: one run, seed 42). */
  kmeans?: KMeansOptions | undefined;
}

/** The output of {@link quantizeVocabulary}. */
export interface VocabularyQuantization {
  /** The cluster centres: `clusters × dim`. */
  embeddings: Embeddings;
  /** The row (cluster) of each token. */
  mapping: Int32Array;
  /** Per-token weights: the ones given, or the row norms when none were. */
  weights: Float32Array;
  /** The numpy dtype the centres hold the values of. */
  embeddingDtype: string;
}

/** Options of {@link quantizeVocabulary}. */
export interface QuantizeVocabularyOptions {
  /** The numpy dtype of the table (a model's `embeddingDtype`); default "float32". */
  sourceDtype?: string | undefined;
  /** Settings of the k-means (default: one run, seed 42). */
  kmeans?: KMeansOptions | undefined;
}

/** The arrays quantization changes: a model's table, its per-token weights and mapping. */
export interface EmbeddingTable {
  embeddings: Embeddings;
  weights: Float32Array | null;
  mapping: Int32Array | null;
  /** The numpy dtype the table holds the values of. */
  embeddingDtype: string;
}

/**
 * Python's `quantize_model`, on the arrays of a model with `vocabularySize` tokens.
 * Runs, in order: (i) vocabulary quantization (k-means, see {@link quantizeVocabulary});
 * (ii) conversion to `quantizeTo` (see `quantizeEmbeddings`); (iii) a cut to the
 * first `dimensionality` columns.
 *
 * The result holds its own copies of the table, weights and mapping. Its `embeddingDtype`
 * is `quantizeTo` when given, else the table's (or "float32" after vocabulary quantization
 * of a table that is not float16/32/64, since the centres are not integers).
 *
 * @throws InvalidInputError naming the option at fault: an unknown dtype; a
 *   `dimensionality` that is not a non-negative integer or exceeds the table's
 *   dimension; a `vocabularyQuantization` that is not a positive integer, exceeds
 *   the number of tokens, or is asked of an already vocabulary-quantized table.
 */
export function quantizeTable(table: EmbeddingTable, vocabularySize: number, options: QuantizeOptions): EmbeddingTable {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("quantizeModel needs an options object { quantizeTo?, dimensionality?, vocabularyQuantization? }");
  }
  const quantizeTo = options.quantizeTo == null ? null : parseQuantizeDtype(options.quantizeTo, "quantizeTo");
  const { embeddings } = table;
  const dim = embeddings.dim;
  const dimensionality = dimensionalityOption(options.dimensionality, dim);
  const clusters = clustersOption(options.vocabularyQuantization, table, vocabularySize);

  let { data, rows } = embeddings;
  let { weights, mapping, embeddingDtype } = table;
  if (clusters !== null) {
    const quantized = quantizeVocabulary(clusters, table.weights, embeddings, {
      sourceDtype: table.embeddingDtype,
      ...(options.kmeans === undefined ? {} : { kmeans: options.kmeans }),
    });
    ({ weights, mapping, embeddingDtype } = quantized);
    ({ data, rows } = quantized.embeddings);
  }
  if (quantizeTo !== null) {
    data = quantizeEmbeddings(data, quantizeTo, { sourceDtype: embeddingDtype });
    embeddingDtype = quantizeTo;
  }
  let width = dim;
  if (dimensionality !== null && dimensionality < dim) {
    data = keepColumns(data, rows, dim, dimensionality);
    width = dimensionality;
  }
  if (data === embeddings.data) data = data.slice();
  return {
    embeddings: new Embeddings(data, rows, width),
    weights: weights === table.weights ? (weights?.slice() ?? null) : weights,
    mapping: mapping === table.mapping ? (mapping?.slice() ?? null) : mapping,
    embeddingDtype,
  };
}

/**
 * Python's `quantize_vocabulary(n_clusters, weights, embeddings)`:
 *
 * 1. Without `weights`, the weights become the row norms `‖E_i‖ + 1e-32` and the
 *    rows are divided by them (k-means then clusters directions, and each token
 *    keeps its magnitude as its weight). With weights, the rows are clustered as
 *    they are and the weights kept.
 * 2. k-means with `clusters` clusters (seed 42, random init; see `kmeans` for
 *    how it differs from sklearn's defaults).
 * 3. Each token maps to its nearest centre; the centres are the new table,
 *    rounded to float16 when the source was float16 (Python casts them back).
 *
 * Inference then computes `centre[mapping[t]] × weights[t]` for token `t`.
 *
 * @throws InvalidInputError when `clusters` is not an integer in [1, rows] or the weights do not match the rows.
 */
export function quantizeVocabulary(
  clusters: number,
  weights: Float32Array | null,
  embeddings: Embeddings,
  options: QuantizeVocabularyOptions = {},
): VocabularyQuantization {
  const { data, rows, dim } = embeddings;
  if (!Number.isSafeInteger(clusters) || clusters < 1 || clusters > rows) {
    throw new InvalidInputError(`vocabularyQuantization must be an integer from 1 to the ${rows} rows, got ${String(clusters)}`);
  }
  if (weights !== null && weights.length !== rows) {
    throw new InvalidInputError(`quantizeVocabulary: ${weights.length} weights for ${rows} rows`);
  }
  const source = options.sourceDtype ?? "float32";
  const half = source === "float16";
  let points = data;
  let outWeights: Float32Array;
  if (weights === null) {
    points = new Float32Array(data.length);
    outWeights = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      const offset = i * dim;
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += data[offset + j]! * data[offset + j]!;
      // numpy adds 1e-32 in the table's dtype: kept by float32, lost (0) in float16.
      let weight = Math.fround(Math.sqrt(sum) + 1e-32);
      if (half) weight = roundToFloat16(weight);
      outWeights[i] = weight;
      if (weight === 0) continue; // a zero row stays zero
      for (let j = 0; j < dim; j++) {
        const value = Math.fround(data[offset + j]! / weight);
        points[offset + j] = half ? roundToFloat16(value) : value;
      }
    }
  } else {
    outWeights = weights.slice();
  }
  const result = kmeans(points, dim, clusters, options.kmeans ?? {});
  const centroids = result.centroids;
  if (half) for (let i = 0; i < centroids.length; i++) centroids[i] = roundToFloat16(centroids[i]!);
  const floatSource = source === "float16" || source === "float32" || source === "float64";
  return {
    embeddings: new Embeddings(centroids, clusters, dim),
    mapping: result.labels,
    weights: outWeights,
    embeddingDtype: floatSource ? source : "float32",
  };
}

function dimensionalityOption(value: unknown, dim: number): number | null {
  if (value === undefined || value === null || value === 0) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(`dimensionality must be a positive integer, got ${describe(value)}`);
  }
  if (value > dim) throw new InvalidInputError(`dimensionality ${value} exceeds the model's dimension ${dim}`);
  return value;
}

function clustersOption(value: unknown, table: EmbeddingTable, tokens: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`vocabularyQuantization must be a positive integer, got ${describe(value)}`);
  }
  const rows = table.embeddings.rows;
  if (table.mapping !== null || rows !== tokens) {
    throw new InvalidInputError(
      `vocabularyQuantization: the model is already vocabulary-quantized (${rows} rows for ${tokens} tokens); quantize the original model instead`,
    );
  }
  if (value > tokens) throw new InvalidInputError(`vocabularyQuantization ${value} exceeds the model's ${tokens} tokens`);
  return value;
}

function keepColumns(data: Float32Array, rows: number, dim: number, keep: number): Float32Array {
  const out = new Float32Array(rows * keep);
  for (let i = 0; i < rows; i++) out.set(data.subarray(i * dim, i * dim + keep), i * keep);
  return out;
}

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return typeof value === "object" ? (value === null ? "null" : "an object") : `${typeof value} ${String(value)}`;
}
