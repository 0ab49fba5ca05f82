/**
 * Streams the texts of a featurization corpus, one at a time, from an iterable of
 * strings or from a file read line by line (a plain text file, or JSONL with a
 * text key; either may be gzip-compressed), so a large corpus is never held whole
 * in memory. Node-only.
 *
 * Empty texts (empty or whitespace only) are skipped everywhere; what remains is
 * deterministic for a given source, which resumable featurization relies on.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { InvalidInputError } from "../errors.js";

/** A corpus file: one text per non-empty line ("text"), or one JSON object per line ("jsonl"). */
export interface CorpusFile {
  /** The file; a `.gz` suffix means gzip-compressed. */
  readonly path: string;
  /** Default: "jsonl" for `.jsonl` / `.ndjson` (optionally `.gz`), otherwise "text". */
  readonly format?: "text" | "jsonl" | undefined;
  /** The field of each JSONL record holding its text; default "text". */
  readonly key?: string | undefined;
}

/** Where texts come from: strings (sync or async), or a file. */
export type CorpusSource = Iterable<string> | AsyncIterable<string> | CorpusFile;

export interface CorpusOptions {
  /** Stop after this many (non-empty) texts. */
  maxRows?: number | undefined;
}

/**
 * The non-empty texts of `source`, in order, at most `maxRows` of them.
 *
 * @throws InvalidInputError when an iterable yields a non-string, a JSONL line does
 *   not parse or its record has no string under the key (naming file and line),
 *   or `maxRows` is not a non-negative integer.
 */
export async function* readCorpus(source: CorpusSource, options: CorpusOptions = {}): AsyncGenerator<string, void, undefined> {
  const { maxRows } = options;
  if (maxRows !== undefined && !(Number.isSafeInteger(maxRows) && maxRows >= 0)) {
    throw new InvalidInputError(`maxRows must be a non-negative integer, got ${maxRows}`);
  }
  if (typeof source === "string") {
    throw new InvalidInputError("a corpus given as a string would be read character by character: pass { path } for a file, or an array of texts");
  }
  if (maxRows === 0) return;
  const texts = isCorpusFile(source)
    ? (source.format ?? formatOf(source.path)) === "jsonl"
      ? jsonlCorpus(source.path, source.key)
      : textFileCorpus(source.path)
    : iterableCorpus(source);
  let count = 0;
  for await (const text of texts) {
    yield text;
    if (maxRows !== undefined && ++count >= maxRows) return;
  }
}

/** The non-empty lines of a text file (a trailing "\r" is dropped), read as a stream. */
export async function* textFileCorpus(path: string): AsyncGenerator<string, void, undefined> {
  for await (const { line } of lines(path)) {
    if (!isEmpty(line)) yield line;
  }
}

/**
 * The texts of a JSONL file: `record[key]` of each non-blank line, read as a stream.
 * Records whose text is empty or null are skipped.
 */
export async function* jsonlCorpus(path: string, key = "text"): AsyncGenerator<string, void, undefined> {
  for await (const { line, number } of lines(path)) {
    if (isEmpty(line)) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError(`${path} line ${number} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new InvalidInputError(`${path} line ${number} is not a JSON object`);
    }
    if (!Object.hasOwn(record, key)) {
      throw new InvalidInputError(`${path} line ${number} has no ${JSON.stringify(key)} field (fields: ${Object.keys(record).join(", ")})`);
    }
    const text = (record as Record<string, unknown>)[key];
    if (text === null) continue;
    if (typeof text !== "string") {
      throw new InvalidInputError(`${path} line ${number}: field ${JSON.stringify(key)} is a ${typeof text}, not a string`);
    }
    if (!isEmpty(text)) yield text;
  }
}

async function* iterableCorpus(source: Iterable<string> | AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
  let index = 0;
  for await (const text of source as AsyncIterable<unknown>) {
    if (typeof text !== "string") throw new InvalidInputError(`corpus item ${index} is a ${text === null ? "null" : typeof text}, not a string`);
    index++;
    if (!isEmpty(text)) yield text;
  }
}

async function* lines(path: string): AsyncGenerator<{ line: string; number: number }, void, undefined> {
  const file = createReadStream(path);
  // Surface a missing file as a clear error before reading.
  await new Promise<void>((resolve, reject) => {
    file.once("open", () => resolve());
    file.once("error", (error) => reject(new InvalidInputError(`corpus file ${path} could not be read: ${error.message}`, { cause: error })));
  });
  let input: Readable = file;
  if (path.endsWith(".gz")) {
    input = file.pipe(createGunzip());
    file.once("error", (error) => input.destroy(error));
  }
  const reader = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of reader) {
      number++;
      yield { line: line.endsWith("\r") ? line.slice(0, -1) : line, number };
    }
  } catch (error) {
    throw new InvalidInputError(`corpus file ${path} could not be read: ${(error as Error).message}`, { cause: error });
  } finally {
    reader.close();
    input.destroy();
    file.destroy();
  }
}

function isCorpusFile(source: CorpusSource): source is CorpusFile {
  return typeof source === "object" && source !== null && typeof (source as Partial<CorpusFile>).path === "string" && !(Symbol.iterator in source) && !(Symbol.asyncIterator in source);
}

function formatOf(path: string): "text" | "jsonl" {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path) ? "jsonl" : "text";
}

function isEmpty(text: string): boolean {
  return text.trim().length === 0;
}
