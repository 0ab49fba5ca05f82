/**
 * `model2vec/search`: exact (cosine) nearest-neighbour search over embeddings, in Node, browsers
 * and workers.
 *
 * @module
 */
export { VectorIndex } from "./vector-index.js";
export { deduplicate, type DeduplicateOptions, type DeduplicationResult, type Duplicate } from "./deduplicate.js";
export { filterOutliers, type FilterOutliersOptions } from "./filter-outliers.js";
export { selectRepresentatives, type SelectRepresentativesOptions } from "./select-representatives.js";
export type { FilterResult } from "./filter-result.js";
export type { RankingOptions } from "./average-similarity.js";
export type { RecordsProgress, TextRecord } from "./dedup-records.js";
export { IndexFormatError } from "../errors.js";
export type {
  AddOptions,
  AddVectorsOptions,
  EmbeddingsLike,
  IndexEntry,
  IndexId,
  IndexRows,
  SearchEncoder,
  SearchOptions,
  SearchResult,
  VectorsInput,
} from "./types.js";
