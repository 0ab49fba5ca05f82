/**
 * A distillation teacher run by ONNX Runtime (`onnxruntime-node`, an optional
 * peer dependency loaded on first use): a transformer exported to ONNX with
 * `input_ids` / `attention_mask` / `token_type_ids` inputs and a
 * `last_hidden_state` output (plus `pooler_output` for BERT-like models).
 * Padding, masks and pooling follow Python's `create_embeddings` (model2vec `distill/inference.py`).
 */
import { readFile, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, join, resolve } from "node:path";
import { HubError, InvalidInputError, MissingDependencyError, ModelFormatError, TokenizerError } from "../errors.js";
import { float16ToFloat32 } from "../formats/float16.js";
import { resolveHubFiles } from "../hub/resolve-files.js";
import type { DownloadProgress } from "../hub/download.js";
import { isDirectory } from "../io/node-file-source.js";
import type { Pooling, Teacher } from "./teacher.js";

/** Where the model file may be, in order: Optimum/transformers.js put it under `onnx/`. */
export const ONNX_MODEL_PATHS = ["onnx/model.onnx", "model.onnx"] as const;
/** Names of the per-token output, in order of preference; else the graph's first output. */
const HIDDEN_OUTPUTS = ["last_hidden_state", "token_embeddings"];
const POOLER_OUTPUT = "pooler_output";
const ID_INPUTS = new Set(["input_ids", "attention_mask", "token_type_ids"]);
/** Padded tokens per session run, and attention cells (rows × length²) per run; larger batches are split. */
const MAX_RUN_TOKENS = 16_384;
const MAX_RUN_CELLS = 1 << 22;

/** The part of the `onnxruntime-node` module the teacher uses. */
export interface OnnxRuntimeModule {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OnnxSession> };
  Tensor: new (type: "int64" | "int32", data: BigInt64Array | Int32Array, dims: readonly number[]) => unknown;
}

interface OnnxValueMetadata {
  name: string;
  isTensor?: boolean | undefined;
  type?: string | undefined;
  shape?: readonly (number | string)[] | undefined;
}

interface OnnxOutputTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** onnxruntime ≥ 1.22. */
  readonly inputMetadata?: readonly OnnxValueMetadata[] | undefined;
  readonly outputMetadata?: readonly OnnxValueMetadata[] | undefined;
  run(feeds: Record<string, unknown>, fetches?: readonly string[]): Promise<Record<string, OnnxOutputTensor>>;
  release(): Promise<void>;
}

export interface OnnxTeacherOptions {
  /** Hub revision (branch, tag or commit). Default "main". */
  revision?: string | undefined;
  /** Hub access token; default HF_TOKEN, then the `huggingface-cli login` token file. */
  token?: string | undefined;
  /** Hub cache root; default HF_HUB_CACHE, else $HF_HOME/hub. */
  cacheDir?: string | undefined;
  /** Use only the Hub cache, as HF_HUB_OFFLINE=1 does. */
  localFilesOnly?: boolean | undefined;
  /** Called as Hub downloads progress. */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** ONNX Runtime intra-op threads; default the number of cores (`os.availableParallelism()`). */
  threads?: number | undefined;
  /** The default pooling, listed first in `poolings`; default "mean". */
  pooling?: Pooling | undefined;
  /** An already imported `onnxruntime-node` (or compatible) module; default `await import("onnxruntime-node")`. */
  runtime?: OnnxRuntimeModule | undefined;
}

/**
 * Imports `onnxruntime-node`, explaining how to install it when it is missing.
 *
 * @param importer - Loads the module; replaceable for tests.
 * @throws MissingDependencyError naming the package and the install command.
 */
