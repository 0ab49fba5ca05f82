/**
 * `model2vec/langchain`: Model2Vec static embeddings for LangChain.js.
 *
 * `Model2VecEmbeddings` extends `Embeddings` from `@langchain/core` (a peer
 * dependency needed only by this entry point).
 *
 * @packageDocumentation
 */
export { Model2VecEmbeddings, type Model2VecEmbeddingsParams } from "./integrations/langchain.js";
