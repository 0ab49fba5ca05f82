/** `model2vec info`: what a model is made of. */
import { stat } from "node:fs/promises";
import { Command } from "commander";
import { contextOf } from "../context.js";
import { type DownloadBar, downloadBar, offline } from "../load-model.js";

/** What {@link ModelInfo.model} says for the model bundled in the package. */
export const BUNDLED_MODEL = "the bundled default model";

export interface ModelInfo {
  /** The id or path given, or {@link BUNDLED_MODEL}. */
  model: string;
  /** The folder the files were read from (a cache snapshot for Hub ids). */
  path: string;
  /** The folder layout: model2vec, sentence-transformers, 0_StaticEmbedding, … */
  layout: string;
  dimensions: number;
  /** Tokens of the tokenizer, added tokens included. */
  vocabularySize: number;
  /** Rows of the embedding table (fewer than the tokens when the vocabulary is quantized). */
  rows: number;
  /** The dtype the table is stored in (numpy name). */
  dtype: string;
  normalize: boolean;
  /** Rows of a quantized vocabulary, or null. */
  vocabularyQuantization: number | null;
  /** Whether per-token weights are stored. */
  weights: boolean;
  tokenizer: string | null;
  baseModel: string | string[] | null;
  language: string | string[] | null;
  /** Bytes of the model's files (config, safetensors, tokenizer, README). */
  sizeOnDisk: number;
  files: { path: string; bytes: number }[];
}

export function infoCommand(): Command {
  return new Command("info")
    .summary("show a model's dimensions, vocabulary, dtype and layout")
    .description("Show a model's dimensions, vocabulary size, dtype, folder layout, normalization, vocabulary quantization and size on disk.")
    .argument("[idOrPath]", "model folder or Hugging Face Hub id (default: the bundled default model)")
    .option("--json", "print the information as JSON")
    .action(async (idOrPath: string | undefined, options: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const info = await modelInfo(idOrPath, downloadBar(context, idOrPath ?? BUNDLED_MODEL), offline(context));
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
    });
}

/**
 * Reads the model in `idOrPath` (downloading it when it is a Hub id; the bundled
 * default model when undefined) and describes it.
 */
export async function modelInfo(idOrPath: string | undefined, downloads: DownloadBar, hub: { localFilesOnly?: boolean } = {}): Promise<ModelInfo> {
  const [{ NodeFileSource }, { resolveModelFolder }, { findLayout }, { StaticModel }, { defaultModelFolder }] = await Promise.all([
    import("../../io/node-file-source.js"),
    import("../../persistence/resolve-model.js"),
    import("../../persistence/model-layout.js"),
    import("../../index.js"),
    import("../../persistence/load-pretrained.js"),
  ]);
  let folder: string;
  try {
    if (idOrPath === undefined) folder = await defaultModelFolder();
    else folder = await resolveModelFolder(idOrPath, { ...hub, onProgress: downloads.onProgress });
  } finally {
    downloads.stop();
  }
  const source = new NodeFileSource(folder);
  const layout = await findLayout(source);
  const model = await StaticModel.fromPretrained(folder);
  const files: { path: string; bytes: number }[] = [];
  for (const path of new Set([layout.config, layout.model, layout.tokenizer, layout.readme])) {
    try {
      const stats = await stat(source.describe(path));
      if (stats.isFile()) files.push({ path: source.describe(path), bytes: stats.size });
    } catch {
      // The README is optional.
    }
  }
  return {
    model: idOrPath ?? BUNDLED_MODEL,
    path: source.root,
    layout: layout.name,
    dimensions: model.dim,
    vocabularySize: model.tokens.length,
    rows: model.embedding.rows,
    dtype: model.embeddingDtype,
    normalize: model.normalize,
    vocabularyQuantization: model.vocabularyQuantization,
    weights: model.weights !== null,
    tokenizer: tokenizerType(model.tokenizer),
    baseModel: model.baseModelName,
    language: model.language,
    sizeOnDisk: files.reduce((total, file) => total + file.bytes, 0),
    files,
  };
}

/** The tokenizer.json model type (WordPiece, Unigram, BPE, …), when the tokenizer exposes its JSON. */
function tokenizerType(tokenizer: unknown): string | null {
  const toJSON = (tokenizer as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON !== "function") return null;
  const json = toJSON.call(tokenizer) as { model?: { type?: unknown } } | null;
  const type = json?.model?.type;
  return typeof type === "string" ? type : null;
}

/** The information as aligned "key: value" lines. */
export function formatInfo(info: ModelInfo): string {
  const list = (value: string | string[] | null) => (value === null ? "-" : Array.isArray(value) ? value.join(", ") : value);
  const rows: [string, string][] = [
    ["model", info.model],
    ["path", info.path],
    ["layout", info.layout],
    ["dimensions", String(info.dimensions)],
    ["vocabulary size", String(info.vocabularySize)],
    ["table rows", String(info.rows)],
    ["dtype", info.dtype],
    ["normalize", String(info.normalize)],
    ["vocabulary quantization", info.vocabularyQuantization === null ? "none" : `${info.vocabularyQuantization} clusters`],
    ["token weights", info.weights ? "yes" : "no"],
    ...(info.tokenizer === null ? [] : ([["tokenizer", info.tokenizer]] as [string, string][])),
    ["base model", list(info.baseModel)],
    ["language", list(info.language)],
    ["size on disk", `${formatBytes(info.sizeOnDisk)} (${info.files.length} files)`],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value}`).join("\n") + "\n";
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