export async function importOnnxRuntime(importer: () => Promise<unknown> = () => import("onnxruntime-node")): Promise<OnnxRuntimeModule> {
  let loaded: unknown;
  try {
    loaded = await importer();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && /onnxruntime-node['"]/.test(message)) {
      throw new MissingDependencyError(
        'Distilling from an ONNX teacher needs the optional package "onnxruntime-node", which is not installed. ' +
          "Install it with `npm install onnxruntime-node` (on Linux x64, `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` skips its CUDA download).",
        { cause: error },
      );
    }
    throw new MissingDependencyError(`"onnxruntime-node" is installed but could not be loaded: ${message}. Reinstall it with \`npm install onnxruntime-node\`.`, {
      cause: error,
    });
  }
  const module = loaded as Partial<OnnxRuntimeModule> & { default?: Partial<OnnxRuntimeModule> };
  const runtime = module.InferenceSession ? module : module.default;
  if (!runtime?.InferenceSession || !runtime.Tensor) {
    throw new MissingDependencyError('"onnxruntime-node" was loaded but has no InferenceSession/Tensor exports; check its version (>= 1.17).');
  }
  return runtime as OnnxRuntimeModule;
}

/** A transformer teacher run by ONNX Runtime. */
export class OnnxTeacher implements Teacher {
  readonly name: string;
  readonly dim: number;
  readonly tokenizerJson: Record<string, unknown>;
  readonly poolings: readonly Pooling[];
  /** The id that pads sequences: `pad_token_id` of config.json, else 0. */
  readonly padId: number;
  /** The model file the session runs. */
  readonly modelPath: string;
  /** The longest sequence `embed` accepts: `max_position_embeddings` of config.json, when it says. */
  readonly maxPositions: number | undefined;

  readonly #runtime: OnnxRuntimeModule;
  #session: OnnxSession | undefined;
  readonly #inputs: readonly { name: string; type: "int64" | "int32" }[];
  readonly #hiddenOutput: string;
  readonly #maxPositions: number | undefined;
  readonly #vocabSize: number | undefined;

  private constructor(init: {
    name: string;
    dim: number;
    tokenizerJson: Record<string, unknown>;
    poolings: readonly Pooling[];
    padId: number;
    modelPath: string;
    runtime: OnnxRuntimeModule;
    session: OnnxSession;
    inputs: readonly { name: string; type: "int64" | "int32" }[];
    hiddenOutput: string;
    maxPositions: number | undefined;
    vocabSize: number | undefined;
  }) {
    this.name = init.name;
    this.dim = init.dim;
    this.tokenizerJson = init.tokenizerJson;
    this.poolings = init.poolings;
    this.padId = init.padId;
    this.modelPath = init.modelPath;
    this.#runtime = init.runtime;
    this.#session = init.session;
    this.#inputs = init.inputs;
    this.#hiddenOutput = init.hiddenOutput;
    this.#maxPositions = init.maxPositions;
    this.maxPositions = init.maxPositions;
    this.#vocabSize = init.vocabSize;
  }

