import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/evaluate/evaluate.js";
import { leaderboard, summarize } from "../../src/evaluate/leaderboard.js";
import { formatLeaderboard } from "../../src/evaluate/leaderboard-format.js";
import { spearman } from "../../src/evaluate/metrics/correlation.js";
import type { TaskDefinition } from "../../src/evaluate/builtin-tasks.js";
import { InvalidInputError } from "../../src/index.js";
import { loadGenerated } from "../fixtures/index.js";

/** A toy encoder: each text becomes [length, number of vowels, 1], and every call is recorded. */
function toyEncoder() {
  const calls: string[][] = [];
  const encode = async (texts: string[]) => {
    calls.push(texts);
    return texts.map((t) => Float32Array.from([t.length, (t.match(/[aeiou]/g) ?? []).length, 1]));
  };
  return { encode, calls };
}

const sts: TaskDefinition = {
  name: "toy-sts",
  type: "sts",
  description: "lengths",
  load: async () => ({ sentences1: ["aa", "abcde", "a", "aaaa"], sentences2: ["aa", "a", "aaaaa", "aaa"], scores: [5, 1, 2, 4] }),
};
const pairs: TaskDefinition = {
  name: "toy-pairs",
  type: "pair-classification",
  description: "",
  load: async () => ({ sentences1: ["aa", "abcde", "aaaa", "b"], sentences2: ["aa", "a", "aaa", "bbbbbbbb"], labels: [1, 0, 1, 0] }),
};
const retrieval: TaskDefinition = {
  name: "toy-retrieval",
  type: "retrieval",
  description: "",
  load: async () => ({
    corpus: new Map([["d1", "aaaa"], ["d2", "bbbb"], ["d3", "abab"]]),
    queries: new Map([["q1", "aa"], ["q2", "bb"]]),
    qrels: new Map([["q1", new Map([["d1", 1]])], ["q2", new Map([["d2", 2], ["d3", 1]])]]),
  }),
};

describe("evaluate", () => {
  it("scores STS as Spearman of cosine × 100, caching repeated texts and reporting progress", async () => {
    const { encode, calls } = toyEncoder();
    const progress: string[] = [];
    const result = await evaluate(encode, [sts, pairs], { name: "toy", onProgress: (p) => progress.push(`${p.task}:${p.done}/${p.total}`) });
    const vector = (t: string) => [t.length, (t.match(/[aeiou]/g) ?? []).length, 1];
    const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
    const data = await sts.load("");
    const expected = 100 * spearman(data.scores as number[], (data as { sentences1: string[] }).sentences1.map((s, i) => cos(vector(s), vector((data as { sentences2: string[] }).sentences2[i]!))));
    expect(result.results[0]).toMatchObject({ name: "toy-sts", type: "sts" });
    expect(result.results[0]!.mainScore).toBeCloseTo(expected, 10);
    // "aa" appears in both tasks and twice in one: encoded once.
    expect(calls.flat().filter((t) => t === "aa")).toHaveLength(1);
    expect(progress).toEqual(["toy-sts:0/2", "toy-pairs:1/2", ":2/2"]);
    expect(result.model).toBe("toy");
  });

  it("pair classification takes the best average precision over similarity functions", async () => {
    const { encode } = toyEncoder();
    const { results } = await evaluate(encode, [pairs]);
    const { scores, mainScore } = results[0]!;
    expect(Object.keys(scores).sort()).toEqual(["cosineAP", "dotAP", "euclideanAP", "manhattanAP"]);
    expect(mainScore).toBe(Math.max(...Object.values(scores)));
    // Euclidean: the positives are the two closest pairs, so AP is perfect.
    expect(scores.euclideanAP).toBeCloseTo(100, 10);
  });

  it("retrieval reports nDCG@10 with MAP, recall and MRR at 10", async () => {
    const model = loadGenerated().model;
    const { results } = await evaluate(model, [retrieval]);
    expect(Object.keys(results[0]!.scores).sort()).toEqual(["mapAt10", "mrrAt10", "ndcgAt10", "recallAt10"]);
    // Three documents, all ranked: every relevant document is retrieved.
    expect(results[0]!.scores.recallAt10).toBeCloseTo(100, 10);
    expect(results[0]!.mainScore).toBe(results[0]!.scores.ndcgAt10);
  });

  it("aggregates per type and over tasks, and re-summarises saved results", async () => {
    const { encode } = toyEncoder();
    const run = await evaluate(encode, [sts, pairs], { name: "toy" });
    const saved = JSON.parse(JSON.stringify(run));
    const scores = run.results.map((r) => r.mainScore);
    expect(run.average).toBeCloseTo((scores[0]! + scores[1]!) / 2, 10);
    expect(run.byType).toEqual({ "pair-classification": scores[1], sts: scores[0] });
    expect(summarize(saved.results)).toEqual({ byType: run.byType, average: run.average });

    const other = { ...saved, model: "other", results: saved.results.map((r: { mainScore: number }) => ({ ...r, mainScore: r.mainScore / 2 })) };
    const board = leaderboard([other, saved]);
    expect(board.rows.map((r) => r.model)).toEqual(["toy", "other"]);
    expect(board.tasks).toEqual(["toy-sts", "toy-pairs"]);
    const table = formatLeaderboard(board);
    expect(table.split("\n")[0]).toMatch(/^Model\s+Average\s+pair-classification\s+sts\s+toy-sts\s+toy-pairs\s+Time \(s\)$/);
    expect(table).toContain(run.average.toFixed(2));
  });

  it("names unknown tasks and needs a data folder for built-in ones", async () => {
    const { encode } = toyEncoder();
    await expect(evaluate(encode, ["nope"])).rejects.toThrow(/unknown task "nope"; built-in tasks: stsb/);
    await expect(evaluate(encode, ["stsb"], { dataDir: undefined })).rejects.toThrow(InvalidInputError);
  });
});
