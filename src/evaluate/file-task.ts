/**
 * Tasks described by data, not code: a name, a type and where the data is (a
 * CSV/TSV/JSONL file with a column mapping, or a BEIR folder). Relative paths are
 * resolved against the working directory when `fileTask` is called, as Node's file
 * functions do; the `dataDir` of `evaluate` is for the built-in tasks only.
 *
 * ```ts
 * const task = fileTask({ name: "my-sts", type: "sts",
 *   source: { path: "pairs.tsv", format: "tsv", columns: { sentence1: 0, sentence2: 1, score: 2 } } });
 * ```
 */
import { resolve } from "node:path";
import { InvalidInputError } from "../errors.js";
import type { TaskDefinition } from "./builtin-tasks.js";
import { type ColumnRef, type TableFormat, readTable } from "./loaders/delimited.js";
import { beirFiles, loadBeir } from "./loaders/beir.js";
import type { LabelledTexts } from "./types.js";

/** A table file and which columns hold which fields. */
export interface TableSource<K extends string> {
  /** The file; a relative path is resolved against the working directory. */
  path: string;
  format: TableFormat;
  columns: Record<K, ColumnRef>;
  /** CSV/TSV: whether the first line names the columns. Default true. */
  header?: boolean | undefined;
}

export type FileTaskSpec =
  | { name: string; type: "sts"; description?: string | undefined; source: TableSource<"sentence1" | "sentence2" | "score"> }
  | { name: string; type: "classification"; description?: string | undefined; train: TableSource<"text" | "label">; test: TableSource<"text" | "label"> }
  | { name: string; type: "clustering"; description?: string | undefined; source: TableSource<"text" | "label"> }
  | { name: string; type: "pair-classification"; description?: string | undefined; source: TableSource<"sentence1" | "sentence2" | "label"> }
  | { name: string; type: "retrieval"; description?: string | undefined; /** The BEIR folder (relative: to the working directory). */ beir: string; split?: string | undefined };

/** Turns a declarative spec into a task `evaluate` runs; its `dataFiles` are absolute paths. */
export function fileTask(spec: FileTaskSpec): TaskDefinition {
  const description = spec.description ?? `${spec.type} task from files`;
  switch (spec.type) {
    case "sts": {
      const source = resolved(spec.source);
      return {
        name: spec.name,
        type: "sts",
        description,
        dataFiles: [source.path],
        load: async () => {
          const rows = await table(source);
          return { sentences1: rows.map((r) => text(r.sentence1)), sentences2: rows.map((r) => text(r.sentence2)), scores: rows.map((r, i) => number(r.score, source.path, i)) };
        },
      };
    }
    case "classification": {
      const train = resolved(spec.train);
      const test = resolved(spec.test);
      return {
        name: spec.name,
        type: "classification",
        description,
        dataFiles: [...new Set([train.path, test.path])],
        load: async () => ({ train: labelled(await table(train)), test: labelled(await table(test)) }),
      };
    }
    case "clustering": {
      const source = resolved(spec.source);
      return { name: spec.name, type: "clustering", description, dataFiles: [source.path], load: async () => labelled(await table(source)) };
    }
    case "pair-classification": {
      const source = resolved(spec.source);
      return {
        name: spec.name,
        type: "pair-classification",
        description,
        dataFiles: [source.path],
        load: async () => {
          const rows = await table(source);
          const labels = rows.map((r, i) => {
            const label = number(r.label, source.path, i);
            if (label !== 0 && label !== 1) throw new InvalidInputError(`${source.path}: record ${i + 1} has label ${label}, expected 0 or 1`);
            return label as 0 | 1;
          });
          return { sentences1: rows.map((r) => text(r.sentence1)), sentences2: rows.map((r) => text(r.sentence2)), labels };
        },
      };
    }
    case "retrieval": {
      const folder = resolve(spec.beir);
      return { name: spec.name, type: "retrieval", description, dataFiles: beirFiles(folder, spec.split), load: () => loadBeir(folder, { split: spec.split }) };
    }
    default:
      throw new InvalidInputError(`fileTask: unknown type "${(spec as { type: string }).type}"`);
  }
}

/** `source` with its path made absolute (against the working directory). */
function resolved<K extends string>(source: TableSource<K>): TableSource<K> {
  return { ...source, path: resolve(source.path) };
}

function table<K extends string>(source: TableSource<K>) {
  return readTable(source.path, { format: source.format, columns: source.columns, header: source.header });
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
