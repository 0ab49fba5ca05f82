/**
 * A search index as files, the same in every runtime: `vectors.safetensors` (one F32 tensor
 * "vectors", rows × dim, unit-length rows) and `index.json` (format, version, dim, count, ids,
 * and texts and metadata when the index has them; a row without one is `null` there).
 */
import { IndexFormatError, ModelFormatError } from "../errors.js";
import { readSafetensors } from "../formats/safetensors.js";
import { writeSafetensors } from "../formats/safetensors-writer.js";
import type { IndexId, IndexRows } from "./types.js";

/** The file names of a saved index. */
export const INDEX_FILES = { vectors: "vectors.safetensors", json: "index.json" } as const;

const FORMAT = "model2vec-vector-index";
const VERSION = 1;

/** The files of `rows`. Metadata must be JSON-serialisable. */
export function indexToFiles(rows: IndexRows): Map<string, Uint8Array> {
  const count = rows.ids.length;
  const json: Record<string, unknown> = { format: FORMAT, version: VERSION, dim: rows.dim, count, ids: rows.ids };
  if (rows.texts !== undefined) json.texts = rows.texts.map((text) => text ?? null);
  if (rows.metadata !== undefined) json.metadata = rows.metadata.map((value) => value ?? null);
  const vectors = writeSafetensors([{ name: "vectors", dtype: "F32", shape: [count, rows.dim], data: rows.vectors }], { format: FORMAT });
  return new Map([
    [INDEX_FILES.vectors, vectors],
    [INDEX_FILES.json, new TextEncoder().encode(JSON.stringify(json))],
  ]);
}

/**
 * The rows in the files of a saved index.
 *
 * @param source - Where the files are, for error messages (a folder path, or "files").
 * @throws IndexFormatError when a file is missing, truncated, or disagrees with the other.
 */
export function indexFromFiles(files: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>, source: string): IndexRows {
  const file = (name: string): Uint8Array => {
    const bytes = files instanceof Map ? files.get(name) : (files as Readonly<Record<string, Uint8Array>>)[name];
    if (!(bytes instanceof Uint8Array)) throw new IndexFormatError(`${source}/${name} is missing (a saved index has ${INDEX_FILES.vectors} and ${INDEX_FILES.json})`);
    return bytes;
  };
  const jsonName = `${source}/${INDEX_FILES.json}`;
  const fail = (what: string): never => {
    throw new IndexFormatError(`${jsonName}: ${what}`);
  };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(file(INDEX_FILES.json))) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof IndexFormatError) throw error;
    throw new IndexFormatError(`${jsonName} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (json === null || typeof json !== "object" || json.format !== FORMAT) fail(`expected "format": "${FORMAT}"`);
  if (json.version !== VERSION) fail(`version ${JSON.stringify(json.version)} is not supported (this library reads version ${VERSION})`);
  const { dim, count, ids } = json;
  if (!Number.isSafeInteger(dim) || (dim as number) < 1) fail(`"dim" must be a positive integer, got ${JSON.stringify(dim)}`);
  if (!Number.isSafeInteger(count) || (count as number) < 0) fail(`"count" must be a non-negative integer, got ${JSON.stringify(count)}`);
  if (!Array.isArray(ids) || ids.length !== count) fail(`"ids" must be an array of ${count} ids`);
  const seen = new Set<IndexId>();
  for (const id of ids as unknown[]) {
    if (typeof id !== "string" && !(typeof id === "number" && Number.isFinite(id))) fail(`id ${JSON.stringify(id)} is not a string or a number`);
    if (seen.has(id as IndexId)) fail(`id ${JSON.stringify(id)} appears twice`);
    seen.add(id as IndexId);
  }
  const column = (name: "texts" | "metadata"): unknown[] | undefined => {
    const values = json[name];
    if (values === undefined) return undefined;
    if (!Array.isArray(values) || values.length !== count) fail(`"${name}" must be an array of ${count} entries`);
    return values as unknown[];
  };
  const texts = column("texts");
  if (texts?.some((text) => text !== null && typeof text !== "string")) fail(`"texts" must hold strings (or null)`);
  const metadata = column("metadata");

  const vectorsName = `${source}/${INDEX_FILES.vectors}`;
  let tensors;
  try {
    tensors = readSafetensors(file(INDEX_FILES.vectors), vectorsName).tensors;
  } catch (error) {
    if (error instanceof ModelFormatError) throw new IndexFormatError(error.message, { cause: error });
    throw error;
  }
  const tensor = tensors.get("vectors");
  if (tensor === undefined) throw new IndexFormatError(`${vectorsName}: no tensor named "vectors"`);
  if (tensor.dtype !== "F32" || tensor.shape.length !== 2 || tensor.shape[0] !== count || tensor.shape[1] !== dim) {
    throw new IndexFormatError(
      `${vectorsName}: "vectors" is ${tensor.dtype} ${JSON.stringify(tensor.shape)}, ${INDEX_FILES.json} says F32 [${count as number}, ${dim as number}]`,
    );
  }
  // Copied, so the rows are aligned whatever the file's offsets, and outlive the file's buffer.
  const vectors = new Float32Array((count as number) * (dim as number));
  new Uint8Array(vectors.buffer).set(tensor.bytes);
  return {
    dim: dim as number,
    vectors,
    ids: ids as IndexId[],
    texts: texts?.map((text) => (text === null ? undefined : (text as string))),
    metadata: metadata?.map((value) => (value === null ? undefined : value)),
  };
}
