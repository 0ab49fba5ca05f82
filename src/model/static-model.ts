/** StaticModel: a Model2Vec model, tokenize → look up rows → mean → normalise. */
import { HubError, InvalidInputError } from "../errors.js";
import { batchSizeOption, booleanOption, describe, maxLengthOption, optionsOf, textsOf, threadsOption } from "./arguments.js";
import { normalizeOverride, subfolderOption } from "../persistence/load-arguments.js";
import { licenseOption } from "../persistence/model-card.js";
import { type SaveOptions, savedFiles } from "../persistence/save-files.js";
import type { PushOptions } from "../hub/push.js";
import type { FromPretrainedOptions, FromUrlOptions } from "../persistence/load-url.js";
export type { FromPretrainedOptions } from "../persistence/load-url.js";
import { checkShapes } from "../persistence/model-parts.js";
import { isRebuildable } from "../tokenizer/load-tokenizer.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { Embeddings } from "../linalg/embeddings.js";
import { type StoredTable, decodeStoredTable } from "../linalg/stored-table.js";
import { type EncodeCore, EncodeScratch, encodeRange, tokenizeRange } from "./encode-core.js";
import { availableThreads } from "../linalg/worker-threads.js";
import { EncodePool } from "./encode-pool.js";
import { type ModelFiles, modelPartsFromFiles } from "../persistence/model-files.js";
import { gatherRows, poolingTable } from "./pooling.js";
import { codePointLength } from "../tokenizer/text.js";
import { TokenBatchBuilder } from "./token-batch.js";

/**
 * Input sizes (UTF-16 units) from which encode uses worker threads. Starting the
 * pool costs the calling thread about 30 ms once (the table's copy into shared
 * memory, the tokenizer's JSON), so only a large call starts it; once running,
 * it pays from about 8 Ki units (bench/threads.bench.ts, 2 cores: 1.5× at 8 Ki,
 * 1.85× at 32 Ki, 1.9–2.1× beyond).
 */
const POOL_START_UNITS = 64 * 1024;
const POOL_USE_UNITS = 8 * 1024;

/** Everything a StaticModel is made of. Only `embeddings` and `tokenizer` are required. */
export interface StaticModelInit {
  /**
   * The embedding table: an Embeddings matrix, nested rows, a flat Float32Array with `dim`,
   * or a {@link StoredTable} (float16 or int8 values, kept in that form: what loading an
   * int8 or float16 model gives).
   */
  embeddings: Embeddings | Float32Array | ArrayLike<ArrayLike<number>> | StoredTable;
  /** Row width when `embeddings` is a flat Float32Array. */
  dim?: number | undefined;
  tokenizer: Tokenizer;
  /** Per-token weights, indexed by token id. */
  weights?: ArrayLike<number> | null | undefined;
  /** Per-token row index into `embeddings` (vocabulary quantization), indexed by token id. */
  mapping?: ArrayLike<number> | null | undefined;
  /** Overrides `config.normalize`. Python's default when neither is set: false. */
  normalize?: boolean | undefined;
  /** The model's config.json contents; kept as metadata, only `normalize` is read. */
  config?: Record<string, unknown> | undefined;
  baseModelName?: string | string[] | null | undefined;
  language?: string | string[] | null | undefined;
  /** The model's licence (a Hugging Face licence identifier such as "apache-2.0"), written to the saved card. */
  license?: string | null | undefined;
  /** The dtype the table was stored in (numpy name, e.g. "float16"); default the StoredTable's dtype, else "float32". */
  embeddingDtype?: string | undefined;
}

/** Options of {@link StaticModel.encode}. */
export interface EncodeOptions {
  /** Tokens kept per text, after unknown tokens are dropped; null for no limit. Default 512. */
  maxLength?: number | null | undefined;
  /** Texts tokenized and pooled together; bounds memory, never changes results. Default 1024. */
  batchSize?: number | undefined;
  /** Overrides the model's `normalize` for this call. */
  normalize?: boolean | undefined;
  /**
   * Threads to encode on. Default: every core in Node (≥ 20.16) for large inputs
   * (the pool of worker threads starts on the first such call and is reused),
   * else 1. `1` keeps encoding on the calling thread; more than the cores available
   * counts as that many. Results are identical.
   */
  threads?: number | undefined;
}

