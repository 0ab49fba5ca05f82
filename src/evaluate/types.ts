/**
 * The data each evaluation task type works on, after loading. Loaders turn files
 * (CSV, TSV, JSONL, BEIR folders, SMART collections) into these shapes.
 */

export type TaskType = "sts" | "classification" | "clustering" | "pair-classification" | "retrieval" | "reranking";

/** Sentence pairs with a similarity score (STS). */
export interface StsData {
  sentences1: string[];
  sentences2: string[];
  scores: number[];
}

/** Labelled texts. Labels may be strings or numbers. */
export interface LabelledTexts {
  texts: string[];
  labels: (string | number)[];
}

/** A train and a test split (classification). */
export interface ClassificationData {
  train: LabelledTexts;
  test: LabelledTexts;
}

/** Texts to cluster, with their true classes (clustering). */
export type ClusteringData = LabelledTexts;

/** Sentence pairs labelled 1 (similar / duplicate) or 0 (pair classification). */
export interface PairClassificationData {
  sentences1: string[];
  sentences2: string[];
  labels: (0 | 1)[];
}

/** A corpus, queries and graded relevance judgements (retrieval). */
export interface RetrievalData {
  corpus: Map<string, string>;
  queries: Map<string, string>;
  /** query id → document id → relevance (> 0 is relevant; graded values are used by nDCG). */
  qrels: Map<string, Map<string, number>>;
}

/** Queries with candidate documents to rank (reranking). */
export interface RerankingData {
  samples: { query: string; positive: string[]; negative: string[] }[];
}
