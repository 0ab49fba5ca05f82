/**
 * `model2vec dedup` through the real argument parser in a child process: the kept lines and the
 * report are the `deduplicate` API's answer (tested against brute force in test/search), written
 * atomically; bad input names the line and leaves no output.
 */
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { deduplicate } from "../../src/search/deduplicate.js";
import { mulberry32 } from "../fixtures/random.js";
import { cli } from "../fixtures/run-cli.js";
import { WORDS } from "../fixtures/words.js";

let work: string;
let input: string;
let lines: string[];
let texts: string[];

/** Sentences of random words, with near-copies (one word dropped or changed) and exact copies mixed in. */
function plantedSentences(count: number, seed: number): string[] {
  const next = mulberry32(seed);
  const pick = () => WORDS[Math.floor(next() * WORDS.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    if (i > 20 && roll < 0.25) {
      const words = out[Math.floor(next() * out.length)]!.split(" ");
      words[Math.floor(next() * words.length)] = next() < 0.5 ? "" : pick();
      out.push(words.filter(Boolean).join(" "));
    } else if (i > 20 && roll < 0.3) {
      out.push(out[Math.floor(next() * out.length)]!);
    } else {
      out.push(Array.from({ length: 6 + Math.floor(next() * 10) }, pick).join(" "));
    }
  }
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "m2v-dedup-"));
  texts = plantedSentences(300, 3);
  // Extra fields and key order are kept as written: the output holds the lines unchanged.
  lines = texts.map((text, i) => (i % 2 ? JSON.stringify({ id: i, text }) : `{"text": ${JSON.stringify(text)},  "id": ${i}}`));
  input = join(work, "in.jsonl");
  await writeFile(input, `${lines.slice(0, 150).join("\n")}\n\n${lines.slice(150).join("\r\n")}\n`);
});

/** Input line numbers: the blank line after record 150 shifts the rest by one. */
const lineOf = (index: number) => (index < 150 ? index + 1 : index + 2);

