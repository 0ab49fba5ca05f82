/**
 * model2vec/evaluate: MTEB-style evaluation on local data (Node; the built-in
 * tasks and loaders read files).
 *
 * @packageDocumentation
 */
export { evaluate, type EvaluateOptions, type EvaluationResult, type TaskResult } from "./evaluate/evaluate.js";
export { BUILTIN_TASKS, BUILTIN_TASK_NAMES, type TaskDefinition } from "./evaluate/builtin-tasks.js";
export { fileTask, type FileTaskSpec, type TableSource } from "./evaluate/file-task.js";
export { leaderboard, summarize, type Leaderboard, type Summary } from "./evaluate/leaderboard.js";
export { formatLeaderboard, type FormatLeaderboardOptions, type LeaderboardFormat } from "./evaluate/leaderboard-format.js";
export { findMissingData, formatMissingData, type MissingData } from "./evaluate/missing-data.js";
export type { EncodeFunction, Encoder } from "./evaluate/encoder.js";
export type { ClassificationProtocol } from "./evaluate/protocols/classification.js";
export * from "./evaluate/types.js";
export { averagePrecision } from "./evaluate/metrics/average-precision.js";
export { accuracy, classificationReport, macroF1, weightedF1, type ClassScores } from "./evaluate/metrics/classification.js";
export { completeness, homogeneity, homogeneityCompletenessVMeasure, vMeasure, type VMeasureScores } from "./evaluate/metrics/clustering.js";
export { averageRanks, cosine, pearson, spearman } from "./evaluate/metrics/correlation.js";
export { compareCodePoints, sortLabels, type Label } from "./evaluate/metrics/labels.js";
export { bestAccuracy, bestF1, pairScores, type PairScores } from "./evaluate/metrics/pair-classification.js";
export {
  evaluateRetrieval,
  mapAtK,
  mrrAtK,
  ndcgAtK,
  precisionAtK,
  rankByScore,
  recallAtK,
  type QueryQrels,
  type RetrievalScores,
} from "./evaluate/metrics/retrieval.js";
export { fitLogisticRegression } from "./evaluate/logistic-regression.js";
export { loadBeir, loadSmart, readTable, parseTable } from "./evaluate/loaders/index.js";
