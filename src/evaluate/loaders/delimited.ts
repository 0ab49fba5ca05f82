/**
 * Delimited text (CSV, TSV) and JSON Lines, and `readTable`, which maps their
 * columns or keys to named fields.
 *
 * CSV follows RFC 4180: fields may be quoted with `"`, a quote inside a quoted field
 * is written `""`, and quoted fields may hold delimiters and line breaks. Records
 * end at `\r\n`, `\n` or `\r`; a leading byte-order mark is dropped. TSV is read
 * without quoting by default: `"` is an ordinary character there (the STS Benchmark
 * and SST-2 files have unbalanced quotes inside sentences), and only tabs and line
 * breaks separate fields.
 *
 * Every error names the file, line and (where it helps) column: `file:line:column: …`.
 */
import { InvalidInputError } from "../../errors.js";
import { at, readText, stripBom, type TextEncodingName } from "./text.js";

/** One record of a delimited file and the 1-based line it starts on. */
export interface DelimitedRow {
  fields: string[];
  line: number;
}

export interface ParseDelimitedOptions {
  /** One character separating fields; default `","`. */
  delimiter?: string;
  /** Whether `"` quotes fields (RFC 4180); default true. */
  quoting?: boolean;
  /** Drop lines with nothing on them; default true. */
  skipEmptyLines?: boolean;
  /** How to name the text in errors (usually its path); default `"<text>"`. */
  source?: string;
}

