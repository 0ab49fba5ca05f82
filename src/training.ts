/**
 * model2vec/train: classifier fine-tuning and tokenlearn-style featurization
 * (Node; these read and write files).
 *
 * @packageDocumentation
 */
export {
  StaticModelForClassification,
  type ClassEvaluation,
  type ClassLabel,
  type ClassWeight,
  type ClassifierConfig,
  type ClassifierEvaluation,
  type ClassifierFromPretrainedOptions,
  type ClassifierLabels,
  type FitHistory,
  type FitOptions,
  type FitProgress,
  type FromStaticModelOptions,
} from "./train/classifier.js";
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
} from "./tokenlearn/tokenlearn.js";
export { corpusVocabulary, countCorpusTokens } from "./tokenlearn/corpus-vocabulary.js";
