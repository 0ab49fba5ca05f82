/**
 * `model2vec/langchain`: the LangChain.js adapter: a StaticModel as `@langchain/core` `Embeddings`, usable
 * with any LangChain vector store, retriever or splitter that takes embeddings.
 *
 * @packageDocumentation
 */
import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import {
  type EncodeOptions,
  type FromPretrainedOptions,
  StaticModel,
} from "../model/static-model.js";

/** Constructor options of {@link Model2VecEmbeddings}. */
export interface Model2VecEmbeddingsParams extends EmbeddingsParams {
  /** The model to embed with. */
  model: StaticModel;
  /** Forwarded to `model.encode` (maxLength, batchSize, normalize). */
  encode?: EncodeOptions | undefined;
}

/**
 * LangChain `Embeddings` backed by a local Model2Vec model. Encoding runs in
 * process (no API calls), so `caller` retry/concurrency settings do not apply.
 *
 * @example
 * ```ts
 * import { Model2VecEmbeddings } from "model2vec/langchain";
 *
 * const embeddings = await Model2VecEmbeddings.fromPretrained(); // bundled default model
 * const vectors = await embeddings.embedDocuments(["hello", "world"]);
 * ```
 */
export class Model2VecEmbeddings extends Embeddings {
  readonly model: StaticModel;
  readonly encodeOptions: EncodeOptions;

  constructor({ model, encode, ...params }: Model2VecEmbeddingsParams) {
    super(params);
    this.model = model;
    this.encodeOptions = { ...encode };
  }

  /** Load a model with `StaticModel.fromPretrained` (no argument: the bundled default model) and wrap it. */
  static async fromPretrained(
    pathOrId?: string,
    options: FromPretrainedOptions & { encode?: EncodeOptions | undefined } = {},
  ): Promise<Model2VecEmbeddings> {
    const { encode, ...loadOptions } = options;
    const model = await StaticModel.fromPretrained(pathOrId, loadOptions);
    return new Model2VecEmbeddings(encode === undefined ? { model } : { model, encode });
  }

  /** The vector width. */
  get dim(): number {
    return this.model.dim;
  }

  /** One vector per document, in input order. */
  async embedDocuments(documents: string[]): Promise<number[][]> {
    const matrix = this.model.encode(documents, this.encodeOptions);
    const vectors: number[][] = [];
    for (let i = 0; i < matrix.rows; i++) vectors.push(Array.from(matrix.row(i)));
    return vectors;
  }

  /** The vector of one query (Model2Vec embeds queries and documents the same way). */
  async embedQuery(document: string): Promise<number[]> {
    return Array.from(this.model.encode(document, this.encodeOptions));
  }
}
