/**
 * The records that deduplicate, filterOutliers and selectRepresentatives take: strings, or
 * objects whose named columns are strings. Exact copies (equal in every column) are grouped
 * first, as semhash does, so each distinct record is embedded once.
 */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import type { SearchEncoder } from "./types.js";
import { vectorCount, writeUnitRows } from "./vectors-input.js";

/** A record: a text, or an object whose compared columns hold texts. */
export type TextRecord = string | Readonly<Record<string, unknown>>;

/** Reports progress: `stage` "encode" counts distinct records embedded, "search" records compared. */
export type RecordsProgress = (progress: { stage: "encode" | "search"; done: number; total: number }) => void;

/** Records grouped by exact equality of their compared columns, in first-occurrence order. */
export interface GroupedRecords {
  /** The compared column names; `["text"]` for string records. */
  readonly columns: readonly string[];
  /** `texts[c][g]`: column `c` of group `g`. */
  readonly texts: readonly string[][];
  /** The exact key of each group (its column values as JSON). */
  readonly keys: readonly string[];
  /** The group of each record. */
  readonly groupOf: Int32Array;
  /** The first record of each group. */
  readonly firstOf: Int32Array;
}

/** Texts embedded per encode call, so progress can be shown while a large set is embedded. */
const ENCODE_CHUNK = 8192;

/**
 * Groups `records` by their `columns` (required for object records, not allowed for strings).
 *
 * @param what - Names the records in error messages, e.g. "deduplicate: records".
 * @throws InvalidInputError for mixed kinds, missing columns, or a column that is not a string.
 */
export function groupRecords(records: readonly TextRecord[], columns: readonly string[] | undefined, what: string): GroupedRecords {
  if (!Array.isArray(records)) throw new InvalidInputError(`${what} must be an array of strings or objects, got ${describe(records)}`);
  const strings = records.length === 0 || typeof records[0] === "string";
  if (strings && columns !== undefined && records.length > 0) {
    throw new InvalidInputError(`${what}: columns name fields of object records; these records are strings`);
  }
  if (!strings && (columns === undefined || !Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === "string"))) {
    throw new InvalidInputError(`${what}: object records need columns, a non-empty array of the field names to compare, got ${describe(columns)}`);
  }
  const names = strings ? ["text"] : [...columns!];
  const texts: string[][] = names.map(() => []);
  const keys: string[] = [];
  const groupOf = new Int32Array(records.length);
  const first: number[] = [];
  const groups = new Map<string, number>();
  records.forEach((record, i) => {
    const values = strings ? [stringRecord(record, i, what)] : objectColumns(record, i, names, what);
    const key = JSON.stringify(values);
    let group = groups.get(key);
    if (group === undefined) {
      group = keys.length;
      groups.set(key, group);
      keys.push(key);
      first.push(i);
      values.forEach((value, c) => texts[c]!.push(value));
    }
    groupOf[i] = group;
  });
  return { columns: names, texts, keys, groupOf, firstOf: Int32Array.from(first) };
}

/**
 * Embeds the texts of every column (`texts[c]`, the same count in each) with `encoder`, as
 * unit-length rows (a zero vector stays zero): one row-major Float32Array per column.
 */
export async function embedColumns(encoder: SearchEncoder, texts: readonly (readonly string[])[], onProgress?: RecordsProgress): Promise<Float32Array[]> {
  const dim = encoder.dim;
  const count = texts[0]?.length ?? 0;
  const total = count * texts.length;
  let done = 0;
  const out: Float32Array[] = [];
  for (const columnTexts of texts) {
    const vectors = new Float32Array(count * dim);
    for (let start = 0; start < count; start += ENCODE_CHUNK) {
      const chunk = columnTexts.slice(start, start + ENCODE_CHUNK);
      const encoded = await encoder.encode(chunk);
      if (vectorCount(encoded) !== chunk.length) {
        throw new InvalidInputError(`the model returned ${vectorCount(encoded)} vectors for ${chunk.length} texts`);
      }
      writeUnitRows(encoded, dim, vectors, start, "the model's vectors");
      done += chunk.length;
      onProgress?.({ stage: "encode", done, total });
    }
    out.push(vectors);
  }
  return out;
}

function stringRecord(record: unknown, i: number, what: string): string {
  if (typeof record !== "string") throw new InvalidInputError(`${what}: record ${i} is ${describe(record)}, but record 0 is a string; give all strings or all objects`);
  return record;
}

function objectColumns(record: unknown, i: number, columns: readonly string[], what: string): string[] {
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    throw new InvalidInputError(`${what}: record ${i} is ${describe(record)}, expected an object with the columns ${JSON.stringify(columns)}`);
  }
  return columns.map((column) => {
    const value = (record as Record<string, unknown>)[column];
    if (value === undefined) throw new InvalidInputError(`${what}: record ${i} has no column ${JSON.stringify(column)}`);
    if (typeof value !== "string") throw new InvalidInputError(`${what}: column ${JSON.stringify(column)} of record ${i} is ${describe(value)}, expected a string`);
    return value;
  });
}
