/**
 * The on-disk layout of featurized data (tokenlearn's featurize output), Node-only:
 *
 * - `shard-NNNNN.safetensors`: one F32 tensor `embeddings` of shape [rows, dim];
 * - `shard-NNNNN.jsonl`: one `{"text": ...}` line per row, in the same order;
 * - `featurize.json`: the manifest (teacher, dim, options, and the complete shards).
 *
 * A shard exists for readers only once the manifest lists it: its two files are
 * written under temporary names and renamed into place, and the manifest (itself
 * replaced atomically) is updated after both.
 */
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Pooling } from "../distill/teacher.js";
import { InvalidInputError, ModelFormatError } from "../errors.js";
import { decodeFloat32, readSafetensors } from "../formats/safetensors.js";
import { writeSafetensors } from "../formats/safetensors-writer.js";
import { atomicWrite } from "../io/atomic-write.js";

export const MANIFEST_FILE = "featurize.json";
export const MANIFEST_FORMAT = "model2vec-featurize";
export const MANIFEST_VERSION = 1;
/** Name of the tensor each shard's safetensors file holds. */
export const EMBEDDINGS_TENSOR = "embeddings";

/** A complete shard, as the manifest lists it. */
export interface ShardEntry {
  /** The safetensors file (name inside the output folder). */
  readonly embeddings: string;
  /** The JSONL file of texts. */
  readonly texts: string;
  /** Rows in the shard. */
  readonly rows: number;
  /** Corpus texts consumed (in total, from the start) once this shard's last row was taken: where a resumed run starts reading. */
  readonly consumed: number;
}

/** featurize.json. */
export interface FeaturizeManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  /** The teacher's name. */
  readonly teacher: string;
  /** Width of every target vector. */
  readonly dim: number;
  /**
   * How targets were made: "inner-mean" (token outputs without the first and last,
   * averaged: tokenlearn's target) or the teacher's sentence pooling (e.g. "mean" for USE).
   */
  readonly pooling: Pooling;
  /** Tokens per text (with special tokens for "inner-mean"); longer texts were truncated, and stored truncated. */
  readonly maxLength: number;
  /** Rows per shard (the last shard may have fewer). */
  readonly shardSize: number;
  /** Texts per teacher call in the run that last wrote the folder. */
  readonly batchSize: number;
  /** The row limit of the run that last wrote the folder; null for none. */
  readonly maxRows: number | null;
  /** Rows in all complete shards. */
  readonly rows: number;
  /** Corpus texts consumed to make them (texts giving no tokens are dropped, so this may exceed `rows`). */
  readonly consumed: number;
  /** True once the run finished: the corpus ran out (`exhausted`) or `maxRows` was reached. */
  readonly complete: boolean;
  /** True when the corpus ran out: a resumed run has nothing left to read. */
  readonly exhausted: boolean;
  readonly shards: readonly ShardEntry[];
}

/** One shard's contents. */
export interface Shard {
  /** Index of the shard (0-based). */
  readonly index: number;
  readonly texts: string[];
  /** `texts.length × dim` values, row-major. */
  readonly embeddings: Float32Array;
  readonly dim: number;
}

/** The base name of shard `index`: `shard-00000`. */
export function shardName(index: number): string {
  return `shard-${String(index).padStart(5, "0")}`;
}

const SHARD_FILE = /^shard-\d{5,}\.(safetensors|jsonl)$/;
const TEMPORARY_FILE = /^(shard-\d{5,}\.(safetensors|jsonl)|featurize\.json)\.tmp-/;

/**
 * Reads and checks `outputDir/featurize.json`.
 *
 * @returns undefined when there is no manifest.
 * @throws ModelFormatError when it does not parse or is inconsistent.
 */
export async function readManifest(outputDir: string): Promise<FeaturizeManifest | undefined> {
  const path = join(outputDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ModelFormatError(`${path} could not be read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} does not parse: ${(error as Error).message}`, { cause: error });
  }
  return checkManifest(json, path);
}

