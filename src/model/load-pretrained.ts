/**
 * `StaticModel.fromPretrained` in Node: a local folder when one exists, else a
 * Hugging Face Hub id resolved through the shared cache; then optional
 * quantization. Loaded lazily so the core stays free of `node:` imports.
 */
import { resolveHubModel } from "../hub/resolve-model.js";
import { NodeFileSource, isDirectory } from "../io/node-file-source.js";
import { quantizeModel } from "../quantize/quantize-model.js";
import { modelInitFromFiles, readModelFiles } from "./model-files.js";
import { type FromPretrainedOptions, StaticModel } from "./static-model.js";

export async function loadPretrained(
  pathOrId: string,
  subfolder: string,
  options: FromPretrainedOptions,
  init: { normalize?: boolean },
): Promise<StaticModel> {
  const folder = (await isDirectory(pathOrId)) ? pathOrId : (await resolveHubModel(pathOrId, { ...options, subfolder })).folder;
  const { files, names } = await readModelFiles(new NodeFileSource(folder), subfolder);
  const model = new StaticModel({ ...modelInitFromFiles(files, names), ...init });
  const { quantizeTo, dimensionality, vocabularyQuantization, kmeans } = options;
  if (!quantizeTo && !dimensionality && !vocabularyQuantization) return model;
  return quantizeModel(model, { quantizeTo, dimensionality, vocabularyQuantization, kmeans });
}
