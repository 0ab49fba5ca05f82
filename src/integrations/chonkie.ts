/**
 * `model2vec/chonkie`: the Chonkie TS adapter: a StaticModel as the embedding model `@chonkiejs/core`
 * accepts (`SemanticChunker.create({ embeddings })` and the vector-database
 * handshakes' `embeddings` option): any object with `embed(texts) → Promise<number[][]>`.
 *
 * The interface is declared structurally, so this module imports nothing from
 * `@chonkiejs/core`.
 *
 * @packageDocumentation
 */
import {
  type EncodeOptions,
  type FromPretrainedOptions,
  StaticModel,
} from "../model/static-model.js";

/** Chonkie's `EmbeddingModel` (semantic chunker and handshakes): `embed(texts)` → one vector per text. */
export interface ChonkieEmbeddingModel {
  embed(texts: string[]): Promise<number[][]>;
}

/** Options of {@link Model2VecEmbeddingModel}. */
export interface Model2VecChonkieOptions {
  /** Forwarded to `model.encode` (maxLength, batchSize, normalize). */
  encode?: EncodeOptions | undefined;
}

/**
 * Model2Vec embeddings for Chonkie.
 *
 * @example
 * ```ts
 * import { SemanticChunker } from "@chonkiejs/core";
 * import { Model2VecEmbeddingModel } from "model2vec/chonkie";
 *
 * const embeddings = await Model2VecEmbeddingModel.fromPretrained(); // bundled default model
 * const chunker = await SemanticChunker.create({ embeddings, threshold: 0.5 });
 * const chunks = await chunker.chunk(text);
 * ```
 */
export class Model2VecEmbeddingModel implements ChonkieEmbeddingModel {
  readonly model: StaticModel;
  readonly encodeOptions: EncodeOptions;

  constructor(model: StaticModel, options: Model2VecChonkieOptions = {}) {
    this.model = model;
    this.encodeOptions = { ...options.encode };
  }

  /** Load a model with `StaticModel.fromPretrained` (no argument: the bundled default model) and wrap it. */
  static async fromPretrained(
    pathOrId?: string,
    options: FromPretrainedOptions & Model2VecChonkieOptions = {},
  ): Promise<Model2VecEmbeddingModel> {
    const { encode, ...loadOptions } = options;
    return new Model2VecEmbeddingModel(await StaticModel.fromPretrained(pathOrId, loadOptions), { encode });
  }

  /** The vector width. */
  get dimension(): number {
    return this.model.dim;
  }

  /** One vector per text, in input order. The method is bound: `embeddings: adapter.embed` works too. */
  readonly embed = async (texts: string[]): Promise<number[][]> => {
    const matrix = this.model.encode(texts, this.encodeOptions);
    const vectors: number[][] = [];
    for (let i = 0; i < matrix.rows; i++) vectors.push(Array.from(matrix.row(i)));
    return vectors;
  };

  /** The vector of one text. */
  async embedOne(text: string): Promise<number[]> {
    return Array.from(this.model.encode(text, this.encodeOptions));
  }
}
