/**
 * The files `save_pretrained` writes (model2vec `persistence/persistence.py`), as bytes: model.safetensors,
 * tokenizer.json, config.json, modules.json and README.md. Runtime-neutral, so
 * the same files can be written to disk, uploaded, or offered as a download.
 */
import type { Embeddings } from "../linalg/embeddings.js";
import { QUANTIZE_DTYPES, storedTensor } from "../quantize/dtype.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { licenseOption, renderModelCard } from "./model-card.js";
import { type TensorToWrite, writeSafetensors } from "../formats/safetensors-writer.js";

/** Options of `toFiles` and `savePretrained` (of StaticModel and the classifier). */
export interface SaveOptions {
  /** The name in the model card; defaults to the folder's name (or the repo id when pushing). */
  modelName?: string | undefined;
  /**
   * The model card's `license` (a Hugging Face licence identifier such as "apache-2.0").
   * Default: the model's `license` (what its card, config or teacher stated), else "mit".
   */
  license?: string | undefined;
}

/** What saving reads of a model (a StaticModel has all of it). */
export interface SavableModel {
  readonly embedding: Embeddings;
  /** The numpy dtype the table holds the values of. */
  readonly embeddingDtype: string;
  readonly weights: Float32Array | null;
  readonly mapping: Int32Array | null;
  readonly config: Record<string, unknown>;
  readonly normalize: boolean;
  readonly tokenizer: Pick<Tokenizer, "toJSON">;
  readonly baseModelName: string | string[] | null;
  readonly language: string | string[] | null;
  readonly license: string | null;
}

const encoder = new TextEncoder();

/**
 * The saved files of `model`, by file name.
 *
 * @throws InvalidInputError when `license` is not a licence identifier.
 */
export function savedFiles(model: SavableModel, modelName: string, license?: string): Map<string, Uint8Array> {
  const cardLicense = licenseOption(license) ?? model.license;
  const { embedding } = model;
  // Tables read from dtypes Python cannot quantize to (bfloat16, integer types) are saved as float32.
  const embeddingDtype = (QUANTIZE_DTYPES as readonly string[]).includes(model.embeddingDtype) ? model.embeddingDtype : "float32";
  const stored = storedTensor(embedding.data, embeddingDtype);
  const tensors: TensorToWrite[] = [{ name: "embeddings", dtype: stored.dtype, shape: [embedding.rows, embedding.dim], data: stored.data }];
  if (model.weights) tensors.push({ name: "weights", dtype: "F32", shape: [model.weights.length], data: model.weights });
  if (model.mapping) tensors.push({ name: "mapping", dtype: "I32", shape: [model.mapping.length], data: model.mapping });

  const config: Record<string, unknown> = { ...model.config, normalize: model.normalize, embedding_dtype: embeddingDtype };
  if (model.mapping) config.vocabulary_quantization = embedding.rows;
  else delete config.vocabulary_quantization;

  const modules: Record<string, unknown>[] = [
    { idx: 0, name: "0", path: ".", type: "sentence_transformers.models.StaticEmbedding" },
  ];
  if (model.normalize) modules.push({ idx: 1, name: "1", path: "1_Normalize", type: "sentence_transformers.models.Normalize" });

  return new Map([
    ["model.safetensors", writeSafetensors(tensors)],
    ["tokenizer.json", encoder.encode(JSON.stringify(model.tokenizer.toJSON()))],
    ["config.json", encoder.encode(pythonJson(config))],
    ["modules.json", encoder.encode(pythonJson(modules))],
    ["README.md", encoder.encode(renderModelCard({ modelName, baseModel: model.baseModelName, language: model.language, license: cardLicense }))],
  ]);
}

/** `json.dump(value, indent=4)` as Python writes it: ASCII only, non-ASCII as \u escapes. */
export function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