/** Options of {@link StaticModel.encodeAsSequence}. */
export interface EncodeAsSequenceOptions {
  /** Tokens kept per text; null (the default) for no limit. */
  maxLength?: number | null | undefined;
  /** Texts tokenized together; never changes results. Default 1024. */
  batchSize?: number | undefined;
}

/** Options of {@link StaticModel.tokenize}. */
export interface TokenizeOptions {
  /** Tokens kept per text; null (the default) for no limit. */
  maxLength?: number | null | undefined;
}

/**
 * A static embedding model. Encoding a text tokenizes it (no special tokens),
 * drops unknown tokens, looks up one row per token, averages the rows and, when
 * `normalize` is set, scales the mean to unit length, exactly as Python
 * model2vec's `StaticModel` does.
 */
export class StaticModel {
  readonly tokenizer: Tokenizer;
  /** Per-token weights, or null. */
  readonly weights: Float32Array | null;
  /** Per-token row indices, or null. */
  readonly mapping: Int32Array | null;
  /** Token strings by id, added tokens included. */
  readonly tokens: readonly string[];
  readonly unkTokenId: number | null;
  /** Python's `int(np.median(code-point lengths of all tokens))`; scales the character cut of `maxLength`. */
  readonly medianTokenLength: number;
  readonly config: Record<string, unknown>;
  baseModelName: string | string[] | null;
  language: string | string[] | null;
  /**
   * The licence `savePretrained` writes to the card: what the loaded card or config
   * stated, or the teacher's for a distilled model; null when unknown (the card then
   * says "mit", as Python model2vec's does).
   */
  license: string | null;
  /** The dtype the embeddings were stored in; informational. */
  readonly embeddingDtype: string;
  #normalize: boolean;
  #core: EncodeCore;
  /** The float32 view of a float32 table, or the last decoding of a compact one while someone holds it. */
  #embedding: Embeddings | WeakRef<Embeddings> | undefined;
  /** Worker threads for large encode calls: undefined until first needed, null where unavailable. */
  #pool: EncodePool | null | undefined;

  /**
   * @throws InvalidInputError when the table, weights or mapping do not fit the tokenizer's vocabulary.
   */
  constructor(init: StaticModelInit) {
    if (init === null || typeof init !== "object") throw new InvalidInputError("StaticModel needs an options object");
    const { tokenizer } = init;
    if (!tokenizer || typeof tokenizer.encode !== "function" || !Array.isArray(tokenizer.vocabulary)) {
      throw new InvalidInputError("StaticModel: `tokenizer` must implement the Tokenizer interface");
    }
    const table = toStoredTable(init.embeddings, init.dim);
    this.tokenizer = tokenizer;
    this.tokens = tokenizer.vocabulary;
    this.unkTokenId = tokenizer.unkId;
    const vocabSize = this.tokens.length;
    this.mapping = init.mapping == null ? null : toInt32(init.mapping);
    this.weights = init.weights == null ? null : toFloat32(init.weights);
    checkShapes(vocabSize, table.rows, this.mapping, this.weights);
    this.medianTokenLength = medianCodePointLength(this.tokens);
    this.config = { ...(init.config ?? {}) };
    const configured = this.config.normalize;
    this.#normalize = init.normalize ?? (typeof configured === "boolean" ? configured : false);
    this.config.normalize = this.#normalize;
    this.baseModelName = init.baseModelName ?? null;
    this.language = init.language ?? null;
    this.license = licenseOption(init.license ?? undefined) ?? null;
    this.embeddingDtype = init.embeddingDtype ?? table.dtype;
    const source = poolingTable(table, this.mapping, this.weights, availableThreads());
    this.#core = { tokenizer, unkId: this.unkTokenId, medianTokenLength: this.medianTokenLength, source };
  }

  /**
   * The embedding table as float32 (`vocabularyQuantization` rows when quantized, else one
   * row per token). A float32 table is returned as it is held. A float16 or int8 table stays
   * in that form for encoding and is decoded here, on demand: the decoding is reused while
   * anything still references it, and otherwise freed, so a compact model keeps its small
   * footprint. Keep the result rather than reading this property in a loop.
   */
  get embedding(): Embeddings {
    const held = this.#embedding instanceof WeakRef ? this.#embedding.deref() : this.#embedding;
    if (held !== undefined) return held;
    const { table } = this.#core.source;
    const decoded = decodeStoredTable(table);
    this.#embedding = table.dtype === "float32" ? decoded : new WeakRef(decoded);
    return decoded;
  }

