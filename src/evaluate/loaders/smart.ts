/**
 * SMART-format test collections (Cranfield, CISI, MED, CACM …).
 *
 * A record starts with a line `.I <id>`; each field starts with a marker line `.X`
 * (a dot and one capital letter, content on the following lines and optionally on
 * the marker line itself):
 *
 *     .I 1            .I 001
 *     .T              .W
 *     title …         query text …
 *     .A
 *     authors …
 *     .B
 *     bibliography …
 *     .W
 *     abstract …
 *
 * Cranfield (`cran.all.1400`: .T .A .B .W; `cran.qry`: .W) and CISI (`CISI.ALL`:
 * .T .A .W .X; `CISI.QRY`: .W, some with .T .A .B) share the layout. A marker for a
 * field the record already has is read as text of the field in progress: the Cranfield
 * file has three such stray markers inside abstracts (documents 240, 576 and 578).
 *
 * Relevance files are whitespace-separated lines `query-id doc-id [code …]`.
 * Query ids in them are either the queries' `.I` numbers (`queryIds: "field"`,
 * CISI) or the 1-based position of the query in the query file
 * (`queryIds: "sequential"`, Cranfield, whose `.I` numbers run 1, 2, 4, 8, … 365).
 * Numeric ids lose leading zeros (`.I 001` is id "1").
 */
import { InvalidInputError } from "../../errors.js";
import type { RetrievalData } from "../types.js";
import { at, readText, splitLines, type TextEncodingName } from "./text.js";

/** One SMART record: its `.I` id, its fields by letter, and the line of its `.I`. */
export interface SmartRecord {
  id: string;
  fields: Map<string, string>;
  line: number;
}

const MARKER = /^\.([A-Z])(?:[ \t]+(.*?))?[ \t]*$/;
const RECORD = /^\.I(?:[ \t]+(\S*))?[ \t]*$/;

/** Splits SMART text into records (field text keeps its line breaks; see `normalizeWhitespace`). */
export function parseSmart(text: string, source = "<text>"): SmartRecord[] {
  const records: SmartRecord[] = [];
  let current: SmartRecord | undefined;
  let field: string | undefined;
  const lines = splitLines(text);
  const append = (value: string): void => {
    const fields = current!.fields;
    const before = fields.get(field!);
    fields.set(field!, before === undefined || before === "" ? value : `${before}\n${value}`);
  };
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k]!;
    const line = k + 1;
    const record = RECORD.exec(raw);
    if (record !== null) {
      const id = record[1] ?? "";
      if (id === "") throw new InvalidInputError(`${at(source, line)}: ".I" without an id`);
      current = { id: normalizeId(id), fields: new Map(), line };
      records.push(current);
      field = undefined;
      continue;
    }
    const marker = MARKER.exec(raw);
    if (current === undefined) {
      if (raw.trim() === "") continue;
      throw new InvalidInputError(`${at(source, line)}: text before the first ".I" record`);
    }
    if (marker !== null && !(current.fields.has(marker[1]!) && field !== undefined)) {
      field = marker[1]!;
      current.fields.set(field, "");
      if (marker[2] !== undefined && marker[2] !== "") append(marker[2]);
      continue;
    }
    if (marker !== null) {
      // A repeated marker inside a record: its text continues the field in progress.
      if (marker[2] !== undefined && marker[2] !== "") append(marker[2]);
      continue;
    }
    if (field === undefined) {
      if (raw.trim() === "") continue;
      throw new InvalidInputError(`${at(source, line)}: text in record "${current.id}" before any field marker (.T, .W …)`);
    }
    append(raw);
  }
  return records;
}

/** Collapses runs of whitespace to one space and trims. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** "001" → "1"; other ids unchanged. */
function normalizeId(id: string): string {
  return /^\d+$/.test(id) ? String(Number(id)) : id;
}

/**
 * How relevance codes become graded gains (a gain ≤ 0 drops the pair):
 * - `"binary"`: every listed pair has gain 1 (CISI lists relevant pairs only).
 * - `"cranfield"`: the third column is Cleverdon's code, where LOWER is MORE relevant
 *   (1 complete answer, 2 high relevance, 3 useful, 4 minimal interest, 5 none, −1 none);
 *   gain = 5 − code for codes 1–4, so 1→4, 2→3, 3→2, 4→1; −1 and 5 are dropped.
 * - a function of the third column (`undefined` when absent) and the `file:line` it is on.
 */
export type SmartRelevance = "binary" | "cranfield" | ((code: number | undefined, where: string) => number);

