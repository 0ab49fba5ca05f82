/**
 * The folder layouts a static model can be stored in (model2vec `persistence/datamodels.py`), checked in
 * order: model2vec, Sentence Transformers, nested 0_StaticEmbedding, and the
 * 0_StaticEmbedding folder itself with its config in the parent (model2vec-rs).
 */
import { ModelFormatError } from "../errors.js";
import { type FileSource, joinPath } from "../io/file-source.js";

/** Where one model's files are, relative to a FileSource's root. */
export interface ModelLayout {
  readonly name: string;
  readonly config: string;
  readonly model: string;
  readonly tokenizer: string;
  readonly readme: string;
}

/** The layouts, relative to the model folder `base`, in the order they are tried. */
export function candidateLayouts(base: string): ModelLayout[] {
  const inBase = (file: string) => joinPath(base, file);
  return [
    { name: "model2vec", config: inBase("config.json"), model: inBase("model.safetensors"), tokenizer: inBase("tokenizer.json"), readme: inBase("README.md") },
    {
      name: "sentence-transformers",
      config: inBase("config_sentence_transformers.json"),
      model: inBase("model.safetensors"),
      tokenizer: inBase("tokenizer.json"),
      readme: inBase("README.md"),
    },
    {
      name: "0_StaticEmbedding",
      config: inBase("config_sentence_transformers.json"),
      model: inBase("0_StaticEmbedding/model.safetensors"),
      tokenizer: inBase("0_StaticEmbedding/tokenizer.json"),
      readme: inBase("README.md"),
    },
    {
      name: "0_StaticEmbedding with the config in its parent folder",
      config: joinPath(base, "..", "config_sentence_transformers.json"),
      model: inBase("model.safetensors"),
      tokenizer: inBase("tokenizer.json"),
      readme: joinPath(base, "..", "README.md"),
    },
  ];
}

/**
 * The first layout whose config, model and tokenizer files all exist, given a
 * way to tell whether a path exists.
 *
 * @param describe - How to name a path in the error.
 * @throws ModelFormatError listing every layout tried and the files it missed.
 */
export function chooseLayout(has: (path: string) => boolean, base: string, describe: (path: string) => string): ModelLayout {
  const tried: string[] = [];
  for (const layout of candidateLayouts(base)) {
    const missing = [layout.config, layout.model, layout.tokenizer].filter((file) => !has(file));
    if (missing.length === 0) return layout;
    tried.push(`  - ${layout.name}: missing ${missing.map(describe).join(", ")}`);
  }
  throw new ModelFormatError(`Could not find the model files in ${describe(base || ".")}. Tried these layouts:\n${tried.join("\n")}`);
}

/** {@link chooseLayout} over a FileSource. */
export async function findLayout(source: FileSource, base = ""): Promise<ModelLayout> {
  const files = [...new Set(candidateLayouts(base).flatMap((l) => [l.config, l.model, l.tokenizer]))];
  const present = new Set((await Promise.all(files.map(async (file) => ((await source.exists(file)) ? file : null)))).filter((f) => f !== null));
  return chooseLayout((path) => present.has(path), base, (path) => source.describe(path));
}
