/**
 * Finding a saved classifier's files in Node: a local folder, or a Hub
 * repository resolved through the shared cache (the model layout's files plus
 * head.safetensors and classifier_config.json when the repository has them).
 * Loaded lazily so the classifier itself stays free of `node:` imports.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelFormatError } from "../errors.js";
import { chooseLayout } from "../persistence/model-layout.js";
import { resolveHubFiles } from "../hub/resolve-files.js";
import type { HubLoadOptions } from "../persistence/resolve-model.js";
import { isDirectory } from "../io/node-file-source.js";
import { CLASSIFIER_CONFIG_FILE as CONFIG } from "./classifier-config.js";
import { HEAD_FILE as HEAD } from "./head-file.js";


export interface ClassifierFolder {
  /** The folder holding the model files. */
  folder: string;
  /** The parsed classifier config, or null for a plain model. */
  config: unknown;
  /** The head tensors file, or null. */
  head: Uint8Array | null;
}

export async function loadClassifierFolder(pathOrId: string, options: HubLoadOptions): Promise<ClassifierFolder> {
  let folder: string;
  if (await isDirectory(pathOrId)) {
    folder = pathOrId;
  } else {
    const resolved = await resolveHubFiles(
      pathOrId,
      (has) => {
        const layout = chooseLayout(has, options.subfolder ?? "", (path) => `${pathOrId}/${path}`);
        const extra = [CONFIG, HEAD].map((name) => (options.subfolder ? `${options.subfolder}/${name}` : name)).filter(has);
        return [layout.config, layout.model, layout.tokenizer, ...extra];
      },
      options,
    );
    folder = resolved.folder;
  }
  if (options.subfolder) folder = join(folder, options.subfolder);
  const configBytes = await readOptional(join(folder, CONFIG));
  const head = await readOptional(join(folder, HEAD));
  let config: unknown = null;
  if (configBytes !== null) {
    try {
      config = JSON.parse(new TextDecoder().decode(configBytes));
    } catch (error) {
      throw new ModelFormatError(`${join(folder, CONFIG)} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  return { folder, config, head };
}

async function readOptional(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
