/**
 * The parts of a model: what loading gives and StaticModel wires together (as Python
 * model2vec's `persistence.py` loads arrays and `model.py` builds the model from them).
 */
import { ModelFormatError } from "../errors.js";
import type { Embeddings } from "../linalg/embeddings.js";
import { type StoredTable, decodeStoredTable } from "../linalg/stored-table.js";
import { type EmbeddingTable, type QuantizeOptions, quantizeTable } from "../quantize/quantize-table.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";

/**
 * A model's arrays, tokenizer and metadata, checked to fit together. A float16 or int8
 * table stays in that form (a StoredTable); others are float32.
 */
export interface ModelParts extends Omit<EmbeddingTable, "embeddings"> {
  embeddings: Embeddings | StoredTable;
  tokenizer: Tokenizer;
  /** The model's config.json contents. */
  config: Record<string, unknown>;
  /** Overrides `config.normalize`. */
  normalize?: boolean | undefined;
  baseModelName: string | string[] | null;
  language: string | string[] | null;
  license: string | null;
}

/**
 * Checks that the table, weights and mapping fit a vocabulary of `vocabSize` tokens, once,
 * so the encode loops can index without checks.
 *
 * @throws ModelFormatError naming the array that does not fit.
 */
export function checkShapes(vocabSize: number, rows: number, mapping: Int32Array | null, weights: Float32Array | null): void {
  if (mapping === null && rows !== vocabSize) {
    throw new ModelFormatError(`the embedding table has ${rows} rows but the tokenizer has ${vocabSize} tokens`);
  }
  if (mapping !== null) {
    if (mapping.length !== vocabSize) {
      throw new ModelFormatError(`mapping has ${mapping.length} entries but the tokenizer has ${vocabSize} tokens`);
    }
    for (let i = 0; i < mapping.length; i++) {
      const row = mapping[i]!;
      if (row < 0 || row >= rows) {
        throw new ModelFormatError(`mapping[${i}] = ${row} is outside the ${rows} rows of the embedding table`);
      }
    }
  }
  if (weights !== null && weights.length !== vocabSize) {
    throw new ModelFormatError(`weights has ${weights.length} entries but the tokenizer has ${vocabSize} tokens`);
  }
}

/** `parts` quantized as the load options ask (see {@link quantizeTable}), or `parts` itself when they ask nothing. */
export function quantizeParts(parts: ModelParts, options: QuantizeOptions): ModelParts {
  const { quantizeTo, dimensionality, vocabularyQuantization, kmeans } = options;
  if (!quantizeTo && !dimensionality && !vocabularyQuantization) return parts;
  const { embeddings } = parts;
  const table = { ...parts, embeddings: "dtype" in embeddings ? decodeStoredTable(embeddings) : embeddings };
  return { ...parts, ...quantizeTable(table, parts.tokenizer.vocabulary.length, { quantizeTo, dimensionality, vocabularyQuantization, kmeans }) };
}
