/**
 * `train` on single- and multi-label files, and `predict` with what it saved:
 * the printed labels and probabilities are the classifier API's.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModelForClassification } from "../../src/train/index.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { expectClose } from "../fixtures/reference.js";
import { cli } from "../fixtures/run-cli.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const TEXTS = ["hello world", "the quick brown fox", "hello fox", ""];

let work: string;
let modelDir: string;
let singleDir: string;
let multiDir: string;
let multiData: string;

interface Prediction {
  label?: string;
  labels?: string[];
  probabilities: Record<string, number>;
}

function jsonLines(stdout: string): Prediction[] {
  return stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Prediction);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "m2v-predict-"));
  modelDir = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 16, seed: 11 }), "model2vec");
  const csv = ["text,label"];
  const jsonl: string[] = [];
  for (let i = 0; i < 12; i++) {
    csv.push(`hello world ${i % 2 ? "there" : "again"},greeting`, `the quick brown fox ${i % 2 ? "jumps" : "runs"},animal`);
    jsonl.push(
      JSON.stringify({ text: `hello world ${i}`, label: ["greeting"] }),
      JSON.stringify({ text: `the quick brown fox ${i}`, label: ["animal"] }),
      JSON.stringify({ text: `hello brown fox ${i}`, label: ["greeting", "animal"] }),
    );
  }
  const singleData = join(work, "single.csv");
  multiData = join(work, "multi.jsonl");
  await writeFile(singleData, `${csv.join("\n")}\n`);
  await writeFile(multiData, `${jsonl.join("\n")}\n`);
  singleDir = join(work, "single");
  multiDir = join(work, "multi");
  const [single, multi] = await Promise.all([
    cli(["train", singleData, singleDir, "--model", modelDir, "--max-epochs", "3", "--quiet"]),
    cli(["train", multiData, multiDir, "--model", modelDir, "--max-epochs", "3", "--quiet"]),
  ]);
  expect(single.code, single.stderr).toBe(0);
  expect(multi.code, multi.stderr).toBe(0);
  expect(single.stdout).toMatch(/^saved .*single \(2 classes, \d+ epochs, best \d+\)\n$/);
  expect(multi.stdout).toMatch(/^saved .*multi \(2 classes, multi-label, \d+ epochs, best \d+\)\n$/);
}, 120_000);

describe("train", () => {
  it("trains a multi-label classifier from JSONL rows whose label is a list", async () => {
    const classifier = await StaticModelForClassification.fromPretrained(multiDir);
    expect(classifier.multilabel).toBe(true);
    expect([...classifier.classes].sort()).toEqual(["animal", "greeting"]);
  });

  it("refuses a JSONL file that mixes lists and single labels, naming the line", async () => {
    const data = join(work, "mixed.jsonl");
    await writeFile(data, `${JSON.stringify({ text: "a", label: ["x"] })}\n${JSON.stringify({ text: "b", label: "y" })}\n`);
    const run = await cli(["train", data, join(work, "never"), "--model", modelDir, "--quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: ${data}:2: key "label" holds "y" but line 1's holds a list: give every row a list of labels (multi-label) or every row one label\n`,
    );
  });

  it("refuses a label that is neither a string, a number nor a list of them, naming the line", async () => {
    const data = join(work, "bad-label.jsonl");
    await writeFile(data, `${JSON.stringify({ text: "a", label: ["x", { y: 1 }] })}\n`);
    const run = await cli(["train", data, join(work, "never"), "--model", modelDir, "--quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ${data}:1: key "label" holds an object, expected a label (a string or a number) or a list of labels\n`);
  });
});

describe("predict", () => {
  it("single-label: one JSON object per text with the API's label and probabilities", async () => {
    const run = await cli(["predict", singleDir, ...TEXTS]);
    expect(run.code, run.stderr).toBe(0);
    const classifier = await StaticModelForClassification.fromPretrained(singleDir);
    const labels = classifier.predict(TEXTS);
    const proba = classifier.predictProba(TEXTS);
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => line.label)).toEqual(labels);
    const printed = lines.flatMap((line) => classifier.classes.map((name) => line.probabilities[String(name)]!));
    expectClose(Float32Array.from(printed), proba);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(["label", "probabilities"]);
  });

  it("multi-label: a list of labels per text, following --threshold", async () => {
    const classifier = await StaticModelForClassification.fromPretrained(multiDir);
    const [byDefault, all, none] = await Promise.all([
      cli(["predict", multiDir, ...TEXTS]),
      cli(["predict", multiDir, "--threshold", "0", ...TEXTS]),
      cli(["predict", multiDir, "--threshold", "1", ...TEXTS]),
    ]);
    for (const run of [byDefault, all, none]) expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(byDefault.stdout).map((line) => line.labels)).toEqual(classifier.predict(TEXTS));
    expect(jsonLines(all.stdout).map((line) => line.labels)).toEqual(TEXTS.map(() => classifier.classes));
    expect(jsonLines(none.stdout).map((line) => line.labels)).toEqual(TEXTS.map(() => []));
    const printed = jsonLines(byDefault.stdout).flatMap((line) => classifier.classes.map((name) => line.probabilities[String(name)]!));
    expectClose(Float32Array.from(printed), classifier.predictProba(TEXTS));
  });

  it("--format text prints one label per line, a multi-label classifier's joined by commas", async () => {
    const [single, multi] = await Promise.all([
      cli(["predict", singleDir, "--format", "text", ...TEXTS]),
      cli(["predict", multiDir, "--format", "text", "--threshold", "0", ...TEXTS]),
    ]);
    const classifier = await StaticModelForClassification.fromPretrained(singleDir);
    expect(single.stdout).toBe(`${classifier.predict(TEXTS).join("\n")}\n`);
    const classes = (await StaticModelForClassification.fromPretrained(multiDir)).classes.join(", ");
    expect(multi.stdout).toBe(`${TEXTS.map(() => classes).join("\n")}\n`);
  });

  it("reads texts from --file and from stdin", async () => {
    const file = join(work, "texts.txt");
    await writeFile(file, `${TEXTS.slice(0, 3).join("\n")}\n`);
    const [fromArgs, fromFile, fromStdin] = await Promise.all([
      cli(["predict", singleDir, ...TEXTS.slice(0, 3)]),
      cli(["predict", singleDir, "--file", file]),
      cli(["predict", singleDir], { input: TEXTS.slice(0, 3).join("\n") }),
    ]);
    expect(fromArgs.code, fromArgs.stderr).toBe(0);
    expect(jsonLines(fromArgs.stdout)).toHaveLength(3);
    expect(fromFile.stdout).toBe(fromArgs.stdout);
    expect(fromStdin.stdout).toBe(fromArgs.stdout);
  });

  it("refuses --threshold for a single-label classifier and a folder without a classifier (exit 2)", async () => {
    const [threshold, plain] = await Promise.all([cli(["predict", singleDir, "--threshold", "0.3", "x"]), cli(["predict", modelDir, "x"])]);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toBe("error: --threshold applies to multi-label classifiers; this one gives one label per text\n");
    expect(plain.code).toBe(2);
    expect(plain.stderr).toBe(`error: ${modelDir} holds a model but no classifier (no classifier_config.json): make one with "model2vec train"\n`);
  });
});
