/** `model2vec dedup`: near-duplicate lines of a JSONL file removed, with a report of what each duplicates. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Command, InvalidArgumentError } from "commander";
import { describe } from "../../describe.js";
import { InvalidInputError } from "../../errors.js";
import type { Duplicate } from "../../search/deduplicate.js";
import { contextOf, type CliContext, type ProgressBar } from "../context.js";
import { float32Json, writeOutput } from "../io.js";
import { loadModel } from "../load-model.js";
import { commaList } from "../options.js";

interface DedupCommandOptions {
  model?: string;
  threshold: number;
  column?: string[];
  reference?: string;
  output?: string;
  report?: string;
}

/** The lines of a JSONL file that hold records, and the compared texts of each. */
interface JsonlRecords {
  /** Each record's line as read (written back unchanged). */
  lines: string[];
  /** Its 1-based line number in the file. */
  lineNumbers: number[];
  /** Its compared texts: a string for one column, an object of the columns for several. */
  records: (string | Record<string, string>)[];
}

export function dedupCommand(): Command {
  return new Command("dedup")
    .summary("remove near-duplicate records from a JSONL file")
    .description(
      "Remove near-duplicate records from a JSONL file (one JSON object per line; \"-\" for stdin), keeping the first of each set in input order. Two records are duplicates when the cosine similarity of their embeddings reaches --threshold in every --column. Kept lines are written unchanged.",
    )
    .argument("<input>", 'JSONL file of records ("-" for stdin)')
    .option("-m, --model <idOrPath>", "model folder or Hugging Face Hub id (default: the bundled default model)")
    .option("-t, --threshold <similarity>", "cosine similarity from which records are duplicates, from -1 to 1", similarity, 0.9)
    .option("-c, --column <names>", 'the fields compared, comma-separated or repeated; dotted paths reach nested fields (default "text")', commaList)
    .option("--reference <path>", "a JSONL file to compare against instead (e.g. the training set): records matching one of its records are removed, and records are not compared with each other")
    .option("-o, --output <path>", "write the kept lines to this file instead of stdout")
    .option("-r, --report <path>", "write one JSON object per removed record: its line, the line it duplicates, the score, whether it is an exact copy, and both records")
    .addHelpText(
      "after",
      `
Examples:
  model2vec dedup in.jsonl --threshold 0.9 --column text --output out.jsonl --report dups.jsonl
  model2vec dedup test.jsonl --reference train.jsonl --column question,answer -o test-clean.jsonl
  cat in.jsonl | model2vec dedup - > out.jsonl`,
    )
    .action(async (input: string, options: DedupCommandOptions, command: Command) => {
      const context = contextOf(command);
      const started = performance.now();
      const columns = options.column ?? ["text"];
      if (columns.length === 0) throw new InvalidInputError("--column needs at least one field name");
      const data = await readJsonlRecords(input, columns);
      const reference = options.reference === undefined ? undefined : await readJsonlRecords(options.reference, columns);
      const model = await loadModel(options.model, context);
      const { deduplicate } = await import("../../search/deduplicate.js");
      const progress = progressBars(context);
      const result = await deduplicate(model, data.records, {
        threshold: options.threshold,
        ...(columns.length > 1 ? { columns } : {}),
        ...(reference === undefined ? {} : { reference: reference.records }),
        onProgress: progress.update,
      }).finally(progress.stop);
      await writeOutput(options.output, async (out) => {
        for (const index of result.selectedIndices) await out.write(`${data.lines[index]!}\n`);
      });
      if (options.report !== undefined) {
        await writeOutput(options.report, async (out) => {
          for (const duplicate of result.filtered) await out.write(`${reportLine(duplicate, data, reference ?? data)}\n`);
        });
      }
      const exact = result.filtered.filter((d) => d.exact).length;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      context.note(
        `kept ${result.selected.length} of ${data.records.length} records, removed ${result.filtered.length} (${exact} exact copies) at threshold ${options.threshold} in ${seconds} s`,
      );
    });
}

/** `--threshold`: a number from -1 to 1. */
function similarity(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= -1 && n <= 1)) {
    throw new InvalidArgumentError("expected a cosine similarity from -1 to 1.");
  }
  return n;
}

/**
 * Reads `path` ("-" for stdin) line by line; every non-blank line must be a JSON object whose
 * `columns` hold strings.
 *
 * @throws InvalidInputError naming the file and line of a line that is not JSON, not an object,
 *   or lacks a column or holds a non-string in one.
 */
async function readJsonlRecords(path: string, columns: readonly string[]): Promise<JsonlRecords> {
  const { at } = await import("../../evaluate/loaders/text.js");
  const { lookup } = await import("../../evaluate/loaders/delimited.js");
  const source = path === "-" ? "<stdin>" : path;
  const stream = path === "-" ? process.stdin : createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const out: JsonlRecords = { lines: [], lineNumbers: [], records: [] };
  let number = 0;
  for await (let line of lines) {
    number++;
    if (number === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === "") continue;
    const where = at(source, number);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new InvalidInputError(`${where}: expected a JSON object with ${columnNames(columns)}, got ${describe(value)}`);
    }
    const texts = columns.map((column) => {
      const text = lookup(value as object, column);
      if (text === undefined) throw new InvalidInputError(`${where}: no field "${column}" (set the compared fields with --column)`);
      if (typeof text !== "string") throw new InvalidInputError(`${where}: field "${column}" holds ${describe(text)}, expected a string`);
      return text;
    });
    out.lines.push(line);
    out.lineNumbers.push(number);
    out.records.push(texts.length === 1 ? texts[0]! : Object.fromEntries(columns.map((column, c) => [column, texts[c]!])));
  }
  return out;
}

function columnNames(columns: readonly string[]): string {
  return columns.length === 1 ? `the field "${columns[0]}"` : `the fields ${columns.map((c) => `"${c}"`).join(", ")}`;
}

/** One line of `--report`: line numbers, score, exactness, and both records as read. */
function reportLine(duplicate: Duplicate, data: JsonlRecords, target: JsonlRecords): string {
  const score = float32Json(Math.fround(duplicate.score), () => `the score of line ${data.lineNumbers[duplicate.index]}`);
  return (
    `{"line":${data.lineNumbers[duplicate.index]},"duplicateOfLine":${target.lineNumbers[duplicate.duplicateOfIndex]},` +
    `"score":${score},"exact":${duplicate.exact},"record":${data.lines[duplicate.index]},"duplicateOf":${target.lines[duplicate.duplicateOfIndex]}}`
  );
}

/** Bars for the two stages of deduplicate: embedding distinct records, then searching them. */
function progressBars(context: CliContext): { update: (p: { stage: "encode" | "search"; done: number; total: number }) => void; stop: () => void } {
  let stage = "";
  let bar: ProgressBar | null = null;
  return {
    update({ stage: next, done, total }) {
      if (next !== stage) {
        bar?.stop();
        stage = next;
        bar = context.bar(next === "encode" ? "embedding" : "searching", total, next === "encode" ? "texts" : "records");
      }
      bar!.update(done, total);
    },
    stop() {
      bar?.stop();
    },
  };
}
