/**
 * Runs USE-lite's converted ONNX graph ({@link buildUseOnnxModel}) on ONNX
 * Runtime (`onnxruntime-node`, an optional peer dependency). The graph is built
 * in memory from the TF.js files at load (a quarter of a second), so nothing is
 * written to disk.
 *
 * The graph is dense, so a run costs rows × its longest row: {@link paddedRunEnd}
 * cuts length-sorted rows into runs that waste little on padding.
 */
import { availableParallelism } from "node:os";
import { ModelFormatError } from "../errors.js";
import { importOnnxRuntime } from "./onnx-teacher.js";
import type { TfjsGraphFiles } from "./use-files.js";
import { USE_ONNX_IDS, USE_ONNX_MASK, USE_ONNX_OUTPUT, buildUseOnnxModel } from "./use-onnx-graph.js";

/** Width of USE-lite's vectors. */
const WIDTH = 512;
/** Rows per run: beyond this, runs got slower on a 2-core machine (their activations outgrow the caches). */
const MAX_RUN_ROWS = 16;
/** A run may compute at most this many cells per token it embeds. */
const MAX_PADDING_RATIO = 1.125;

/** The parts of `onnxruntime-node` this runner uses. */
interface UseOnnxRuntime {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<UseOnnxSession> };
  Tensor: new (type: "int32" | "float32", data: Int32Array | Float32Array, dims: readonly number[]) => unknown;
}

interface UseOnnxSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[]; data: unknown }>>;
  release(): Promise<void>;
}

/** USE-lite on ONNX Runtime. */
export class UseOnnxRunner {
  readonly #runtime: UseOnnxRuntime;
  readonly #session: UseOnnxSession;

  private constructor(runtime: UseOnnxRuntime, session: UseOnnxSession) {
    this.#runtime = runtime;
    this.#session = session;
  }

  /**
   * Converts the TF.js graph and opens an ONNX Runtime session on it.
   *
   * @param threads - Intra-op threads; default the number of cores.
   * @param importer - Loads `onnxruntime-node`; replaceable for tests.
   * @throws MissingDependencyError when onnxruntime-node is missing, ModelFormatError
   *   when the files are not USE-lite or ONNX Runtime refuses the graph.
   */
  static async create(files: TfjsGraphFiles, threads: number = availableParallelism(), importer?: () => Promise<unknown>): Promise<UseOnnxRunner> {
    const runtime = (await importOnnxRuntime(importer)) as unknown as UseOnnxRuntime;
    const model = buildUseOnnxModel(files);
    let session: UseOnnxSession;
    try {
      session = await runtime.InferenceSession.create(model, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new ModelFormatError(`ONNX Runtime refused the graph converted from ${files.modelPath}: ${(error as Error).message ?? error}`, {
        cause: error,
      });
    }
    return new UseOnnxRunner(runtime, session);
  }

  /** Embeds non-empty `sequences` (each at most 128 ids) as one padded run; returns `sequences.length × 512` values. */
  async run(sequences: readonly Int32Array[]): Promise<Float32Array> {
    const rows = sequences.length;
    const length = Math.max(...sequences.map((ids) => ids.length));
    const ids = new Int32Array(rows * length);
    const mask = new Float32Array(rows * length);
    sequences.forEach((sequence, row) => {
      ids.set(sequence, row * length);
      mask.fill(1, row * length, row * length + sequence.length);
    });
    const Tensor = this.#runtime.Tensor;
    let result: Record<string, { dims: readonly number[]; data: unknown }>;
    try {
      result = await this.#session.run({
        [USE_ONNX_IDS]: new Tensor("int32", ids, [rows, length]),
        [USE_ONNX_MASK]: new Tensor("float32", mask, [rows, length]),
      });
    } catch (error) {
      throw new ModelFormatError(`the converted USE graph failed on a batch of ${rows} sequences: ${(error as Error).message ?? error}`, { cause: error });
    }
    const output = result[USE_ONNX_OUTPUT];
    if (!output || !(output.data instanceof Float32Array) || output.data.length !== rows * WIDTH) {
      throw new ModelFormatError(`the converted USE graph returned shape [${output?.dims.join(", ")}]; expected [${rows}, ${WIDTH}]`);
    }
    return output.data;
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }
}

/**
 * The end (exclusive) of the run starting at `start` over rows of `lengths`
 * (best sorted ascending): the run grows while it has fewer than 16 rows and its
 * padded cells (rows × longest) stay within 12.5% of its tokens. Each run has
 * at least one row.
 */
export function paddedRunEnd(lengths: readonly number[], start: number): number {
  let longest = lengths[start]!;
  let tokens = longest;
  let end = start + 1;
  while (end < lengths.length && end - start < MAX_RUN_ROWS) {
    const next = lengths[end]!;
    const wider = Math.max(longest, next);
    if ((end - start + 1) * wider > MAX_PADDING_RATIO * (tokens + next)) break;
    longest = wider;
    tokens += next;
    end++;
  }
  return end;
}
