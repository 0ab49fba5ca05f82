/**
 * `evaluate(encoder, tasks)`: scores any encoder on MTEB-style tasks (built-in
 * names or task objects) and aggregates as the model2vec evaluation package does
 * (MinishLab/evaluation, `evaluation/utils.py`): each task's main score × 100, a mean per task type, and the
 * macro average over tasks.
 */
import { InvalidInputError } from "../errors.js";
import { BUILTIN_TASKS, type TaskDefinition } from "./builtin-tasks.js";
import { CachingEncoder, type Encoder } from "./encoder.js";
import { type Summary, summarize } from "./leaderboard.js";
import { findMissingData, formatMissingData } from "./missing-data.js";
import { type ClassificationProtocol, evaluateClassification } from "./protocols/classification.js";
import { evaluateClustering } from "./protocols/clustering.js";
import { evaluatePairClassification } from "./protocols/pair-classification.js";
import { evaluateReranking } from "./protocols/reranking.js";
import { evaluateRetrieval } from "./protocols/retrieval.js";
import { evaluateSts } from "./protocols/sts.js";
import type { TaskType } from "./types.js";

/** One task's outcome. */
export interface TaskResult {
  name: string;
  type: TaskType;
  /** The task type's main score, × 100. */
  mainScore: number;
  /** Every score the protocol computes, × 100. */
  scores: Record<string, number>;
  /** Wall time of the task, loading and encoding included. */
  seconds: number;
}

/** Everything `evaluate` returns; it is plain JSON, so it can be saved and summarised again. */
export interface EvaluationResult extends Summary {
  /** The name the model goes by in a leaderboard. */
  model: string;
  results: TaskResult[];
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The leaderboard name of the model. Default "model". */
  name?: string | undefined;
  /**
   * The folder holding the built-in tasks' data (`../shared/data`, layout in the README);
   * default $MODEL2VEC_DATA_DIR. `fileTask` tasks read their own paths.
   */
  dataDir?: string | undefined;
  /** Seed of the classification sampling and k-means. Default 42. */
  seed?: number | undefined;
  /** The classification protocol (MTEB: 10 experiments of 8 texts per label). */
  classification?: ClassificationProtocol | undefined;
  /** Texts per encoder call. Default 1024. */
  batchSize?: number | undefined;
  onProgress?: ((progress: { task: string; done: number; total: number }) => void) | undefined;
}

/**
 * Scores `encoder` on `tasks`.
 *
 * @param encoder - A StaticModel, or any `(texts) => Promise<vectors>`.
 * @param tasks - Built-in task names (`stsb`, `sst2`, `trec`, `banking77`, `emotion`,
 *   `banking77-clustering`, `stsb-pairs`, `cranfield`) or task objects.
 * @throws InvalidInputError for an unknown task name, a missing data folder, or missing
 *   data files (every missing task and path is named, before any task runs).
 */
export async function evaluate(encoder: Encoder, tasks: readonly (string | TaskDefinition)[], options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const definitions = tasks.map(resolveTask);
  const dataDir = options.dataDir ?? (typeof process === "undefined" ? undefined : process.env.MODEL2VEC_DATA_DIR);
  const seed = options.seed ?? 42;
  const builtin = definitions.find((task) => BUILTIN_TASKS[task.name] === task);
  if (dataDir === undefined && builtin !== undefined) {
    throw new InvalidInputError(`task "${builtin.name}" needs its data folder: pass dataDir (e.g. ../shared/data) or set MODEL2VEC_DATA_DIR`);
  }
  const missing = await findMissingData(definitions, dataDir ?? "");
  if (missing.length > 0) {
    throw new InvalidInputError(
      `missing data for ${missing.length} of ${definitions.length} tasks (the expected layout is in the README and in "model2vec evaluate --help"):\n${formatMissingData(missing)}`,
    );
  }
  const cache = new CachingEncoder(encoder, options.batchSize);
  const results: TaskResult[] = [];
  for (const [index, task] of definitions.entries()) {
    options.onProgress?.({ task: task.name, done: index, total: definitions.length });
    const started = performance.now();
    const outcome = await runTask(task, cache, dataDir ?? "", seed, options.classification);
    results.push({ name: task.name, type: task.type, ...outcome, seconds: (performance.now() - started) / 1000 });
  }
  options.onProgress?.({ task: "", done: definitions.length, total: definitions.length });
  return { model: options.name ?? "model", results, ...summarize(results) };
}

function resolveTask(task: string | TaskDefinition): TaskDefinition {
  if (typeof task !== "string") {
    if (task === null || typeof task !== "object" || typeof task.name !== "string" || typeof task.load !== "function") {
      throw new InvalidInputError("a task must be a built-in task name or an object { name, type, load }");
    }
    return task;
  }
  const builtin = BUILTIN_TASKS[task];
  if (!builtin) throw new InvalidInputError(`unknown task "${task}"; built-in tasks: ${Object.keys(BUILTIN_TASKS).join(", ")}`);
  return builtin;
}

async function runTask(task: TaskDefinition, encoder: CachingEncoder, dataDir: string, seed: number, classification?: ClassificationProtocol) {
  switch (task.type) {
    case "sts":
      return evaluateSts(encoder, await task.load(dataDir));
    case "classification":
      return evaluateClassification(encoder, await task.load(dataDir), seed, classification);
    case "clustering":
      return evaluateClustering(encoder, await task.load(dataDir), seed);
    case "pair-classification":
      return evaluatePairClassification(encoder, await task.load(dataDir));
    case "retrieval":
      return evaluateRetrieval(encoder, await task.load(dataDir));
    case "reranking":
      return evaluateReranking(encoder, await task.load(dataDir));
    default:
      throw new InvalidInputError(`task "${(task as TaskDefinition).name}" has unknown type "${(task as { type: string }).type}"`);
  }
}
