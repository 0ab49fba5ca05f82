/**
 * Where task data is looked for: built-in tasks in the data folder, fileTask paths
 * in the working directory; missing data is named (task and path) before any work.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_TASKS, BUILTIN_TASK_NAMES, evaluate, fileTask, findMissingData, type TaskDefinition } from "../../src/evaluate/index.js";
import { InvalidInputError } from "../../src/index.js";
import { TINY_DATA_FILES, writeTinyData } from "./tiny-data.js";

let work: string;
const cwd = process.cwd();
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "m2v-missing-data-"));
});
afterEach(() => process.chdir(cwd));
afterAll(() => rm(work, { recursive: true, force: true }));

/** Records every text it is asked to encode. */
function recordingEncoder() {
  const seen: string[] = [];
  const encode = async (texts: string[]) => {
    seen.push(...texts);
    return texts.map((t) => Float32Array.from([t.length, 1, (t.match(/o/g) ?? []).length]));
  };
  return { encode, seen };
}

describe("data files of the built-in tasks", () => {
  it("each built-in task lists the files it reads, and they are the files of the tiny data folder", () => {
    const listed = new Set(BUILTIN_TASK_NAMES.flatMap((name) => BUILTIN_TASKS[name]!.dataFiles ?? []));
    expect([...listed].sort()).toEqual(Object.keys(TINY_DATA_FILES).sort());
    expect(BUILTIN_TASKS["banking77-clustering"].dataFiles).toEqual(["classification/banking77/test.csv"]);
  });

  it("findMissingData names each task with a missing file and the paths it looked for; a folder in a file's place is missing", async () => {
    const data = join(work, "partial");
    await writeTinyData(data);
    await rm(join(data, "classification", "trec", "TREC_10.label"));
    await rm(join(data, "retrieval"), { recursive: true });
    await mkdir(join(data, "retrieval", "cranfield", "cranqrel"), { recursive: true });
    const custom: TaskDefinition = { name: "custom", type: "sts", description: "", load: async () => ({ sentences1: [], sentences2: [], scores: [] }) };
    const tasks = [...BUILTIN_TASK_NAMES.map((name) => BUILTIN_TASKS[name]!), custom];
    expect(await findMissingData(tasks, data)).toEqual([
      { task: "trec", files: [join(data, "classification", "trec", "TREC_10.label")] },
      { task: "cranfield", files: ["cran.all.1400", "cran.qry", "cranqrel"].map((file) => join(data, "retrieval", "cranfield", file)) },
    ]);
  });

  it("evaluate refuses a run with missing data before encoding anything, naming every missing task and path", async () => {
    const data = join(work, "only-sts");
    await writeTinyData(data);
    await rm(join(data, "classification"), { recursive: true });
    const { encode, seen } = recordingEncoder();
    const run = evaluate(encode, ["stsb", "sst2", "emotion"], { dataDir: data });
    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(run).rejects.toThrow(
      `missing data for 2 of 3 tasks (the expected layout is in the README and in "model2vec evaluate --help"):\n` +
        `  sst2: ${join(data, "classification", "sst2", "sentiment-train")}, ${join(data, "classification", "sst2", "sentiment-test")}\n` +
        `  emotion: ${join(data, "classification", "emotion", "train.jsonl")}, ${join(data, "classification", "emotion", "test.jsonl")}`,
    );
    expect(seen).toEqual([]);
  });
});

describe("fileTask paths", () => {
  it("resolve against the working directory, not the data folder", async () => {
    const project = join(work, "project");
    const data = join(work, "project-data");
    await mkdir(project, { recursive: true });
    await mkdir(data, { recursive: true });
    await writeFile(join(project, "pairs.tsv"), "s1\ts2\tscore\nhello world\thello world\t5\nthe fox\tquick dog\t1\nhello\tworld\t3\n");
    // A file of the same name in the data folder must not be read instead.
    await writeFile(join(data, "pairs.tsv"), "s1\ts2\tscore\nwrong\tfile\t1\n");
    process.chdir(project);
    const task = fileTask({ name: "my-sts", type: "sts", source: { path: "pairs.tsv", format: "tsv", columns: { sentence1: 0, sentence2: 1, score: 2 } } });
    expect(task.dataFiles).toEqual([join(project, "pairs.tsv")]);
    const { encode, seen } = recordingEncoder();
    const run = await evaluate(encode, [task], { dataDir: data });
    expect(new Set(seen)).toEqual(new Set(["hello world", "the fox", "quick dog", "hello", "world"]));
    expect(run.results.map((r) => r.name)).toEqual(["my-sts"]);
  });

  it("a missing file is named by its absolute path; a BEIR folder lists its three files", async () => {
    process.chdir(work);
    const sts = fileTask({ name: "gone", type: "sts", source: { path: "nope.tsv", format: "tsv", columns: { sentence1: 0, sentence2: 1, score: 2 } } });
    const beir = fileTask({ name: "beir", type: "retrieval", beir: "my-beir", split: "dev" });
    expect(beir.dataFiles).toEqual([join(work, "my-beir", "corpus.jsonl"), join(work, "my-beir", "queries.jsonl"), join(work, "my-beir", "qrels", "dev.tsv")]);
    const { encode } = recordingEncoder();
    await expect(evaluate(encode, [sts, beir])).rejects.toThrow(`  gone: ${join(work, "nope.tsv")}\n  beir: ${beir.dataFiles!.join(", ")}`);
  });
});
