/**
 * `model2vec evaluate` through the real argument parser in a child process, on a
 * tiny generated data folder (every built-in task, a handful of records each).
 */
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_TASK_NAMES } from "../../src/evaluate/index.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { cli } from "../fixtures/run-cli.js";
import { TINY_DATA_FILES, writeTinyData } from "../evaluate/tiny-data.js";

interface JsonBoard {
  tasks: string[];
  types: string[];
  rows: { model: string; average: number; byType: Record<string, number>; tasks: Record<string, number>; seconds: number }[];
}

let work: string;
let data: string;
let models: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "m2v-evaluate-cli-"));
  data = join(work, "data");
  await writeTinyData(data);
  const first = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 12, seed: 7 }), "model2vec");
  const second = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 12, seed: 8 }), "model2vec");
  // Long names: one that fits a line, one (a path over 80 characters) that cannot.
  models = [
    join(work, "a-static-model-distilled-from-a-teacher-with-a-long-name"),
    join(work, "models", "organisation-name", "another-static-model-with-an-even-longer-descriptive-name-v2"),
  ];
  await cp(first, models[0]!, { recursive: true });
  await mkdir(join(work, "models", "organisation-name"), { recursive: true });
  await cp(second, models[1]!, { recursive: true });
  await Promise.all([first, second].map((dir) => rm(dir, { recursive: true, force: true })));
  expect(models[1]!.length).toBeGreaterThan(80);
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** Fields of the table row whose label is `label` (after indentation). */
function rowOf(table: string, label: string): string[] {
  const line = table.split("\n").find((l) => l.trim().startsWith(`${label} `));
  expect(line, `a row "${label}"`).toBeDefined();
  return line!.trim().slice(label.length).trim().split(/\s+/);
}

