import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate, fileTask } from "../../src/evaluate/index.js";
import { InvalidInputError } from "../../src/index.js";
import { loadGenerated } from "../fixtures/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "m2v-file-task-"));
  await writeFile(join(dir, "pairs.tsv"), "a\tb\tscore\nhello world\thello world\t5\nthe fox\tquick dog\t1\nhello\tworld\t2\n");
  await writeFile(join(dir, "train.jsonl"), ['{"t":"hello world","y":"greet"}', '{"t":"the fox","y":"animal"}', '{"t":"hello there","y":"greet"}', '{"t":"brown dog","y":"animal"}'].join("\n"));
  await writeFile(join(dir, "dup.csv"), 'x,y,label\n"hello, world",hello world,1\nthe fox,static model,0\nbad,row,7\n');
  await mkdir(join(dir, "beir", "qrels"), { recursive: true });
  await writeFile(join(dir, "beir", "corpus.jsonl"), '{"_id":"d1","title":"","text":"hello world"}\n{"_id":"d2","title":"Fox","text":"the quick brown fox"}\n');
  await writeFile(join(dir, "beir", "queries.jsonl"), '{"_id":"q1","text":"fox"}\n');
  await writeFile(join(dir, "beir", "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td2\t1\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("fileTask", () => {
  const { model } = loadGenerated();

  it("loads STS, classification, clustering and retrieval data from files with column mappings", async () => {
    const sts = fileTask({ name: "sts", type: "sts", source: { path: join(dir, "pairs.tsv"), format: "tsv", columns: { sentence1: "a", sentence2: "b", score: "score" } } });
    expect(await sts.load(dir)).toEqual({ sentences1: ["hello world", "the fox", "hello"], sentences2: ["hello world", "quick dog", "world"], scores: [5, 1, 2] });
    const source = { path: join(dir, "train.jsonl"), format: "jsonl" as const, columns: { text: "t", label: "y" } };
    const classification = fileTask({ name: "cls", type: "classification", train: source, test: source });
    expect((await classification.load("/elsewhere")) as unknown).toMatchObject({ test: { labels: ["greet", "animal", "greet", "animal"] } });
    const retrieval = fileTask({ name: "ret", type: "retrieval", beir: join(dir, "beir") });
    const data = (await retrieval.load(dir)) as { corpus: Map<string, string> };
    expect(data.corpus.get("d2")).toBe("Fox the quick brown fox");

    const run = await evaluate(model, [sts, classification, retrieval, fileTask({ name: "clu", type: "clustering", source })], { dataDir: dir });
    expect(run.results.map((r) => [r.name, r.type])).toEqual([["sts", "sts"], ["cls", "classification"], ["ret", "retrieval"], ["clu", "clustering"]]);
    expect(run.results.find((r) => r.name === "ret")!.mainScore).toBeGreaterThan(0);
  });

  it("rejects pair labels other than 0 and 1, naming the file and record", async () => {
    const pairs = fileTask({ name: "p", type: "pair-classification", source: { path: join(dir, "dup.csv"), format: "csv", columns: { sentence1: "x", sentence2: "y", label: "label" } } });
    await expect(pairs.load(dir)).rejects.toThrow(new InvalidInputError(`${join(dir, "dup.csv")}: record 3 has label 7, expected 0 or 1`));
  });
});