  /** The table in the dtype encoding reads it in (float32, float16 or int8), with its shape. */
  get storedTable(): StoredTable {
    return this.#core.source.table;
  }

  /**
   * Loads a model from a local folder, or else from the Hugging Face Hub by id
   * (`"minishlab/potion-base-8M"`) through the cache Python's huggingface_hub uses.
   * Any layout works: model2vec (`config.json` + `model.safetensors` +
   * `tokenizer.json`), Sentence Transformers (`config_sentence_transformers.json`),
   * nested `0_StaticEmbedding/`, or a `0_StaticEmbedding` folder whose config is in
   * its parent. `quantizeTo`, `dimensionality` and `vocabularyQuantization` quantize
   * the loaded model as {@link quantizeModel} does.
   *
   * With no `pathOrId`, the default model bundled in the package loads (USE-lite
   * distilled by this library; see `models/default/README.md`), offline. An http(s)
   * URL loads as {@link StaticModel.fromUrl} does, everywhere.
   *
   * In the browser build (the package's `browser` export condition) there is no file
   * system: a Hub id loads with `fetch` from `${endpoint}/${id}/resolve/${revision}/`
   * (`endpoint` default `https://huggingface.co`; `cache` keeps the files in Cache
   * Storage), and folders and the bundled default model are unavailable.
   *
   * @throws ModelFormatError listing the layouts tried when the folder holds no model;
   *   HubError with what to do when the Hub refuses, cannot be reached, or the
   *   model is not cached offline; InvalidInputError for a bad id or option.
   */
  static async fromPretrained(pathOrId?: string, options?: FromPretrainedOptions): Promise<StaticModel> {
    if (pathOrId !== undefined && (typeof pathOrId !== "string" || pathOrId.length === 0)) {
      throw new InvalidInputError(`fromPretrained needs a folder path or a Hub id, got ${describe(pathOrId)}`);
    }
    options = optionsOf(options, "fromPretrained");
    const subfolder = subfolderOption(options.subfolder);
    const init = normalizeOverride(options.normalize);
    let loader: typeof import("../persistence/load-pretrained.js");
    try {
      loader = await import("../persistence/load-pretrained.js");
    } catch (error) {
      throw new HubError(
        `fromPretrained("${pathOrId}"): this runtime has no file system; use StaticModel.fromBuffers with the file contents`,
        { cause: error },
      );
    }
    return new StaticModel(await loader.loadPretrained(pathOrId, subfolder, options, init));
  }

  /**
   * Builds a model from the contents of its files, with no file system: for
   * browsers, workers, or bytes fetched by the caller.
   *
   * @throws ModelFormatError or TokenizerError naming the file or tensor at fault.
   */
  static fromBuffers(files: ModelFiles, options?: { normalize?: boolean | undefined }): StaticModel {
    if (files === null || typeof files !== "object") {
      throw new InvalidInputError("fromBuffers needs { model, tokenizer, config?, readme? }");
    }
    const { normalize } = optionsOf(options, "fromBuffers");
    return new StaticModel({ ...modelPartsFromFiles(files), ...normalizeOverride(normalize) });
  }

  /**
   * Loads a model from a folder URL with `fetch`, in browsers, workers and Node alike:
   * `config.json`, `model.safetensors`, `tokenizer.json` and, when present, `README.md`
   * under `base` (the Sentence Transformers layouts too, tried after the model2vec one).
   * With `cache`, the files are kept in Cache Storage so the model downloads once.
   *
   * @param base - The folder's URL, e.g. `"https://example.com/models/potion/"`; relative
   *   URLs resolve against the page's location. Its query and fragment are not used.
   * @throws HubError naming the URL and HTTP status when a request fails (a 404 means the
   *   file is absent); ModelFormatError listing the layouts tried when no model is there;
   *   InvalidInputError for a bad URL or option. An aborted `signal` rejects with its reason.
   */
  static async fromUrl(base: string | URL, options: FromUrlOptions = {}): Promise<StaticModel> {
    const { loadFromUrl } = await import("../persistence/load-url.js");
    return new StaticModel(await loadFromUrl(base, options));
  }

