/**
 * `model2vec/search`: exact (cosine) nearest-neighbour search over embeddings, in Node, browsers
 * and workers.
 *
 * @module
 */
export { VectorIndex } from "./vector-index.js";
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