export interface SmartOptions {
  /** The documents file (`cran.all.1400`, `CISI.ALL`). */
  documents: string;
  /** The queries file (`cran.qry`, `CISI.QRY`). */
  queries: string;
  /** The relevance file (`cranqrel`, `CISI.REL`). */
  qrels: string;
  /** What the relevance file's query ids refer to; default `"field"` (Cranfield needs `"sequential"`). */
  queryIds?: "sequential" | "field" | undefined;
  /** Default `"binary"`. */
  relevance?: SmartRelevance | undefined;
  /** Fields joined (space-separated, whitespace normalized) into a document's text; default `["T", "W"]`. */
  documentFields?: string[] | undefined;
  /** Fields joined into a query's text; default `["T", "W"]` (absent fields are skipped). */
  queryFields?: string[] | undefined;
  /** Default `"utf-8"`. */
  encoding?: TextEncodingName | undefined;
}

/**
 * Loads a SMART collection as RetrievalData. Document ids are the documents' `.I`
 * numbers; query ids are the positions ("1", "2", … in file order) with
 * `queryIds: "sequential"` and the `.I` numbers with `"field"`. Only queries with at
 * least one relevant document are kept. A relevance line naming an unknown query is
 * an error; one naming an unknown document is kept (it counts as relevant but can
 * never be retrieved).
 */
export async function loadSmart(options: SmartOptions): Promise<RetrievalData> {
  const encoding = options.encoding ?? "utf-8";
  const queryIds = options.queryIds ?? "field";
  if (queryIds !== "sequential" && queryIds !== "field") {
    throw new InvalidInputError(`queryIds must be "sequential" or "field", got ${JSON.stringify(queryIds)}`);
  }
  const gain = gainFunction(options.relevance ?? "binary");
  const documentFields = options.documentFields ?? ["T", "W"];
  const queryFields = options.queryFields ?? ["T", "W"];

  const corpus = new Map<string, string>();
  for (const record of parseSmart(await readText(options.documents, encoding), options.documents)) {
    if (corpus.has(record.id)) throw new InvalidInputError(`${at(options.documents, record.line)}: document id "${record.id}" appears twice`);
    corpus.set(record.id, textOf(record, documentFields));
  }

  const allQueries = new Map<string, string>();
  const queryRecords = parseSmart(await readText(options.queries, encoding), options.queries);
  for (const [index, record] of queryRecords.entries()) {
    const id = queryIds === "sequential" ? String(index + 1) : record.id;
    if (allQueries.has(id)) throw new InvalidInputError(`${at(options.queries, record.line)}: query id "${id}" appears twice`);
    allQueries.set(id, textOf(record, queryFields));
  }

  const qrels = new Map<string, Map<string, number>>();
  const lines = splitLines(await readText(options.qrels, encoding));
  for (let k = 0; k < lines.length; k++) {
    const parts = lines[k]!.trim().split(/\s+/);
    if (parts.length === 1 && parts[0] === "") continue;
    const where = at(options.qrels, k + 1);
    if (parts.length < 2) throw new InvalidInputError(`${where}: expected "query-id doc-id [relevance]", got ${JSON.stringify(lines[k])}`);
    const queryId = normalizeId(parts[0]!);
    const docId = normalizeId(parts[1]!);
    if (!allQueries.has(queryId)) {
      throw new InvalidInputError(
        `${where}: query "${queryId}" is not in ${options.queries} (${allQueries.size} queries, ids ${
          queryIds === "sequential" ? "taken as positions 1…" + allQueries.size : "taken from .I"
        }; is queryIds right?)`,
      );
    }
    let code: number | undefined;
    if (parts[2] !== undefined) {
      code = Number(parts[2]);
      if (!Number.isFinite(code)) throw new InvalidInputError(`${where}: relevance ${JSON.stringify(parts[2])} is not a number`);
    }
    const value = gain(code, where);
    if (!(value > 0)) continue;
    let judged = qrels.get(queryId);
    if (judged === undefined) qrels.set(queryId, (judged = new Map()));
    judged.set(docId, Math.max(value, judged.get(docId) ?? 0));
  }

  const queries = new Map<string, string>();
  for (const [id, text] of allQueries) if (qrels.has(id)) queries.set(id, text);
  return { corpus, queries, qrels };
}

function textOf(record: SmartRecord, fields: string[]): string {
  const parts: string[] = [];
  for (const name of fields) {
    const value = normalizeWhitespace(record.fields.get(name) ?? "");
    if (value !== "") parts.push(value);
  }
  return parts.join(" ");
}

function gainFunction(relevance: SmartRelevance): (code: number | undefined, where: string) => number {
  if (typeof relevance === "function") return relevance;
  if (relevance === "binary") return () => 1;
  if (relevance === "cranfield") {
    return (code, where) => {
      if (code === undefined) throw new InvalidInputError(`${where}: no relevance code (relevance: "cranfield" expects "query doc code")`);
      if (code === -1 || code === 5) return 0;
      if (Number.isInteger(code) && code >= 1 && code <= 4) return 5 - code;
      throw new InvalidInputError(`${where}: Cranfield relevance code ${code} is not 1–5 or −1`);
    };
  }
  throw new InvalidInputError(`relevance must be "binary", "cranfield" or a function, got ${JSON.stringify(relevance)}`);
}