describe("model2vec dedup", () => {
  it("writes the kept lines unchanged and a report that match the deduplicate API, with a summary", async () => {
    const output = join(work, "out.jsonl");
    const report = join(work, "dups.jsonl");
    const run = await cli(["dedup", input, "--threshold", "0.9", "--column", "text", "--output", output, "--report", report]);
    expect(run.code, run.stderr).toBe(0);
    const expected = await deduplicate(await StaticModel.fromPretrained(), texts, { threshold: 0.9 });
    expect(expected.filtered.filter((d) => d.exact).length).toBeGreaterThan(5);
    expect(expected.filtered.filter((d) => !d.exact).length).toBeGreaterThan(20);
    expect(await readFile(output, "utf8")).toBe(expected.selectedIndices.map((i) => `${lines[i]}\n`).join(""));
    // Scores are printed as the shortest decimal of their float32.
    const reported = (await readFile(report, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { score: number })
      .map((entry) => ({ ...entry, score: Math.fround(entry.score) }));
    expect(reported).toEqual(
      expected.filtered.map((d) => ({
        line: lineOf(d.index),
        duplicateOfLine: lineOf(d.duplicateOfIndex),
        score: Math.fround(d.score),
        exact: d.exact,
        record: JSON.parse(lines[d.index]!),
        duplicateOf: JSON.parse(lines[d.duplicateOfIndex]!),
      })),
    );
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      new RegExp(`^kept ${expected.selected.length} of 300 records, removed ${expected.filtered.length} \\(\\d+ exact copies\\) at threshold 0\\.9 in \\d+\\.\\d s\\n$`),
    );
    expect((await readdir(work)).filter((name) => name.includes(".tmp-"))).toEqual([]);
  }, 60_000);

  it("reads stdin and writes stdout; --quiet hides the summary", async () => {
    const run = await cli(["dedup", "-", "--threshold", "0.8", "--quiet"], { input: `${lines.join("\n")}\n` });
    expect(run.code, run.stderr).toBe(0);
    const expected = await deduplicate(await StaticModel.fromPretrained(), texts, { threshold: 0.8 });
    expect(run.stdout).toBe(expected.selectedIndices.map((i) => `${lines[i]}\n`).join(""));
    expect(run.stderr).toBe("");
  }, 60_000);

  it("compares several columns, all of which must match", async () => {
    const records = [
      { q: "the quick brown fox jumps over the lazy dog", a: "hello world" },
      { q: "the quick brown fox jumps over a lazy dog", a: "static embeddings model" }, // q matches, a does not
      { q: "the quick brown fox jumps over the lazy dog", a: "hello world again" }, // both match record 1
    ];
    const run = await cli(["dedup", "-", "--column", "q,a", "--quiet"], { input: records.map((r) => JSON.stringify(r)).join("\n") });
    expect(run.code, run.stderr).toBe(0);
    const expected = await deduplicate(await StaticModel.fromPretrained(), records, { columns: ["q", "a"] });
    expect(expected.selectedIndices).toEqual([0, 1]);
    expect(run.stdout).toBe(`${JSON.stringify(records[0])}\n${JSON.stringify(records[1])}\n`);
  }, 60_000);

  it("with --reference, removes the records that match the reference file", async () => {
    const reference = join(work, "train.jsonl");
    await writeFile(reference, `${lines.slice(0, 100).join("\n")}\n`);
    const test = join(work, "test.jsonl");
    await writeFile(test, `${lines.slice(100).join("\n")}\n`);
    const report = join(work, "leaks.jsonl");
    const run = await cli(["dedup", test, "--reference", reference, "--report", report, "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    const expected = await deduplicate(await StaticModel.fromPretrained(), texts.slice(100), { reference: texts.slice(0, 100) });
    expect(expected.filtered.length).toBeGreaterThan(5);
    expect(run.stdout).toBe(expected.selectedIndices.map((i) => `${lines[100 + i]}\n`).join(""));
    const reported = (await readFile(report, "utf8")).trimEnd().split("\n").map((line) => JSON.parse(line) as { line: number; duplicateOfLine: number });
    expect(reported.map((r) => [r.line, r.duplicateOfLine])).toEqual(expected.filtered.map((d) => [d.index + 1, d.duplicateOfIndex + 1]));
  }, 60_000);

  it("names the file and line of bad input, exits 1 and leaves an existing output as it was", async () => {
    const output = join(work, "kept.jsonl");
    await writeFile(output, "earlier contents\n");
    const cases: [string, string][] = [
      ['{"text": "a"}\n{"text": "b"\n', "bad.jsonl:2: not valid JSON ("],
      ['{"text": "a"}\n\n[1, 2]\n', "bad.jsonl:3: expected a JSON object with the field \"text\", got an array"],
      ['{"text": "a"}\n{"body": "b"}\n', 'bad.jsonl:2: no field "text" (set the compared fields with --column)'],
      ['{"text": 3}\n', 'bad.jsonl:1: field "text" holds number 3, expected a string'],
    ];
    for (const [contents, message] of cases) {
      const bad = join(work, "bad.jsonl");
      await writeFile(bad, contents);
      const run = await cli(["dedup", bad, "--output", output]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toMatch(/^error: /);
      expect(await readFile(output, "utf8")).toBe("earlier contents\n");
    }
    expect((await readdir(work)).filter((name) => name.includes(".tmp-"))).toEqual([]);
  }, 60_000);

  it("rejects a threshold outside [-1, 1] and a missing input as usage errors (exit 2)", async () => {
    const threshold = await cli(["dedup", input, "--threshold", "1.5"]);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain("expected a cosine similarity from -1 to 1");
    const missing = await cli(["dedup"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'input'");
  });

  it("draws embedding and search progress bars on a terminal", async () => {
    const run = await cli(["dedup", input, "--output", join(work, "tty.jsonl")], {
      env: { NODE_OPTIONS: "--import=data:text/javascript,process.stderr.isTTY=true;process.stderr.columns=200" },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("embedding [");
    expect(run.stderr).toContain("searching [");
    expect(run.stderr).toMatch(/kept \d+ of 300 records/);
  }, 60_000);
});
