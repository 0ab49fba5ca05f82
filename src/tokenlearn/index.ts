/**
 * model2vec/tokenlearn: tokenlearn pre-training, as the Python `tokenlearn`
 * package does it (Node; reads corpora and writes shards): `featurize` a
 * teacher's sentence targets over a corpus, then `tokenlearn` trains a static
 * model on them. The corpus helpers build the corpus and the added vocabulary.
 *
 * @packageDocumentation
 */
export { featurize, type FeaturizeOptions, type FeaturizeProgress, type FeaturizeResult } from "./featurize.js";
export {
  tokenlearn,
  type TokenlearnHistory,
  type TokenlearnLoss,
  type TokenlearnOptimizer,
  type TokenlearnOptions,
  type TokenlearnProgress,
  type TokenlearnResult,
  type TokenlearnWeighting,
} from "./tokenlearn.js";
export { readCorpus, type CorpusFile, type CorpusSource, type CorpusOptions } from "./corpus.js";
export { readFeaturized, readShards, type Shard } from "./shards.js";
export { corpusVocabulary, countCorpusTokens, mostFrequent } from "./corpus-vocabulary.js";
export { interleavedSentences, splitSentences, type SentenceCorpusOptions } from "./sentences.js";
export { scoreAddedWords } from "./word-scores.js";
