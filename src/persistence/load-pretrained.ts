/**
 * `StaticModel.fromPretrained` in Node: an http(s) URL loads as `fromUrl` does;
 * a local folder when one exists, else a Hugging Face Hub id resolved through the
 * shared cache; then optional quantization. Gives the parts of the model, which
 * StaticModel wires. Loaded lazily so the core stays free of `node:` imports.
 */
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ModelFormatError } from "../errors.js";
import { resolveModelFolder } from "./resolve-model.js";
import { NodeFileSource } from "../io/node-file-source.js";
import { type ModelParts, quantizeParts } from "./model-parts.js";
import type { FromPretrainedOptions } from "./load-url.js";
import { modelPartsFromFiles, readModelFiles } from "./model-files.js";

export async function loadPretrained(
  pathOrId: string | undefined,
  subfolder: string,
  options: FromPretrainedOptions,
  init: { normalize?: boolean },
): Promise<ModelParts> {
  if (pathOrId !== undefined && /^https?:\/\//i.test(pathOrId)) {
    const { loadFromUrl } = await import("./load-url.js");
    return loadFromUrl(pathOrId, { ...options, subfolder, ...init });
  }
  if (pathOrId === undefined) pathOrId = await defaultModelFolder();
  const folder = await resolveModelFolder(pathOrId, { ...options, subfolder });
  const { files, names } = await readModelFiles(new NodeFileSource(folder), subfolder, (message) => process.emitWarning(message, "Model2VecWarning"));
  return quantizeParts({ ...modelPartsFromFiles(files, names), ...init }, options);
}

/** `models/default` of this package, found by walking up from this module (sources and builds sit at different depths). */
export async function defaultModelFolder(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "models", "default");
    try {
      await access(join(candidate, "config.json"));
      return candidate;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) throw new ModelFormatError("the bundled default model (models/default) is missing from this installation of model2vec");
      dir = parent;
    }
  }
}
