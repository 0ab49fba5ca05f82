/** `quantizeModel`: {@link quantizeTable} on a StaticModel's arrays, wired into a new StaticModel. */
import { InvalidInputError } from "../errors.js";
import { type QuantizeOptions, quantizeTable } from "../quantize/quantize-table.js";
import { StaticModel } from "./static-model.js";

/**
 * Python's `quantize_model(model, vocabulary_quantization, quantize_to, dimensionality)`.
 * Runs, in order: (i) vocabulary quantization (k-means, see `quantizeVocabulary`);
 * (ii) conversion to `quantizeTo` (see `quantizeEmbeddings`); (iii) a cut to the
 * first `dimensionality` columns.
 *
 * The result is a new model sharing the tokenizer, with its own copies of the
 * table, weights, mapping and config; `normalize`, `baseModelName`, `language` and `license`
 * are kept. Its `embeddingDtype` is `quantizeTo` when given, else the model's
 * (or "float32" after vocabulary quantization of a table that is not float16/32/64,
 * since the centres are not integers).
 *
 * @throws InvalidInputError naming the option at fault: an unknown dtype; a
 *   `dimensionality` that is not a non-negative integer or exceeds the model's
 *   dimension; a `vocabularyQuantization` that is not a positive integer, exceeds
 *   the number of tokens, or is asked of an already vocabulary-quantized model.
 */
export function quantizeModel(model: StaticModel, options: QuantizeOptions): StaticModel {
  if (!(model instanceof StaticModel)) throw new InvalidInputError("quantizeModel: `model` must be a StaticModel");
  const { embedding: embeddings, weights, mapping, embeddingDtype } = model;
  const table = quantizeTable({ embeddings, weights, mapping, embeddingDtype }, model.tokens.length, options);
  return new StaticModel({
    ...table,
    tokenizer: model.tokenizer,
    normalize: model.normalize,
    config: { ...model.config },
    baseModelName: model.baseModelName,
    language: model.language,
    license: model.license,
  });
}