function checkManifest(json: unknown, path: string): FeaturizeManifest {
  const fail = (what: string): never => {
    throw new ModelFormatError(`${path}: ${what}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("not a JSON object");
  const m = json as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) fail(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (m.version !== MANIFEST_VERSION) fail(`version ${JSON.stringify(m.version)} is not supported (expected ${MANIFEST_VERSION})`);
  const count = (name: string, minimum = 0): number => {
    const value = m[name];
    if (!(typeof value === "number" && Number.isSafeInteger(value) && value >= minimum)) fail(`${name} is ${JSON.stringify(value)}, expected an integer ≥ ${minimum}`);
    return value as number;
  };
  for (const name of ["dim", "maxLength", "shardSize", "batchSize"]) count(name, 1);
  count("rows");
  count("consumed");
  if (typeof m.teacher !== "string") fail("teacher is not a string");
  if (typeof m.pooling !== "string") fail("pooling is not a string");
  if (m.maxRows !== null) count("maxRows");
  if (typeof m.complete !== "boolean" || typeof m.exhausted !== "boolean") fail("complete and exhausted must be booleans");
  if (!Array.isArray(m.shards)) fail("shards is not an array");
  let rows = 0;
  let consumed = 0;
  (m.shards as unknown[]).forEach((entry, index) => {
    const e = entry as Partial<Record<keyof ShardEntry, unknown>> | null;
    const name = shardName(index);
    if (typeof e !== "object" || e === null) fail(`shards[${index}] is not an object`);
    if (e!.embeddings !== `${name}.safetensors` || e!.texts !== `${name}.jsonl`) {
      fail(`shards[${index}] names ${JSON.stringify(e!.embeddings)} and ${JSON.stringify(e!.texts)}, expected ${name}.safetensors and ${name}.jsonl`);
    }
    if (!(typeof e!.rows === "number" && Number.isSafeInteger(e!.rows) && e!.rows >= 1)) fail(`shards[${index}].rows is not a positive integer`);
    if (!(typeof e!.consumed === "number" && Number.isSafeInteger(e!.consumed) && e!.consumed >= consumed + (e!.rows as number))) {
      fail(`shards[${index}].consumed ${JSON.stringify(e!.consumed)} is smaller than the texts its rows need`);
    }
    rows += e!.rows as number;
    consumed = e!.consumed as number;
  });
  if (rows !== m.rows) fail(`rows is ${m.rows} but the shards hold ${rows}`);
  if ((m.consumed as number) < consumed) fail(`consumed is ${m.consumed} but the shards consumed ${consumed}`);
  return m as unknown as FeaturizeManifest;
}

/** Replaces `outputDir/featurize.json` atomically. */
export async function writeManifest(outputDir: string, manifest: FeaturizeManifest): Promise<void> {
  await atomicWrite(join(outputDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Writes shard `index` (both files, each atomically). The shard is not complete
 * until the manifest lists it.
 */
export async function writeShard(outputDir: string, index: number, texts: readonly string[], embeddings: Float32Array, dim: number): Promise<{ embeddings: string; texts: string }> {
  if (embeddings.length !== texts.length * dim) {
    throw new InvalidInputError(`shard ${index}: ${texts.length} texts need ${texts.length * dim} values, got ${embeddings.length}`);
  }
  const name = shardName(index);
  const bytes = writeSafetensors([{ name: EMBEDDINGS_TENSOR, dtype: "F32", shape: [texts.length, dim], data: embeddings }], {
    format: MANIFEST_FORMAT,
    texts: `${name}.jsonl`,
  });
  const lines = texts.map((text) => `${JSON.stringify({ text })}\n`).join("");
  await atomicWrite(join(outputDir, `${name}.jsonl`), lines);
  await atomicWrite(join(outputDir, `${name}.safetensors`), bytes);
  return { embeddings: `${name}.safetensors`, texts: `${name}.jsonl` };
}

/**
 * Removes what an interrupted run may have left in `outputDir`: temporary files,
 * and shard files the manifest does not list. Checks that the listed ones exist.
 * Only files named like shards or the manifest are touched.
 *
 * @throws ModelFormatError when a listed shard file is missing.
 */
export async function removeIncomplete(outputDir: string, manifest: FeaturizeManifest): Promise<string[]> {
  const listed = new Set(manifest.shards.flatMap((shard) => [shard.embeddings, shard.texts]));
  const removed: string[] = [];
  for (const file of await readdir(outputDir)) {
    if (TEMPORARY_FILE.test(file) || (SHARD_FILE.test(file) && !listed.has(file))) {
      await rm(join(outputDir, file), { force: true });
      removed.push(file);
    }
  }
  for (const file of listed) {
    try {
      if (!(await stat(join(outputDir, file))).isFile()) throw new Error("not a file");
    } catch (error) {
      throw new ModelFormatError(`${join(outputDir, MANIFEST_FILE)} lists ${file}, which is missing from ${outputDir}: the folder cannot be resumed or read`, {
        cause: error,
      });
    }
  }
  return removed;
}

/** Shard and temporary files in `outputDir` (to refuse a folder holding shards but no manifest). */
export async function shardFiles(outputDir: string): Promise<string[]> {
  try {
    return (await readdir(outputDir)).filter((file) => SHARD_FILE.test(file) || TEMPORARY_FILE.test(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * The complete shards of a featurized folder, in order, each read and checked:
 * the safetensors file must hold an `embeddings` tensor of shape [rows, dim] and
 * the JSONL file `rows` lines of `{"text": string}`, `rows` and `dim` as the manifest says.
 *
 * @throws ModelFormatError naming the file and what is wrong, or when there is no manifest.
 */
export async function* readShards(outputDir: string): AsyncGenerator<Shard, void, undefined> {
  const manifest = await readManifest(outputDir);
  if (!manifest) throw new ModelFormatError(`${outputDir} has no ${MANIFEST_FILE}: it is not a featurized folder`);
  for (const [index, entry] of manifest.shards.entries()) {
    yield await readShard(outputDir, index, entry, manifest.dim);
  }
}

/** All complete shards joined: every text and its target, in order. Holds the whole data set in memory. */
export async function readFeaturized(outputDir: string): Promise<{ texts: string[]; embeddings: Float32Array; dim: number }> {
  const manifest = await readManifest(outputDir);
  if (!manifest) throw new ModelFormatError(`${outputDir} has no ${MANIFEST_FILE}: it is not a featurized folder`);
  const texts: string[] = [];
  const embeddings = new Float32Array(manifest.rows * manifest.dim);
  for await (const shard of readShards(outputDir)) {
    embeddings.set(shard.embeddings, texts.length * manifest.dim);
    for (const text of shard.texts) texts.push(text);
  }
  return { texts, embeddings, dim: manifest.dim };
}

async function readShard(outputDir: string, index: number, entry: ShardEntry, dim: number): Promise<Shard> {
  const tensorPath = join(outputDir, entry.embeddings);
  const textPath = join(outputDir, entry.texts);
  const bytes = await readOrFail(tensorPath);
  const file = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), tensorPath);
  const tensor = file.tensors.get(EMBEDDINGS_TENSOR);
  if (!tensor) throw new ModelFormatError(`${tensorPath} has no "${EMBEDDINGS_TENSOR}" tensor (tensors: ${[...file.tensors.keys()].join(", ")})`);
  if (tensor.shape.length !== 2 || tensor.shape[0] !== entry.rows || tensor.shape[1] !== dim) {
    throw new ModelFormatError(`${tensorPath}: "${EMBEDDINGS_TENSOR}" has shape [${tensor.shape.join(", ")}]; the manifest says [${entry.rows}, ${dim}]`);
  }
  const embeddings = decodeFloat32(tensor);

  const lines = (await readOrFail(textPath)).toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length !== entry.rows) {
    throw new ModelFormatError(`${textPath} has ${lines.length} lines; the manifest and ${entry.embeddings} say ${entry.rows} rows`);
  }
  const texts = lines.map((line, i) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new ModelFormatError(`${textPath} line ${i + 1} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const text = (record as { text?: unknown } | null)?.text;
    if (typeof text !== "string") throw new ModelFormatError(`${textPath} line ${i + 1} has no string "text"`);
    return text;
  });
  return { index, texts, embeddings, dim };
}

async function readOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ModelFormatError(`${path} could not be read: ${(error as Error).message}`, { cause: error });
  }
}

