/**
 * `model2vec/ai-sdk`: Model2Vec static embeddings for the Vercel AI SDK.
 *
 * `model2vecEmbeddingModel(model)` returns an `EmbeddingModelV3` for `embed`,
 * `embedMany`, `cosineSimilarity` pipelines and RAG helpers of `ai` (v5/v6).
 * This entry has no runtime dependency on `ai`.
 *
 * @packageDocumentation
 */
export {
  model2vecEmbeddingModel,
  type Model2VecEmbedCallOptions,
  type Model2VecEmbedResult,
  type Model2VecEmbeddingModelOptions,
  type Model2VecEmbeddingModelV3,
} from "./integrations/ai-sdk.js";
