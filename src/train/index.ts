/**
 * model2vec/train: a static model with a classification head, as Python's
 * `model2vec.train.StaticModelForClassification` (Node; fitting reads and
 * saving writes files). Tokenlearn pre-training is `model2vec/tokenlearn`.
 *
 * @packageDocumentation
 */
export { StaticModelForClassification, type ClassifierFromPretrainedOptions, type FromStaticModelOptions } from "./classifier.js";
export type { ClassWeight } from "./class-weights.js";
export type { ClassifierConfig } from "./classifier-config.js";
export type { ClassEvaluation, ClassifierEvaluation } from "./classifier-evaluation.js";
export type { FitHistory, FitOptions, FitProgress } from "./fit-options.js";
export type { ClassLabel, ClassifierLabels } from "./labels.js";
