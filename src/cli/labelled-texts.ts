/**
 * The training data of `model2vec train`: texts and labels from a CSV, TSV or
 * JSONL file. In JSONL a label may be a list of labels (multi-label data), as
 * the classifier API takes them; every row then holds a list.
 */
import { InvalidInputError } from "../errors.js";
import type { ClassLabel, ClassifierLabels } from "../train/labels.js";

export interface LabelledTexts {
  texts: string[];
  labels: ClassifierLabels;
}

/** The names of the columns (CSV, TSV) or keys (JSONL, dotted paths allowed) holding the text and the label. */
export interface LabelColumns {
  text: string;
  label: string;
}

/** Reads `path` in `format`; errors name the file and line. */
export async function readLabelledTexts(path: string, format: "csv" | "tsv" | "jsonl", columns: LabelColumns): Promise<LabelledTexts> {
  const { readTable, parseJsonLines, lookup } = await import("../evaluate/loaders/delimited.js");
  if (format !== "jsonl") {
    const rows = await readTable(path, { format, columns: { text: columns.text, label: columns.label } });
    return { texts: rows.map((row) => row.text), labels: rows.map((row) => row.label) };
  }
  const { readText, at } = await import("../evaluate/loaders/text.js");
  const texts: string[] = [];
  const single: ClassLabel[] = [];
  const multi: ClassLabel[][] = [];
  let firstLine = 0;
  let multilabel: boolean | undefined;
  for (const { value, line } of parseJsonLines(await readText(path), path)) {
    const where = at(path, line);
    if (value === null || typeof value !== "object") throw new InvalidInputError(`${where}: expected a JSON object`);
    const text: unknown = lookup(value, columns.text);
    const label: unknown = lookup(value, columns.label);
    if (text === undefined) throw new InvalidInputError(`${where}: no key "${columns.text}" (the text)`);
    if (label === undefined) throw new InvalidInputError(`${where}: no key "${columns.label}" (the label)`);
    if (text !== null && typeof text === "object") throw new InvalidInputError(`${where}: key "${columns.text}" holds ${describe(text)}, expected a text`);
    texts.push(String(text ?? ""));
    if (firstLine === 0) firstLine = line;
    const isList = Array.isArray(label);
    multilabel ??= isList;
    if (isList !== multilabel) {
      throw new InvalidInputError(
        `${where}: key "${columns.label}" holds ${describe(label)} but line ${firstLine}'s holds ${isList ? "a single label" : "a list"}: give every row a list of labels (multi-label) or every row one label`,
      );
    }
    if (isList) multi.push(label.map((item: unknown) => classLabel(item, where, columns.label)));
    else single.push(classLabel(label, where, columns.label));
  }
  return { texts, labels: multilabel === true ? multi : single };
}

/** A label as the classifier takes it: a string or a finite number (a boolean as its text, "true" or "false"). */
function classLabel(value: unknown, where: string, key: string): ClassLabel {
  if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return value;
  if (typeof value === "boolean") return String(value);
  throw new InvalidInputError(`${where}: key "${key}" holds ${describe(value)}, expected a label (a string or a number) or a list of labels`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : JSON.stringify(value);
}