  /**
   * The files `savePretrained` writes, by name: `model.safetensors` (tensors
   * `embeddings`, plus `weights` and `mapping` when present), `tokenizer.json`,
   * `config.json` (with `embedding_dtype`, and `vocabulary_quantization` when
   * quantized), `modules.json` and `README.md`, as Python model2vec writes them.
   * Needs no file system: use it to upload or offer a download from a browser.
   */
  toFiles(options?: SaveOptions): Map<string, Uint8Array> {
    options = optionsOf(options, "toFiles");
    return savedFiles(this, options.modelName ?? "model2vec-model", options.license);
  }

  /**
   * Saves the model to `folder` in the model2vec layout, which Python model2vec and
   * Sentence Transformers load unchanged. Files are written to a temporary folder
   * and renamed into place, so an interrupted save never leaves a partial file.
   *
   * @param options.modelName - The name in the model card; default the folder's name.
   * @param options.license - The card's licence; default {@link StaticModel.license}, else "mit".
   * @param options.subfolder - A folder inside `folder` to save into.
   * @throws InvalidInputError for a bad folder, subfolder or licence.
   */
  async savePretrained(folder: string, options?: SaveOptions & { subfolder?: string | undefined }): Promise<void> {
    options = optionsOf(options, "savePretrained");
    if (typeof folder !== "string" || folder.length === 0) throw new InvalidInputError(`savePretrained needs a folder path, got ${describe(folder)}`);
    const subfolder = subfolderOption(options.subfolder);
    const modelName = options.modelName ?? folder.split(/[\\/]/).filter(Boolean).pop() ?? "model2vec-model";
    const { writeFolderAtomically } = await import("../io/write-folder.js");
    await writeFolderAtomically(subfolder ? `${folder}/${subfolder}` : folder, savedFiles(this, modelName, options.license));
  }

  /**
   * Uploads the model to the Hugging Face Hub, creating the repository when it
   * does not exist (`private` applies only then, as in Python).
   *
   * @returns The repository's URL.
   * @throws HubError when the token is missing or lacks write access, or the Hub fails.
   */
  async pushToHub(repoId: string, options?: PushOptions): Promise<string> {
    options = optionsOf(options, "pushToHub");
    const { pushFiles } = await import("../hub/push.js");
    return pushFiles(repoId, savedFiles(this, repoId), options);
  }

  /** Whether sentence vectors are L2-normalised. Setting it also updates `config.normalize`. */
  get normalize(): boolean {
    return this.#normalize;
  }

  set normalize(value: boolean) {
    if (typeof value !== "boolean") throw new InvalidInputError(`normalize must be a boolean, got ${describe(value)}`);
    this.#normalize = value;
    this.config.normalize = value;
  }

  /** Width of the vectors. */
  get dim(): number {
    return this.#core.source.table.dim;
  }

  /** Number of rows when the vocabulary is quantized (a mapping exists or rows ≠ tokens), else null. */
  get vocabularyQuantization(): number | null {
    const { rows } = this.#core.source.table;
    return this.mapping !== null || rows !== this.tokens.length ? rows : null;
  }

