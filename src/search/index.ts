/**
 * `model2vec/search`: exact (cosine) nearest-neighbour search over embeddings, in Node, browsers
 * and workers.
 *
 * @module
 */
export { VectorIndex, type IndexRows } from "./vector-index.js";
export type {
  AddOptions,
  AddVectorsOptions,
  EmbeddingsLike,
  IndexEntry,
  IndexId,
  SearchEncoder,
  SearchOptions,
  SearchResult,
  VectorsInput,
} from "./types.js";
