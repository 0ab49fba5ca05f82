/**
 * The folder layouts a static model can be stored in (REFERENCE §2), checked in
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
 * The first layout whose config, model and tokenizer files all exist.
 *
 * @throws ModelFormatError listing every layout tried and the files it missed.
 */
export async function findLayout(source: FileSource, base = ""): Promise<ModelLayout> {
  const tried: string[] = [];
  for (const layout of candidateLayouts(base)) {
    const files = [layout.config, layout.model, layout.tokenizer];
    const present = await Promise.all(files.map((file) => source.exists(file)));
    if (present.every(Boolean)) return layout;
    const missing = files.filter((_, i) => !present[i]).map((file) => source.describe(file));
    tried.push(`  - ${layout.name}: missing ${missing.join(", ")}`);
  }
  throw new ModelFormatError(
    `Could not find the model files in ${source.describe(base || ".")}. Tried these layouts:\n${tried.join("\n")}`,
  );
}