  /**
   * Encodes texts to sentence vectors.
   *
   * @returns One vector for a string; an `Embeddings` of `texts.length` rows for an array
   *   (for an input typed `string | string[]`, the union of the two).
   * @throws InvalidInputError for a non-string text (naming its index) or a bad option.
   */
  encode(text: string, options?: EncodeOptions): Float32Array;
  encode(texts: readonly string[], options?: EncodeOptions): Embeddings;
  encode(input: string | readonly string[], options?: EncodeOptions): Float32Array | Embeddings;
  encode(input: string | readonly string[], options?: EncodeOptions): Float32Array | Embeddings {
    options = optionsOf(options, "encode");
    const texts = textsOf(input);
    const maxLength = maxLengthOption(options, 512);
    const batchSize = batchSizeOption(options);
    const normalize = options.normalize === undefined ? this.#normalize : booleanOption(options, "normalize");
    const threads = threadsOption(options);
    const dim = this.dim;
    const pool = threads > 1 && texts.length > 1 ? this.#encodePool(threads, totalLength(texts, POOL_START_UNITS)) : null;
    let out: Float32Array;
    if (pool !== null) {
      out = pool.encode(texts, maxLength, normalize);
    } else {
      out = new Float32Array(texts.length * dim);
      const scratch = new EncodeScratch(this.#core.source);
      for (let first = 0; first < texts.length; first += batchSize) {
        encodeRange(this.#core, texts, first, Math.min(first + batchSize, texts.length), maxLength, normalize, out, scratch);
      }
    }
    const result = new Embeddings(out, texts.length, dim);
    return typeof input === "string" ? result.data : result;
  }

  /**
   * The worker pool for a call of `units` UTF-16 units, or null to stay on this
   * thread. The pool starts with `threads` threads on the first large call; the
   * model's tables then move into the SharedArrayBuffers the workers read, so
   * they are held once.
   */
  #encodePool(threads: number, units: number): EncodePool | null {
    if (units < POOL_USE_UNITS || (this.#pool === undefined && units < POOL_START_UNITS)) return null;
    if (this.#pool === undefined) {
      this.#pool = isRebuildable(this.tokenizer) ? EncodePool.open(this.#core, JSON.stringify(this.tokenizer.toJSON()), threads) : null;
      if (this.#pool !== null) {
        this.#core = this.#pool.core;
        this.#embedding = undefined;
      }
    }
    return this.#pool?.usable ? this.#pool : null;
  }

  /**
   * Stops the worker threads of multi-core encode, if any were started. The model
   * stays usable (on one thread). Not needed for a process to exit: idle workers never keep it alive.
   */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.close();
  }

  /**
   * Encodes texts to one vector per token: the weighted rows, neither averaged nor normalised.
   *
   * @returns An `Embeddings` of `tokens × dim` for a string; one per text for an array
   *   (views into a single buffer). A text with no tokens gives 0 rows.
   */
  encodeAsSequence(text: string, options?: EncodeAsSequenceOptions): Embeddings;
  encodeAsSequence(texts: readonly string[], options?: EncodeAsSequenceOptions): Embeddings[];
  encodeAsSequence(input: string | readonly string[], options?: EncodeAsSequenceOptions): Embeddings | Embeddings[];
  encodeAsSequence(input: string | readonly string[], options?: EncodeAsSequenceOptions): Embeddings | Embeddings[] {
    options = optionsOf(options, "encodeAsSequence");
    const texts = textsOf(input);
    const maxLength = maxLengthOption(options, null);
    const batchSize = batchSizeOption(options);
    const dim = this.dim;
    const result: Embeddings[] = [];
    const builder = new TokenBatchBuilder();
    for (let first = 0; first < texts.length; first += batchSize) {
      const last = Math.min(first + batchSize, texts.length);
      const { ids, offsets } = tokenizeRange(this.#core, texts, first, last, maxLength, builder);
      const out = new Float32Array(ids.length * dim);
      gatherRows(this.#core.source, ids, 0, ids.length, out, 0);
      for (let k = 0; k < last - first; k++) {
        const rows = offsets[k + 1]! - offsets[k]!;
        result.push(new Embeddings(out.subarray(offsets[k]! * dim, offsets[k + 1]! * dim), rows, dim));
      }
    }
    return typeof input === "string" ? result[0]! : result;
  }

  /**
   * Token ids as the model uses them: unknown tokens dropped, then cut to `maxLength`.
   *
   * @returns The ids of a string; one Int32Array per text for an array.
   */
  tokenize(text: string, options?: TokenizeOptions): Int32Array;
  tokenize(texts: readonly string[], options?: TokenizeOptions): Int32Array[];
  tokenize(input: string | readonly string[], options?: TokenizeOptions): Int32Array | Int32Array[];
  tokenize(input: string | readonly string[], options?: TokenizeOptions): Int32Array | Int32Array[] {
    options = optionsOf(options, "tokenize");
    const texts = textsOf(input);
    const maxLength = maxLengthOption(options, null);
    const { ids, offsets } = tokenizeRange(this.#core, texts, 0, texts.length, maxLength, new TokenBatchBuilder());
    const result = texts.map((_, i) => ids.slice(offsets[i]!, offsets[i + 1]!));
    return typeof input === "string" ? result[0]! : result;
  }

  /**
   * How many tokens `encode` pools for each text with the same `maxLength` (default 512, as
   * `encode`): unknown tokens dropped, then cut. Cheaper than `tokenize`: no ids are copied out.
   * The OpenAI server reports their sum as `usage.prompt_tokens`.
   */
  tokenCounts(texts: readonly string[], options?: TokenizeOptions): Int32Array {
    options = optionsOf(options, "tokenCounts");
    const list = textsOf(texts);
    const maxLength = maxLengthOption(options, 512);
    const { offsets } = tokenizeRange(this.#core, list, 0, list.length, maxLength, new TokenBatchBuilder());
    const counts = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) counts[i] = offsets[i + 1]! - offsets[i]!;
    return counts;
  }
}

/** Total UTF-16 length of `texts`, counted only up to `enough`. */
function totalLength(texts: readonly string[], enough: number): number {
  let total = 0;
  for (let i = 0; i < texts.length && total < enough; i++) total += texts[i]!.length;
  return total;
}

function toStoredTable(value: StaticModelInit["embeddings"], dim: number | undefined): StoredTable {
  if (isStoredTable(value)) return checkStoredTable(value);
  const { data, rows, dim: width } = toEmbeddings(value, dim);
  return { dtype: "float32", values: data, rows, dim: width };
}

function isStoredTable(value: unknown): value is StoredTable {
  return typeof value === "object" && value !== null && "dtype" in value && "values" in value;
}

const STORED_ARRAYS = { float32: Float32Array, float16: Uint16Array, int8: Int8Array } as const;

function checkStoredTable(table: StoredTable): StoredTable {
  const { dtype, values, rows, dim } = table;
  const type = STORED_ARRAYS[dtype];
  if (type === undefined || !(values instanceof type)) {
    throw new InvalidInputError(
      `a StoredTable's dtype must be "float32", "float16" or "int8" with values in a Float32Array, Uint16Array or Int8Array, got ${describe(dtype)} with ${Object.prototype.toString.call(values).slice(8, -1)} values`,
    );
  }
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(dim) || rows < 0 || dim <= 0 || values.length !== rows * dim) {
    throw new InvalidInputError(`a StoredTable of ${values.length} values cannot form ${String(rows)} rows × ${String(dim)} columns`);
  }
  return table;
}

function toEmbeddings(value: Exclude<StaticModelInit["embeddings"], StoredTable>, dim: number | undefined): Embeddings {
  if (value instanceof Embeddings) return value;
  if (value instanceof Float32Array) {
    if (dim === undefined || !Number.isInteger(dim) || dim <= 0 || value.length % dim !== 0) {
      throw new InvalidInputError(`a flat Float32Array of ${value.length} values needs a \`dim\` that divides it, got ${describe(dim)}`);
    }
    return new Embeddings(value, value.length / dim, dim);
  }
  if (value == null || typeof (value as ArrayLike<unknown>).length !== "number") {
    throw new InvalidInputError("`embeddings` must be an Embeddings, a Float32Array with `dim`, an array of rows, or a StoredTable");
  }
  return Embeddings.fromRows(value, dim);
}

function toInt32(values: ArrayLike<number>): Int32Array {
  return values instanceof Int32Array ? ownBuffer(values) : Int32Array.from(values);
}

function toFloat32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? ownBuffer(values) : Float32Array.from(values);
}

/** `array`, or a copy when it views part of a larger buffer: a view of a loaded file would keep the whole file (table included) alive. */
function ownBuffer<T extends Int32Array | Float32Array>(array: T): T {
  return array.byteLength === array.buffer.byteLength ? array : (array.slice() as T);
}

/** `int(np.median(lengths))`: the mean of the two middle values for an even count, floored. */
function medianCodePointLength(tokens: readonly string[]): number {
  if (tokens.length === 0) return 0;
  const lengths = Int32Array.from(tokens, codePointLength).sort();
  const middle = lengths.length >> 1;
  const median = lengths.length % 2 === 1 ? lengths[middle]! : (lengths[middle - 1]! + lengths[middle]!) / 2;
  return Math.floor(median);
}