/** Splits delimited text into records. */
export function parseDelimited(text: string, options: ParseDelimitedOptions = {}): DelimitedRow[] {
  const delimiter = options.delimiter ?? ",";
  const quoting = options.quoting ?? true;
  const skipEmptyLines = options.skipEmptyLines ?? true;
  const source = options.source ?? "<text>";
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new InvalidInputError(`delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  const d = delimiter.charCodeAt(0);
  const s = stripBom(text);
  const n = s.length;
  const rows: DelimitedRow[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  // Consumes a line break at i (if any), advancing the line counter.
  const endLine = (): void => {
    if (s.charCodeAt(i) === 13) {
      i++;
      if (i < n && s.charCodeAt(i) === 10) i++;
    } else if (s.charCodeAt(i) === 10) {
      i++;
    }
    line++;
    lineStart = i;
  };

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let quotedAny = false;
    for (;;) {
      let value: string;
      if (quoting && s.charCodeAt(i) === 34) {
        quotedAny = true;
        const openLine = line;
        const openColumn = i - lineStart + 1;
        i++;
        let chunkStart = i;
        value = "";
        for (;;) {
          if (i >= n) {
            throw new InvalidInputError(`${at(source, openLine, openColumn)}: quoted field is never closed`);
          }
          const c = s.charCodeAt(i);
          if (c === 34) {
            if (s.charCodeAt(i + 1) === 34) {
              value += s.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            value += s.slice(chunkStart, i);
            i++;
            break;
          }
          if (c === 10 || c === 13) {
            // A line break inside quotes belongs to the field; keep it as written.
            endLine();
            continue;
          }
          i++;
        }
        if (i < n) {
          const c = s.charCodeAt(i);
          if (c !== d && c !== 10 && c !== 13) {
            throw new InvalidInputError(
              `${at(source, line, i - lineStart + 1)}: unexpected ${JSON.stringify(s[i])} after a closing quote ` +
                `(a quote inside a quoted field is written "")`,
            );
          }
        }
      } else {
        const start = i;
        while (i < n) {
          const c = s.charCodeAt(i);
          if (c === d || c === 10 || c === 13) break;
          i++;
        }
        value = s.slice(start, i);
      }
      fields.push(value);
      if (i < n && s.charCodeAt(i) === d) {
        i++;
        continue;
      }
      if (i < n) endLine();
      break;
    }
    if (skipEmptyLines && !quotedAny && fields.length === 1 && fields[0] === "") continue;
    rows.push({ fields, line: startLine });
  }
  return rows;
}

/** One parsed line of a JSON Lines file and its 1-based line number. */
export interface JsonLine {
  value: unknown;
  line: number;
}

/** Parses JSON Lines: one JSON value per line; blank lines are skipped. A malformed line is an error naming it. */
export function parseJsonLines(text: string, source = "<text>"): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = stripBom(text).split(/\r\n|\n|\r/);
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k]!;
    if (raw.trim() === "") continue;
    try {
      out.push({ value: JSON.parse(raw), line: k + 1 });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidInputError(`${at(source, k + 1)}: not valid JSON (${reason})`, { cause: error });
    }
  }
  return out;
}

export type TableFormat = "csv" | "tsv" | "jsonl";

/** A column by header name or 0-based index; for JSONL a key (or dotted path, `"a.b"`) or an array index. */
export type ColumnRef = string | number;

/** What a JSONL key may hold for `readTable` (objects and arrays are rejected). */
export type JsonScalar = string | number | boolean | null;

/** The value type of a record field: strings for CSV/TSV, JSON scalars for JSONL. */
export type CellOf<F extends TableFormat> = F extends "jsonl" ? JsonScalar : string;

export interface ReadTableOptions<K extends string, F extends TableFormat> {
  format: F;
  /** Field name → column (header name or 0-based index) or JSONL key / dotted path. */
  columns: Record<K, ColumnRef>;
  /** CSV/TSV: whether the first record names the columns (default true). Ignored for JSONL. */
  header?: boolean | undefined;
  /** CSV/TSV: whether `"` quotes fields; default true for CSV, false for TSV. */
  quoting?: boolean | undefined;
  /** CSV/TSV: overrides the delimiter (default `,` for CSV, tab for TSV). */
  delimiter?: string | undefined;
  /** Default `"utf-8"`. */
  encoding?: TextEncodingName | undefined;
  /** Drop empty lines (default true). */
  skipEmptyLines?: boolean | undefined;
  /**
   * CSV/TSV: repair files written without quoting whose text contains line breaks.
   * A record with fewer fields than the table has columns is joined to the next
   * record, its last field and the next record's first field separated by `"\n"`.
   * The width is the header's length (or, without a header, one more than the largest
   * column index). Default false: a short record is an error.
   */
  joinShortRecords?: boolean | undefined;
}

/** The records `readTable` returns, with `lines[i]` the 1-based line where record `i` starts. */
export type TableRecords<K extends string, F extends TableFormat> = Record<K, CellOf<F>>[] & { lines: number[] };

/**
 * Reads a CSV, TSV or JSONL file into records with the fields named in `columns`.
 * Extra columns and keys are ignored; a missing one is an error naming the file and line.
 */
export async function readTable<K extends string, F extends TableFormat>(
  path: string,
  options: ReadTableOptions<K, F>,
): Promise<TableRecords<K, F>> {
  const text = await readText(path, options.encoding ?? "utf-8");
  return parseTable(text, path, options);
}

/** `readTable` on text already in memory (`source` names it in errors). */
export function parseTable<K extends string, F extends TableFormat>(
  text: string,
  source: string,
  options: ReadTableOptions<K, F>,
): TableRecords<K, F> {
  const names = Object.keys(options.columns) as K[];
  if (names.length === 0) throw new InvalidInputError(`${source}: readTable needs at least one column`);
  for (const name of names) {
    const ref = options.columns[name];
    if (typeof ref === "number" ? !(Number.isInteger(ref) && ref >= 0) : typeof ref !== "string" || ref === "") {
      throw new InvalidInputError(`column "${name}" must be a header name or a non-negative integer index, got ${JSON.stringify(ref)}`);
    }
  }
  if (options.format === "jsonl") return jsonTable(text, source, options.columns) as TableRecords<K, F>;
  if (options.format !== "csv" && options.format !== "tsv") {
    throw new InvalidInputError(`format must be "csv", "tsv" or "jsonl", got ${JSON.stringify(options.format)}`);
  }
  return delimitedTable(text, source, options) as TableRecords<K, F>;
}

function delimitedTable<K extends string>(
  text: string,
  source: string,
  options: ReadTableOptions<K, TableFormat>,
): TableRecords<K, "csv"> {
  const tsv = options.format === "tsv";
  let rows = parseDelimited(text, {
    delimiter: options.delimiter ?? (tsv ? "\t" : ","),
    quoting: options.quoting ?? !tsv,
    skipEmptyLines: options.skipEmptyLines ?? true,
    source,
  });
  const names = Object.keys(options.columns) as K[];
  const indices = new Map<K, number>();
  let width: number;
  if (options.header ?? true) {
    const head = rows[0];
    if (head === undefined) throw new InvalidInputError(`${source}: empty file, expected a header row`);
    rows = rows.slice(1);
    width = head.fields.length;
    for (const name of names) {
      const ref = options.columns[name];
      const index = typeof ref === "number" ? ref : head.fields.indexOf(ref);
      if (index < 0) {
        throw new InvalidInputError(
          `${at(source, head.line)}: no column named "${ref}" in the header (columns: ${head.fields.map((f) => JSON.stringify(f)).join(", ")})`,
        );
      }
      indices.set(name, index);
    }
  } else {
    for (const name of names) {
      const ref = options.columns[name];
      if (typeof ref !== "number") {
        throw new InvalidInputError(`${source}: column "${name}" is named "${ref}", but the table has no header; give an index`);
      }
      indices.set(name, ref);
    }
    width = Math.max(...indices.values()) + 1;
  }
  if (options.joinShortRecords) rows = joinShort(rows, width, source);
  const records = [] as unknown as TableRecords<K, "csv">;
  records.lines = [];
  for (const row of rows) {
    const record = {} as Record<K, string>;
    for (const name of names) {
      const index = indices.get(name)!;
      const value = row.fields[index];
      if (value === undefined) {
        throw new InvalidInputError(
          `${at(source, row.line)}: record has ${row.fields.length} field${row.fields.length === 1 ? "" : "s"}, ` +
            `column "${name}" (index ${index}) is missing`,
        );
      }
      record[name] = value;
    }
    records.push(record);
    records.lines.push(row.line);
  }
  return records;
}

function joinShort(rows: DelimitedRow[], width: number, source: string): DelimitedRow[] {
  const out: DelimitedRow[] = [];
  let pending: DelimitedRow | undefined;
  for (const row of rows) {
    let current = row;
    if (pending !== undefined) {
      const [first = "", ...rest] = row.fields;
      const head = pending.fields.slice(0, -1);
      const tail = pending.fields[pending.fields.length - 1] ?? "";
      current = { fields: [...head, `${tail}\n${first}`, ...rest], line: pending.line };
      pending = undefined;
    }
    if (current.fields.length < width) pending = current;
    else out.push(current);
  }
  if (pending !== undefined) {
    throw new InvalidInputError(`${at(source, pending.line)}: record has ${pending.fields.length} of ${width} fields at the end of the file`);
  }
  return out;
}

function jsonTable<K extends string>(text: string, source: string, columns: Record<K, ColumnRef>): TableRecords<K, "jsonl"> {
  const names = Object.keys(columns) as K[];
  const records = [] as unknown as TableRecords<K, "jsonl">;
  records.lines = [];
  for (const { value, line } of parseJsonLines(text, source)) {
    if (value === null || typeof value !== "object") {
      throw new InvalidInputError(`${at(source, line)}: expected a JSON object or array, got ${value === null ? "null" : typeof value}`);
    }
    const record = {} as Record<K, JsonScalar>;
    for (const name of names) {
      const ref = columns[name];
      const found = lookup(value, ref);
      if (found === undefined) {
        throw new InvalidInputError(`${at(source, line)}: no ${typeof ref === "number" ? `index ${ref}` : `key "${ref}"`} (field "${name}")`);
      }
      if (found !== null && typeof found === "object") {
        throw new InvalidInputError(
          `${at(source, line)}: ${typeof ref === "number" ? `index ${ref}` : `key "${ref}"`} holds ${Array.isArray(found) ? "an array" : "an object"}, expected a string, number, boolean or null`,
        );
      }
      record[name] = found as JsonScalar;
    }
    records.push(record);
    records.lines.push(line);
  }
  return records;
}

/** `ref` in a parsed JSON value: an array index, a key, or a dotted path (a literal key containing dots wins). */
export function lookup(value: object, ref: ColumnRef): unknown {
  if (typeof ref === "number") return Array.isArray(value) ? value[ref] : (value as Record<string, unknown>)[String(ref)];
  if (Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(object, ref)) return object[ref];
  if (!ref.includes(".")) return undefined;
  let current: unknown = object;
  for (const part of ref.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(part)) return undefined;
      current = current[Number(part)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
  }
  return current;
}
