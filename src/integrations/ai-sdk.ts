/**
 * `model2vec/ai-sdk`: the Vercel AI SDK adapter: a StaticModel as an `EmbeddingModelV3` (AI SDK 5/6
 * provider specification v3), usable with `embed`, `embedMany` and anything
 * else that accepts an embedding model.
 *
 * The specification is declared structurally here, so this module imports
 * nothing from `ai` or `@ai-sdk/provider` at runtime or in its type declarations.
 *
 * @packageDocumentation
 */
import type { EncodeOptions, StaticModel } from "../model/static-model.js";

/** The call options of `EmbeddingModelV3.doEmbed` (the fields this adapter reads). */
export interface Model2VecEmbedCallOptions {
  /** Texts to embed. */
  values: string[];
  /** Checked before and after encoding; an aborted signal rejects with its reason. */
  abortSignal?: AbortSignal;
  /** Accepted for compatibility; ignored (no provider options). */
  providerOptions?: Record<string, Record<string, unknown>>;
  /** Accepted for compatibility; ignored (no HTTP). */
  headers?: Record<string, string | undefined>;
}

/** The result of `EmbeddingModelV3.doEmbed`. */
export interface Model2VecEmbedResult {
  /** One plain number array per value, in input order. */
  embeddings: number[][];
  /** Token count: ids the model actually pooled (unknown tokens dropped, cut to `maxLength`). */
  usage: { tokens: number };
  /** Always empty. */
  warnings: never[];
}

/** A StaticModel exposed as an AI SDK `EmbeddingModelV3` (structurally identical type). */
export interface Model2VecEmbeddingModelV3 {
  readonly specificationVersion: "v3";
  readonly provider: string;
  readonly modelId: string;
  readonly maxEmbeddingsPerCall: number | undefined;
  readonly supportsParallelCalls: boolean;
  doEmbed(options: Model2VecEmbedCallOptions): Promise<Model2VecEmbedResult>;
  /** The wrapped model. */
  readonly model: StaticModel;
}

/** Options of {@link model2vecEmbeddingModel}. */
export interface Model2VecEmbeddingModelOptions {
  /** Reported as `modelId` (logging/telemetry only). Default "model2vec". */
  modelId?: string | undefined;
  /** Reported as `provider`. Default "model2vec". */
  provider?: string | undefined;
  /**
   * Values per `doEmbed` call; `embedMany` splits larger inputs into calls of this size.
   * Default Infinity (no limit: the model batches internally).
   */
  maxEmbeddingsPerCall?: number | undefined;
  /** Forwarded to `model.encode` (maxLength, batchSize, normalize). */
  encode?: EncodeOptions | undefined;
}

/**
 * Wrap a StaticModel as an AI SDK embedding model.
 *
 * @example
 * ```ts
 * import { embedMany } from "ai";
 * import { StaticModel } from "model2vec";
 * import { model2vecEmbeddingModel } from "model2vec/ai-sdk";
 *
 * const model = model2vecEmbeddingModel(await StaticModel.fromPretrained());
 * const { embeddings } = await embedMany({ model, values: ["hello", "world"] });
 * ```
 */
export function model2vecEmbeddingModel(
  model: StaticModel,
  options: Model2VecEmbeddingModelOptions = {},
): Model2VecEmbeddingModelV3 {
  const encodeOptions: EncodeOptions = { ...options.encode };
  const maxLength = encodeOptions.maxLength === undefined ? 512 : encodeOptions.maxLength;
  const maxEmbeddingsPerCall = options.maxEmbeddingsPerCall ?? Infinity;
  if (!(maxEmbeddingsPerCall >= 1)) {
    throw new RangeError(`maxEmbeddingsPerCall must be at least 1, got ${maxEmbeddingsPerCall}`);
  }
  return {
    specificationVersion: "v3",
    provider: options.provider ?? "model2vec",
    modelId: options.modelId ?? "model2vec",
    maxEmbeddingsPerCall,
    supportsParallelCalls: true,
    model,
    async doEmbed({ values, abortSignal }: Model2VecEmbedCallOptions): Promise<Model2VecEmbedResult> {
      abortSignal?.throwIfAborted();
      if (values.length > maxEmbeddingsPerCall) {
        throw new RangeError(`doEmbed got ${values.length} values; maxEmbeddingsPerCall is ${maxEmbeddingsPerCall}`);
      }
      const matrix = model.encode(values, encodeOptions);
      const embeddings: number[][] = [];
      for (let i = 0; i < matrix.rows; i++) embeddings.push(Array.from(matrix.row(i)));
      let tokens = 0;
      for (const ids of model.tokenize(values, { maxLength })) tokens += ids.length;
      abortSignal?.throwIfAborted();
      return { embeddings, usage: { tokens }, warnings: [] };
    },
  };
}
