/**
 * `model2vec/chonkie`: Model2Vec static embeddings for Chonkie TS (`@chonkiejs/core`).
 *
 * `Model2VecEmbeddingModel` satisfies Chonkie's `EmbeddingModel`
 * (`embed(texts) → Promise<number[][]>`) for `SemanticChunker` and the
 * vector-database handshakes. This entry has no runtime dependency on Chonkie.
 *
 * @packageDocumentation
 */
export {
  type ChonkieEmbeddingModel,
  type Model2VecChonkieOptions,
  Model2VecEmbeddingModel,
} from "./integrations/chonkie.js";
