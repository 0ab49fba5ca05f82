/**
 * BEIR retrieval folders:
 *
 *     corpus.jsonl      {"_id": "d1", "title": "…", "text": "…"}   (title optional)
 *     queries.jsonl     {"_id": "q1", "text": "…"}
 *     qrels/<split>.tsv query-id<TAB>corpus-id<TAB>score, after a header line
 *
 * A document's text is `title + " " + text` when it has a non-empty title and `text`
 * otherwise, trimmed, as BEIR and MTEB embed it. Ids may be JSON strings or numbers
 * (kept as their decimal string). Only queries with at least one qrels line are kept
 * (BEIR's GenericDataLoader does the same); every qrels line is kept with its score,
 * zero included (a score > 0 counts as relevant).
 */
import { join } from "node:path";
import { InvalidInputError } from "../../errors.js";
import type { RetrievalData } from "../types.js";
import { parseDelimited, parseJsonLines } from "./delimited.js";
import { at, readText, type TextEncodingName } from "./text.js";

export interface BeirOptions {
  /** Which qrels file to read: `qrels/<split>.tsv`; default `"test"`. */
  split?: string | undefined;
  /** Default `"utf-8"`. */
  encoding?: TextEncodingName | undefined;
}

/** The files of a BEIR folder `loadBeir` reads: corpus, queries and the split's qrels (default split `"test"`). */
export function beirFiles(folder: string, split = "test"): [corpus: string, queries: string, qrels: string] {
  return [join(folder, "corpus.jsonl"), join(folder, "queries.jsonl"), join(folder, "qrels", `${split}.tsv`)];
}

/** Loads a BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`). */
export async function loadBeir(folder: string, options: BeirOptions = {}): Promise<RetrievalData> {
  const encoding = options.encoding ?? "utf-8";
  const [corpusPath, queriesPath, qrelsPath] = beirFiles(folder, options.split);

  const corpus = new Map<string, string>();
  for (const { value, line } of parseJsonLines(await readText(corpusPath, encoding), corpusPath)) {
    const object = asObject(value, corpusPath, line);
    const id = idOf(object, corpusPath, line);
    const text = optionalString(object, "text", corpusPath, line) ?? "";
    const title = optionalString(object, "title", corpusPath, line) ?? "";
    if (corpus.has(id)) throw new InvalidInputError(`${at(corpusPath, line)}: document id "${id}" appears twice`);
    corpus.set(id, (title.length > 0 ? `${title} ${text}` : text).trim());
  }

  const allQueries = new Map<string, string>();
  for (const { value, line } of parseJsonLines(await readText(queriesPath, encoding), queriesPath)) {
    const object = asObject(value, queriesPath, line);
    const id = idOf(object, queriesPath, line);
    const text = optionalString(object, "text", queriesPath, line);
    if (text === undefined) throw new InvalidInputError(`${at(queriesPath, line)}: query has no "text"`);
    if (allQueries.has(id)) throw new InvalidInputError(`${at(queriesPath, line)}: query id "${id}" appears twice`);
    allQueries.set(id, text.trim());
  }

  const qrels = new Map<string, Map<string, number>>();
  const rows = parseDelimited(await readText(qrelsPath, encoding), { delimiter: "\t", quoting: false, source: qrelsPath });
  for (const [k, row] of rows.entries()) {
    const [queryId, docId, scoreText] = row.fields.map((f) => f.trim());
    if (k === 0 && scoreText !== undefined && !isNumber(scoreText)) continue; // the header: query-id corpus-id score
    if (queryId === undefined || docId === undefined || scoreText === undefined || queryId === "" || docId === "") {
      throw new InvalidInputError(`${at(qrelsPath, row.line)}: expected query-id<TAB>corpus-id<TAB>score, got ${row.fields.length} field(s)`);
    }
    if (!isNumber(scoreText)) throw new InvalidInputError(`${at(qrelsPath, row.line)}: score ${JSON.stringify(scoreText)} is not a number`);
    if (!allQueries.has(queryId)) {
      throw new InvalidInputError(`${at(qrelsPath, row.line)}: query id "${queryId}" is not in ${queriesPath}`);
    }
    let judged = qrels.get(queryId);
    if (judged === undefined) qrels.set(queryId, (judged = new Map()));
    judged.set(docId, Number(scoreText));
  }

  const queries = new Map<string, string>();
  for (const [id, text] of allQueries) if (qrels.has(id)) queries.set(id, text);
  return { corpus, queries, qrels };
}

function isNumber(text: string): boolean {
  return text.trim() !== "" && Number.isFinite(Number(text));
}

function asObject(value: unknown, source: string, line: number): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidInputError(`${at(source, line)}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function idOf(object: Record<string, unknown>, source: string, line: number): string {
  const id = object["_id"];
  if (typeof id === "string" && id !== "") return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  throw new InvalidInputError(`${at(source, line)}: "_id" must be a non-empty string or a number, got ${JSON.stringify(id) ?? "nothing"}`);
}

function optionalString(object: Record<string, unknown>, key: string, source: string, line: number): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new InvalidInputError(`${at(source, line)}: "${key}" must be a string, got ${typeof value}`);
  return value;
}
