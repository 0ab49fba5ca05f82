import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/errors.js";
import { loadBeir } from "../../../src/evaluate/loaders/beir.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "model2vec-beir-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function beirFolder(name: string, corpus: string, queries: string, qrels: Record<string, string>): Promise<string> {
  const folder = join(dir, name);
  await mkdir(join(folder, "qrels"), { recursive: true });
  await writeFile(join(folder, "corpus.jsonl"), corpus);
  await writeFile(join(folder, "queries.jsonl"), queries);
  for (const [split, text] of Object.entries(qrels)) await writeFile(join(folder, "qrels", `${split}.tsv`), text);
  return folder;
}

const corpus = [
  '{"_id": "d1", "title": "Wings", "text": "Lift on a wing.", "metadata": {}}',
  '{"_id": "d2", "title": "", "text": "  No title here. "}',
  '{"_id": 3, "text": "Numeric id, no title key."}',
  "",
].join("\n");
const queries = ['{"_id": "q1", "text": "what gives lift"}', '{"_id": "q2", "text": "untitled"}', '{"_id": "q3", "text": "never judged"}', ""].join(
  "\n",
);

describe("loadBeir", () => {
  it("reads corpus, queries and qrels, joining title and text, keeping only judged queries", async () => {
    const folder = await beirFolder("basic", corpus, queries, {
      test: "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t3\t0\nq2\td2\t1\n",
      dev: "query-id\tcorpus-id\tscore\nq3\td1\t1\n",
    });
    const data = await loadBeir(folder);
    expect([...data.corpus]).toEqual([
      ["d1", "Wings Lift on a wing."],
      ["d2", "No title here."],
      ["3", "Numeric id, no title key."],
    ]);
    expect([...data.queries]).toEqual([
      ["q1", "what gives lift"],
      ["q2", "untitled"],
    ]);
    expect(data.qrels.get("q1")).toEqual(new Map([["d1", 2], ["3", 0]]));
    expect(data.qrels.get("q2")).toEqual(new Map([["d2", 1]]));

    const dev = await loadBeir(folder, { split: "dev" });
    expect([...dev.queries.keys()]).toEqual(["q3"]);
  });

  it("names the file and line of bad qrels, unknown queries and malformed JSON", async () => {
    const badScore = await beirFolder("bad-score", corpus, queries, { test: "query-id\tcorpus-id\tscore\nq1\td1\thigh\n" });
    await expect(loadBeir(badScore)).rejects.toThrow(`${join(badScore, "qrels", "test.tsv")}:2`);
    const unknown = await beirFolder("unknown", corpus, queries, { test: "query-id\tcorpus-id\tscore\nq1\td1\t1\nq9\td1\t1\n" });
    await expect(loadBeir(unknown)).rejects.toThrow(/test\.tsv:3: query id "q9" is not in/);
    const broken = await beirFolder("broken", corpus.replace('"_id": "d2"', '"_id": "d2",,'), queries, { test: "q1\td1\t1\n" });
    await expect(loadBeir(broken)).rejects.toThrow(`${join(broken, "corpus.jsonl")}:2: not valid JSON`);
    await expect(loadBeir(broken)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(loadBeir(join(dir, "absent"))).rejects.toThrow("cannot read");
  });
});
