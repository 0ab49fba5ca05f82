/**
 * Tasks described by data, not code: a name, a type and where the data is (a
 * CSV/TSV/JSONL file with a column mapping, or a BEIR folder). Relative paths are
 * resolved against the `dataDir` passed to `evaluate`.
 *
 * ```ts
 * const task = fileTask({ name: "my-sts", type: "sts",
 *   source: { path: "pairs.tsv", format: "tsv", columns: { sentence1: 0, sentence2: 1, score: 2 } } });
 * ```
 */
import { isAbsolute, join } from "node:path";
import { InvalidInputError } from "../errors.js";
import type { TaskDefinition } from "./builtin-tasks.js";
import { type ColumnRef, type TableFormat, readTable } from "./loaders/delimited.js";
import { loadBeir } from "./loaders/beir.js";
import type { LabelledTexts } from "./types.js";

/** A table file and which columns hold which fields. */
export interface TableSource<K extends string> {
  path: string;
  format: TableFormat;
  columns: Record<K, ColumnRef>;
  /** CSV/TSV: whether the first line names the columns. Default true. */
  header?: boolean;
}

export type FileTaskSpec =
  | { name: string; type: "sts"; description?: string; source: TableSource<"sentence1" | "sentence2" | "score"> }
  | { name: string; type: "classification"; description?: string; train: TableSource<"text" | "label">; test: TableSource<"text" | "label"> }
  | { name: string; type: "clustering"; description?: string; source: TableSource<"text" | "label"> }
  | { name: string; type: "pair-classification"; description?: string; source: TableSource<"sentence1" | "sentence2" | "label"> }
  | { name: string; type: "retrieval"; description?: string; beir: string; split?: string };

/** Turns a declarative spec into a task `evaluate` runs. */
export function fileTask(spec: FileTaskSpec): TaskDefinition {
  const description = spec.description ?? `${spec.type} task from files`;
  switch (spec.type) {
    case "sts":
      return {
        name: spec.name,
        type: "sts",
        description,
        load: async (dataDir) => {
          const rows = await table(dataDir, spec.source);
          return { sentences1: rows.map((r) => text(r.sentence1)), sentences2: rows.map((r) => text(r.sentence2)), scores: rows.map((r, i) => number(r.score, spec.source.path, i)) };
        },
      };
    case "classification":
      return {
        name: spec.name,
        type: "classification",
        description,
        load: async (dataDir) => ({ train: labelled(await table(dataDir, spec.train)), test: labelled(await table(dataDir, spec.test)) }),
      };
    case "clustering":
      return { name: spec.name, type: "clustering", description, load: async (dataDir) => labelled(await table(dataDir, spec.source)) };
    case "pair-classification":
      return {
        name: spec.name,
        type: "pair-classification",
        description,
        load: async (dataDir) => {
          const rows = await table(dataDir, spec.source);
          const labels = rows.map((r, i) => {
            const label = number(r.label, spec.source.path, i);
            if (label !== 0 && label !== 1) throw new InvalidInputError(`${spec.source.path}: record ${i + 1} has label ${label}, expected 0 or 1`);
            return label as 0 | 1;
          });
          return { sentences1: rows.map((r) => text(r.sentence1)), sentences2: rows.map((r) => text(r.sentence2)), labels };
        },
      };
    case "retrieval":
      return { name: spec.name, type: "retrieval", description, load: (dataDir) => loadBeir(resolveIn(dataDir, spec.beir), { split: spec.split }) };
    default:
      throw new InvalidInputError(`fileTask: unknown type "${(spec as { type: string }).type}"`);
  }
}

function table<K extends string>(dataDir: string, source: TableSource<K>) {
  return readTable(resolveIn(dataDir, source.path), { format: source.format, columns: source.columns, header: source.header });
}

function resolveIn(dataDir: string, path: string): string {
  return isAbsolute(path) ? path : join(dataDir, path);
}

function labelled(rows: Record<"text" | "label", unknown>[]): LabelledTexts {
  return { texts: rows.map((r) => text(r.text)), labels: rows.map((r) => (typeof r.label === "number" ? r.label : text(r.label))) };
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function number(value: unknown, path: string, index: number): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new InvalidInputError(`${path}: record ${index + 1} has ${JSON.stringify(value)} where a number was expected`);
  return n;
}