describe("model2vec evaluate", () => {
  it("prints a leaderboard of at most 80 columns for every task and long model names, with the scores --format json gives", async () => {
    const [table, json] = await Promise.all([
      cli(["evaluate", ...models, "--data", data]),
      cli(["evaluate", ...models, "--data", data, "--format", "json"]),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines.filter((line) => line.length > 80)).toEqual([]);

    const board = JSON.parse(json.stdout) as JsonBoard;
    expect(board.tasks).toEqual([...BUILTIN_TASK_NAMES]);
    expect(board.rows.map((row) => row.model).sort()).toEqual([...models].sort());
    // The legend names each model in full (a long one wraps onto indented lines).
    const legend = table.stdout.replace(/\n +/g, "");
    board.rows.forEach((row, i) => expect(legend).toContain(`#${i + 1}  ${row.model}`));
    expect(rowOf(table.stdout, "Average")).toEqual(board.rows.map((row) => row.average.toFixed(2)));
    for (const type of board.types) expect(rowOf(table.stdout, type)).toEqual(board.rows.map((row) => row.byType[type]!.toFixed(2)));
    for (const task of board.tasks) expect(rowOf(table.stdout, task)).toEqual(board.rows.map((row) => row.tasks[task]!.toFixed(2)));
  });

  it("--format csv and markdown print the wide leaderboard, one row per model", async () => {
    const [csv, markdown] = await Promise.all([
      cli(["evaluate", models[0]!, "--data", data, "--tasks", "stsb,trec", "--format", "csv"]),
      cli(["evaluate", models[0]!, "--data", data, "--tasks", "stsb,trec", "--format", "markdown"]),
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(markdown.code, markdown.stderr).toBe(0);
    const csvLines = csv.stdout.trimEnd().split("\n");
    expect(csvLines[0]).toBe("Model,Average,classification,sts,stsb,trec,Time (s)");
    expect(csvLines).toHaveLength(2);
    const fields = csvLines[1]!.split(",");
    expect(fields[0]).toBe(models[0]);
    const [average, classification, sts, stsb, trec] = fields.slice(1, 6).map(Number);
    expect(sts).toBe(stsb);
    expect(classification).toBe(trec);
    expect(average).toBeCloseTo((stsb! + trec!) / 2, 10);

    const mdLines = markdown.stdout.trimEnd().split("\n");
    expect(mdLines[0]).toBe("| Model | Average | classification | sts | stsb | trec | Time (s) |");
    expect(mdLines[1]).toBe("|---|---:|---:|---:|---:|---:|---:|");
    expect(mdLines[2]).toMatch(new RegExp(`^\\| ${models[0]!.replaceAll("/", "\\/")} \\| ${average!.toFixed(2)} \\| ${trec!.toFixed(2)} \\| ${stsb!.toFixed(2)} \\| `));
  });

  it("over a partial data folder scores what it can, names each missing task and the file it looked for, and exits 0", async () => {
    const partial = join(work, "partial");
    await writeTinyData(partial);
    await rm(join(partial, "classification", "emotion"), { recursive: true });
    await rm(join(partial, "retrieval", "cranfield", "cranqrel"));
    const run = await cli(["evaluate", models[0]!, "--data", partial, "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const board = JSON.parse(run.stdout) as JsonBoard;
    expect(board.tasks).toEqual(BUILTIN_TASK_NAMES.filter((task) => task !== "emotion" && task !== "cranfield"));
    expect(run.stderr).toContain("skipping 2 of 8 tasks whose data is missing");
    expect(run.stderr).toContain(`emotion: ${join(partial, "classification", "emotion", "train.jsonl")}, ${join(partial, "classification", "emotion", "test.jsonl")}`);
    expect(run.stderr).toContain(`cranfield: ${join(partial, "retrieval", "cranfield", "cranqrel")}\n`);
  });

  it("exits 1, naming every task and the files it looked for, when no task has its data", async () => {
    const empty = join(work, "empty");
    await mkdir(empty, { recursive: true });
    const run = await cli(["evaluate", models[0]!, "--data", empty, "--tasks", "stsb,cranfield"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`error: no task has its data in ${empty}`);
    expect(run.stderr).toContain(`stsb: ${join(empty, "sts", "stsbenchmark", "sts-test.csv")}\n`);
    const cranfield = ["cran.all.1400", "cran.qry", "cranqrel"].map((file) => join(empty, "retrieval", "cranfield", file));
    expect(run.stderr).toContain(`cranfield: ${cranfield.join(", ")}\n`);
    expect(run.stderr).toContain("model2vec evaluate --help");
  });

  it("the progress bar names the task being evaluated", async () => {
    // stderr is a pipe here; the preload makes the CLI (and cli-progress) treat it as a 200-column terminal.
    const run = await cli(["evaluate", models[0]!, "--data", data], {
      env: { NODE_OPTIONS: "--import=data:text/javascript,process.stderr.isTTY=true;process.stderr.columns=200" },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`model 1/1: ${models[0]}\n`);
    const frames = run.stderr.split(/\x1b\[\d*[GK]/);
    BUILTIN_TASK_NAMES.forEach((task, done) => {
      expect(frames.some((frame) => frame.startsWith(`evaluating ${task} [`) && frame.includes(` | ${done}/8 tasks | `)), `a frame naming ${task}`).toBe(true);
    });
    expect(frames.some((frame) => frame.startsWith("evaluating [") && frame.includes(" | 8/8 tasks | "))).toBe(true);
  });

  it("--help documents the data folder: every file each built-in task reads", async () => {
    const run = await cli(["evaluate", "--help"]);
    expect(run.code).toBe(0);
    for (const file of Object.keys(TINY_DATA_FILES)) expect(run.stdout).toContain(file);
    expect(run.stdout).toMatch(/classification\/banking77\/test\.csv +banking77, banking77-clustering\n/);
    expect(run.stdout).toContain("--format <format>");
    expect(run.stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);
  });

  it("the README's evaluation section documents every file of the data folder", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("## Evaluation");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    for (const file of Object.keys(TINY_DATA_FILES)) expect(section).toContain(file);
  });
});