  /**
   * Loads a teacher from a local folder, or from a Hub repo through the shared cache.
   * The folder (or repo) holds `onnx/model.onnx` or `model.onnx`, `tokenizer.json`,
   * and optionally `config.json` (for `pad_token_id`, `hidden_size`, `max_position_embeddings`).
   *
   * @throws ModelFormatError when the model or tokenizer is missing or unusable,
   *   HubError when the Hub cannot provide them, MissingDependencyError when onnxruntime-node is missing.
   */
  static async load(pathOrId: string, options: OnnxTeacherOptions = {}): Promise<OnnxTeacher> {
    if (options.pooling !== undefined && !isPooling(options.pooling)) {
      throw new InvalidInputError(`pooling ${JSON.stringify(options.pooling)} is not one of mean, first, last, pooler, inner-mean`);
    }
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
      throw new InvalidInputError(`threads must be a positive integer, got ${options.threads}`);
    }
    // Before any download: a missing runtime should not cost a model's worth of bytes.
    const runtime = options.runtime ?? (await importOnnxRuntime());
    let folder: string;
    let name: string;
    if (await isDirectory(pathOrId)) {
      folder = resolve(pathOrId);
      name = basename(folder);
    } else {
      const resolved = await resolveHubFiles(pathOrId, (has) => hubFilesToFetch(pathOrId, has), options);
      folder = resolved.folder;
      name = pathOrId;
    }
    return OnnxTeacher.#fromFolder(folder, name, runtime, options);
  }

  static async #fromFolder(folder: string, name: string, runtime: OnnxRuntimeModule, options: OnnxTeacherOptions): Promise<OnnxTeacher> {
    let modelPath: string | undefined;
    for (const candidate of ONNX_MODEL_PATHS) {
      if (await isFile(join(folder, candidate))) {
        modelPath = join(folder, candidate);
        break;
      }
    }
    if (!modelPath) {
      throw new ModelFormatError(`No ONNX model in ${folder}: looked for ${ONNX_MODEL_PATHS.join(" and ")}`);
    }
    const tokenizerJson = await readTokenizerJson(join(folder, "tokenizer.json"));
    const config = await readConfig(join(folder, "config.json"));

    let session: OnnxSession;
    try {
      session = await runtime.InferenceSession.create(modelPath, {
        intraOpNumThreads: options.threads ?? availableParallelism(),
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new ModelFormatError(`ONNX Runtime could not load ${modelPath}: ${(error as Error).message ?? error}`, { cause: error });
    }
    try {
      return await OnnxTeacher.#fromSession(session, { name, modelPath, tokenizerJson, config, runtime, options });
    } catch (error) {
      await session.release().catch(() => {});
      throw error;
    }
  }

  static async #fromSession(
    session: OnnxSession,
    init: {
      name: string;
      modelPath: string;
      tokenizerJson: Record<string, unknown>;
      config: Record<string, unknown>;
      runtime: OnnxRuntimeModule;
      options: OnnxTeacherOptions;
    },
  ): Promise<OnnxTeacher> {
    const { modelPath, config } = init;
    const unsupported = session.inputNames.filter((input) => !ID_INPUTS.has(input));
    if (unsupported.length > 0) {
      throw new ModelFormatError(
        `${modelPath} has inputs ${unsupported.join(", ")}; an ONNX teacher may only take input_ids, attention_mask and token_type_ids`,
      );
    }
    if (!session.inputNames.includes("input_ids")) throw new ModelFormatError(`${modelPath} has no input_ids input`);
    const inputs = session.inputNames.map((input) => {
      const type = session.inputMetadata?.find((m) => m.name === input)?.type;
      if (type !== undefined && type !== "int64" && type !== "int32") {
        throw new ModelFormatError(`${modelPath} input ${input} has type ${type}; expected int64 or int32`);
      }
      return { name: input, type: type ?? "int64" } as const;
    });
    const hiddenOutput = HIDDEN_OUTPUTS.find((output) => session.outputNames.includes(output)) ?? session.outputNames[0];
    if (hiddenOutput === undefined) throw new ModelFormatError(`${modelPath} has no outputs`);

    const available: Pooling[] = ["mean", "first", "last"];
    if (session.outputNames.includes(POOLER_OUTPUT)) available.push("pooler");
    available.push("inner-mean");
    const preferred = init.options.pooling ?? "mean";
    if (!available.includes(preferred)) {
      throw new InvalidInputError(`pooling "${preferred}" needs a ${POOLER_OUTPUT} output, which ${modelPath} does not have (outputs: ${session.outputNames.join(", ")})`);
    }
    const poolings = [preferred, ...available.filter((p) => p !== preferred)];

    const padId = nonNegativeInteger(config.pad_token_id) ?? 0;
    const declared = session.outputMetadata?.find((m) => m.name === hiddenOutput)?.shape?.at(-1);
    let dim = typeof declared === "number" && declared > 0 ? declared : nonNegativeInteger(config.hidden_size);
    if (dim === undefined) {
      // Neither the graph nor config.json says: run one sequence and look.
      const probe = await runPadded({ session, runtime: init.runtime, inputs, padId, modelPath }, [Int32Array.of(padId)], hiddenOutput);
      dim = probe.dims.at(-1);
    }
    if (dim === undefined || dim < 1) throw new ModelFormatError(`${modelPath}: could not tell the width of ${hiddenOutput}`);
    return new OnnxTeacher({
      name: init.name,
      dim,
      tokenizerJson: init.tokenizerJson,
      poolings,
      padId,
      modelPath,
      runtime: init.runtime,
      session,
      inputs,
      hiddenOutput,
      maxPositions: nonNegativeInteger(config.max_position_embeddings),
      vocabSize: nonNegativeInteger(config.vocab_size),
    });
  }

  async embed(batch: readonly Int32Array[], pooling: Pooling): Promise<Float32Array> {
    if (!this.poolings.includes(pooling)) {
      throw new InvalidInputError(
        pooling === "pooler"
          ? `pooling "pooler" needs a ${POOLER_OUTPUT} output, which ${this.modelPath} does not have`
          : `pooling ${JSON.stringify(pooling)} is not one of ${this.poolings.join(", ")}`,
      );
    }
    this.#check(batch);
    const out = new Float32Array(batch.length * this.dim);
    for (let start = 0; start < batch.length; ) {
      const end = runEnd(batch, start);
      const rows = batch.slice(start, end);
      const pooled = await this.#embedRun(rows, pooling);
      out.set(pooled, start * this.dim);
      start = end;
    }
    return out;
  }

  async dispose(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }

  #check(batch: readonly Int32Array[]): void {
    batch.forEach((ids, index) => {
      if (this.#maxPositions !== undefined && ids.length > this.#maxPositions) {
        throw new InvalidInputError(
          `sequence ${index} has ${ids.length} tokens; ${this.name} accepts at most ${this.#maxPositions} (max_position_embeddings)`,
        );
      }
      for (const id of ids) {
        if (id < 0 || (this.#vocabSize !== undefined && id >= this.#vocabSize)) {
          throw new InvalidInputError(`sequence ${index} has token id ${id}, outside ${this.name}'s vocabulary of ${this.#vocabSize ?? "?"} ids`);
        }
      }
    });
  }

  async #embedRun(rows: readonly Int32Array[], pooling: Pooling): Promise<Float32Array> {
    const dim = this.dim;
    if (pooling === "pooler") {
      const pooled = await this.#run(rows, POOLER_OUTPUT);
      expectShape(pooled, [rows.length, dim], POOLER_OUTPUT, this.modelPath);
      return toFloat32(pooled, POOLER_OUTPUT);
    }
    const output = await this.#run(rows, this.#hiddenOutput);
    const length = Math.max(1, ...rows.map((ids) => ids.length));
    expectShape(output, [rows.length, length, dim], this.#hiddenOutput, this.modelPath);
    const hidden = toFloat32(output, this.#hiddenOutput);
    const out = new Float32Array(rows.length * dim);
    const sum = new Float64Array(dim);
    rows.forEach((ids, r) => {
      const rowBase = r * length * dim;
      if (pooling === "mean" || pooling === "inner-mean") {
        // inner-mean leaves out the first and last position (tokenlearn's `[1:-1].mean(0)`).
        const from = pooling === "mean" ? 0 : 1;
        const to = pooling === "mean" ? ids.length : ids.length - 1;
        sum.fill(0);
        for (let t = from; t < to; t++) {
          const base = rowBase + t * dim;
          for (let d = 0; d < dim; d++) sum[d]! += hidden[base + d]!;
        }
        // Python clamps the count to 1, so an empty sequence (or, for inner-mean, one of ≤ 2 tokens) pools to zeros.
        const count = Math.max(1, to - from);
        for (let d = 0; d < dim; d++) out[r * dim + d] = sum[d]! / count;
      } else {
        const position = pooling === "first" ? 0 : Math.max(0, ids.length - 1);
        out.set(hidden.subarray(rowBase + position * dim, rowBase + (position + 1) * dim), r * dim);
      }
    });
    return out;
  }

  /** Runs right-padded rows and returns one output. */
  async #run(rows: readonly Int32Array[], output: string): Promise<OnnxOutputTensor> {
    const session = this.#session;
    if (!session) throw new InvalidInputError(`the ONNX teacher ${this.name} was disposed`);
    return runPadded({ session, runtime: this.#runtime, inputs: this.#inputs, padId: this.padId, modelPath: this.modelPath }, rows, output);
  }
}

interface SessionContext {
  session: OnnxSession;
  runtime: OnnxRuntimeModule;
  inputs: readonly { name: string; type: "int64" | "int32" }[];
  padId: number;
  modelPath: string;
}

/**
 * Right-pads `rows` with the pad id to the longest (at least one position), feeds
 * the inputs the graph declares (mask 1 on real positions, token types 0) and
 * returns the `output` tensor.
 */
async function runPadded(context: SessionContext, rows: readonly Int32Array[], output: string): Promise<OnnxOutputTensor> {
  const length = Math.max(1, ...rows.map((ids) => ids.length));
  const size = rows.length * length;
  const ids = new Int32Array(size).fill(context.padId);
  const mask = new Int32Array(size);
  rows.forEach((row, r) => {
    ids.set(row, r * length);
    mask.fill(1, r * length, r * length + row.length);
  });
  const dims = [rows.length, length];
  const feeds: Record<string, unknown> = {};
  for (const input of context.inputs) {
    const values = input.name === "input_ids" ? ids : input.name === "attention_mask" ? mask : new Int32Array(size);
    const data = input.type === "int64" ? BigInt64Array.from(values, BigInt) : values;
    feeds[input.name] = new context.runtime.Tensor(input.type, data, dims);
  }
  let result: Record<string, OnnxOutputTensor>;
  try {
    result = await context.session.run(feeds, [output]);
  } catch (error) {
    throw new ModelFormatError(`ONNX Runtime failed running ${context.modelPath}: ${(error as Error).message ?? error}`, { cause: error });
  }
  const tensor = result[output];
  if (!tensor) throw new ModelFormatError(`${context.modelPath} gave no ${output} output`);
  return tensor;
}

/** The end (exclusive) of the run starting at `start`, keeping padded tokens and attention cells within budget. */
function runEnd(batch: readonly Int32Array[], start: number): number {
  let longest = Math.max(1, batch[start]!.length);
  let end = start + 1;
  while (end < batch.length) {
    const length = Math.max(longest, batch[end]!.length);
    const rows = end - start + 1;
    if (rows * length > MAX_RUN_TOKENS || rows * length * length > MAX_RUN_CELLS) break;
    longest = length;
    end++;
  }
  return end;
}

function hubFilesToFetch(repoId: string, has: (path: string) => boolean): string[] {
  const model = ONNX_MODEL_PATHS.find((path) => has(path));
  if (!model) throw new HubError(`${repoId} has no ONNX model: looked for ${ONNX_MODEL_PATHS.join(" and ")}`, { status: 404 });
  if (!has("tokenizer.json")) throw new HubError(`${repoId} has no tokenizer.json`, { status: 404 });
  const files = [model, "tokenizer.json"];
  // Models over 2 GB keep their weights beside the graph (external data).
  for (const data of [`${model}_data`, `${model}.data`]) if (has(data)) files.push(data);
  if (has("config.json")) files.push("config.json");
  return files;
}

function toFloat32(tensor: OnnxOutputTensor, name: string): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  if (tensor.type === "float16" && data instanceof Uint16Array) return float16ToFloat32(data);
  if ((tensor.type === "float16" || tensor.type === "float64") && ArrayBuffer.isView(data)) {
    return Float32Array.from(data as unknown as ArrayLike<number>);
  }
  throw new ModelFormatError(`output ${name} has type ${tensor.type}; expected float32, float16 or float64`);
}

function expectShape(tensor: OnnxOutputTensor, expected: readonly number[], name: string, modelPath: string): void {
  if (tensor.dims.length !== expected.length || tensor.dims.some((d, i) => d !== expected[i])) {
    throw new ModelFormatError(`${modelPath} output ${name} has shape [${tensor.dims.join(", ")}]; expected [${expected.join(", ")}]`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readTokenizerJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ModelFormatError(`The ONNX teacher needs ${path}, which could not be read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TokenizerError(`${path} does not parse: ${(error as Error).message}`, { cause: error });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new TokenizerError(`${path} is not a JSON object`);
  return json as Record<string, unknown>;
}

/** config.json, or an empty object when the folder has none. */
async function readConfig(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {};
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === "object" && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(`${path} does not parse: ${(error as Error).message}`, { cause: error });
  }
  throw new ModelFormatError(`${path} is not a JSON object`);
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function isPooling(value: unknown): value is Pooling {
  return value === "mean" || value === "first" || value === "last" || value === "pooler" || value === "inner-mean";
}
