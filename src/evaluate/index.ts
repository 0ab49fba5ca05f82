/**
 * model2vec/evaluate: MTEB-style evaluation on local data (Node; the built-in
 * tasks and loaders read files). Run `evaluate` on the built-in tasks or your own
 * (`fileTask`, or a `TaskDefinition` whose `load` returns one of the task data
 * types), then compare runs with `leaderboard`. The metrics the protocols score
 * with are internal: they follow scikit-learn, SciPy and pytrec_eval, which are
 * the references to reach for.
 *
 * @packageDocumentation
 */
export { evaluate, type EvaluateOptions, type EvaluationResult, type TaskResult } from "./evaluate.js";
export type { ClassificationProtocol } from "./protocols/classification.js";
export type { EncodeFunction, Encoder } from "./encoder.js";
export {
  BUILTIN_TASKS,
  BUILTIN_TASK_NAMES,
  type ClassificationTask,
  type ClusteringTask,
  type PairClassificationTask,
  type RerankingTask,
  type RetrievalTask,
  type StsTask,
  type TaskDefinition,
  type TaskOf,
} from "./builtin-tasks.js";
export type {
  ClassificationData,
  ClusteringData,
  LabelledTexts,
  PairClassificationData,
  RerankingData,
  RetrievalData,
  StsData,
  TaskType,
} from "./types.js";
export { fileTask, type FileTaskSpec, type TableSource } from "./file-task.js";
export { findMissingData, formatMissingData, type MissingData } from "./missing-data.js";
export { leaderboard, summarize, type Leaderboard, type Summary } from "./leaderboard.js";
export { formatLeaderboard, type FormatLeaderboardOptions, type LeaderboardFormat } from "./leaderboard-format.js";
export { readTable, parseTable, type CellOf, type ColumnRef, type JsonScalar, type ReadTableOptions, type TableFormat, type TableRecords } from "./loaders/delimited.js";
export type { TextEncodingName } from "./loaders/text.js";
export { loadBeir, type BeirOptions } from "./loaders/beir.js";
export { loadSmart, type SmartOptions, type SmartRelevance } from "./loaders/smart.js";
