/**
 * model2vec/train: classifier fine-tuning and tokenlearn-style featurization
 * (Node; these read and write files).
 *
 * @packageDocumentation
 */
export { StaticModelForClassification, type ClassifierFromPretrainedOptions, type FromStaticModelOptions } from "./train/classifier.js";
export type { ClassWeight } from "./train/class-weights.js";
export type { ClassifierConfig } from "./train/classifier-config.js";
export type { ClassEvaluation, ClassifierEvaluation } from "./train/classifier-evaluation.js";
export type { FitHistory, FitOptions, FitProgress } from "./train/fit-options.js";
export type { ClassLabel, ClassifierLabels } from "./train/labels.js";
export { featurize, type FeaturizeOptions, type FeaturizeProgress, type FeaturizeResult } from "./tokenlearn/featurize.js";
export { readCorpus, type CorpusFile, type CorpusSource, type CorpusOptions } from "./tokenlearn/corpus.js";
export { readFeaturized, readShards, type Shard } from "./tokenlearn/shards.js";
export { Adam, AdamW, ReduceLROnPlateau, Parameter } from "./train/optimizer.js";
export { bceWithLogits, cosineLoss, infoNce, mseLoss, softmaxCrossEntropy } from "./train/losses.js";
export {
  tokenlearn,
  type TokenlearnHistory,
  type TokenlearnLoss,
  type TokenlearnOptimizer,
  type TokenlearnOptions,
  type TokenlearnProgress,
  type TokenlearnResult,
  type TokenlearnWeighting,
} from "./tokenlearn/tokenlearn.js";
export { corpusVocabulary, countCorpusTokens, mostFrequent } from "./tokenlearn/corpus-vocabulary.js";
export { interleavedSentences, splitSentences, type SentenceCorpusOptions } from "./tokenlearn/sentences.js";
export { scoreAddedWords } from "./tokenlearn/word-scores.js";
