/**
 * Reading USE-lite's TF.js graph-model folder: `model.json` (topology plus the
 * weights manifest) and its weight shards, concatenated in manifest order. Both
 * the TensorFlow.js path and the ONNX conversion start from here.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelFormatError } from "../errors.js";

/** One entry of a TF.js weights manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** A TF.js graph model as stored on disk. */
export interface TfjsGraphFiles {
  /** Path of model.json, for error messages. */
  modelPath: string;
  modelTopology: object;
  format: string;
  weightSpecs: TfjsWeightSpec[];
  /** All shards, concatenated in manifest order. */
  weightData: ArrayBuffer;
}

/**
 * Reads `model.json` and its shards from `root`.
 *
 * @throws ModelFormatError naming the file that is missing or not a TF.js graph model.
 */
export async function readTfjsGraphFiles(root: string): Promise<TfjsGraphFiles> {
  const modelPath = join(root, "model.json");
  const json = (await readJson(modelPath)) as { modelTopology?: unknown; weightsManifest?: unknown; format?: unknown };
  if (typeof json !== "object" || json === null || typeof json.modelTopology !== "object" || !Array.isArray(json.weightsManifest)) {
    throw new ModelFormatError(`${modelPath} is not a TF.js graph model (no modelTopology / weightsManifest)`);
  }
  const weightSpecs: TfjsWeightSpec[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest as { paths?: unknown; weights?: unknown }[]) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new ModelFormatError(`${modelPath}: a weightsManifest group lacks paths or weights`);
    }
    weightSpecs.push(...(group.weights as TfjsWeightSpec[]));
    for (const path of group.paths as string[]) {
      const shardPath = join(root, path);
      try {
        shards.push(await readFile(shardPath));
      } catch (error) {
        throw new ModelFormatError(`cannot read weight shard ${shardPath}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  const all = Buffer.concat(shards);
  return {
    modelPath,
    modelTopology: json.modelTopology as object,
    format: typeof json.format === "string" ? json.format : "graph-model",
    weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
  };
}

/** Reads and parses a JSON file, as ModelFormatError when it is missing or malformed. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ModelFormatError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelFormatError(`${path} does not parse as JSON: ${(error as Error).message}`, { cause: error });
  }
}
