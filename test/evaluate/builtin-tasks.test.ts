import { describe, expect, it } from "vitest";
import { BUILTIN_TASK_NAMES, BUILTIN_TASKS, type TaskDefinition } from "../../src/evaluate/builtin-tasks.js";
import type { LabelledTexts } from "../../src/evaluate/types.js";
import { sharedPath } from "../shared.js";

const data = sharedPath("data");
const dataDir = data.path;

function classes(split: LabelledTexts): number {
  return new Set(split.labels).size;
}

function expectClean(split: LabelledTexts): void {
  expect(split.labels).toHaveLength(split.texts.length);
  expect(split.texts.filter((text) => text !== text.trim() || text === "")).toEqual([]);
}

describe("built-in task registry", () => {
  it("names every task, each with a matching type and a loader", () => {
    expect(BUILTIN_TASK_NAMES).toEqual(["stsb", "sst2", "trec", "banking77", "emotion", "banking77-clustering", "stsb-pairs", "cranfield"]);
    const types: Record<string, TaskDefinition["type"]> = {
      stsb: "sts",
      sst2: "classification",
      trec: "classification",
      banking77: "classification",
      emotion: "classification",
      "banking77-clustering": "clustering",
      "stsb-pairs": "pair-classification",
      cranfield: "retrieval",
    };
    for (const [name, task] of Object.entries(BUILTIN_TASKS)) {
      expect(task.name).toBe(name);
      expect(task.type).toBe(types[name]);
      expect(task.description.length).toBeGreaterThan(10);
      expect(typeof task.load).toBe("function");
    }
    expect(Object.isFrozen(BUILTIN_TASKS)).toBe(true);
  });
});

describe.skipIf(!data.available)(`built-in tasks on ${dataDir}`, () => {
  it("stsb: the 1379 STS-B test pairs, scores 0–5", async () => {
    const sts = await BUILTIN_TASKS.stsb.load(dataDir);
    expect(sts.scores).toHaveLength(1379);
    expect(sts.sentences1).toHaveLength(1379);
    expect(sts.sentences2).toHaveLength(1379);
    expect(Math.min(...sts.scores)).toBe(0);
    expect(Math.max(...sts.scores)).toBe(5);
    expect([sts.sentences1[0], sts.sentences2[0], sts.scores[0]]).toEqual(["A girl is styling her hair.", "A girl is brushing her hair.", 2.5]);
    // A sentence with an unbalanced quote stays whole (the file has no quoting).
    expect(sts.sentences2).toContain('I always go by the rule "When in doubt, throw it out!');
    // The last row carries two extra source columns; the sentences are still columns 6 and 7.
    expect(sts.sentences2.at(-1)).toBe("North Korea Delegation Meets With South Korean Officials");
  });

  it("stsb-pairs: 338 similar (score ≥ 4) and 308 dissimilar (score ≤ 1) pairs", async () => {
    const pairs = await BUILTIN_TASKS["stsb-pairs"].load(dataDir);
    expect(pairs.labels).toHaveLength(646);
    expect(pairs.labels.filter((l) => l === 1)).toHaveLength(338);
    expect(pairs.labels.filter((l) => l === 0)).toHaveLength(308);
    expect(pairs.sentences1).toHaveLength(646);
    expect(pairs.sentences2).toHaveLength(646);
  });

  it("sst2: 67,349 training and 1821 test sentences, labels 0/1", async () => {
    const { train, test } = await BUILTIN_TASKS.sst2.load(dataDir);
    expect(train.texts).toHaveLength(67349);
    expect(test.texts).toHaveLength(1821);
    expect(new Set(test.labels)).toEqual(new Set([0, 1]));
    expect(test.labels.filter((l) => l === 1)).toHaveLength(909);
    expect([test.texts[0], test.labels[0]]).toEqual(["uneasy mishmash of styles and genres .", 0]);
    expectClean(train);
    expectClean(test);
  });

  it("trec: 5452 / 500 questions in 6 coarse classes, the Latin-1 byte read as a space", async () => {
    const { train, test } = await BUILTIN_TASKS.trec.load(dataDir);
    expect(train.texts).toHaveLength(5452);
    expect(test.texts).toHaveLength(500);
    expect(new Set(train.labels)).toEqual(new Set(["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"]));
    expect(classes(test)).toBe(6);
    expect([train.texts[0], train.labels[0]]).toEqual(["How did serfdom develop in and then leave Russia ?", "DESC"]);
    expect(train.texts[65]).toBe("Which city has the oldest relationship as a sister city with Los Angeles ?");
    expect(train.texts.filter((t) => /[^\x20-\x7e]/.test(t))).toEqual([]);
    expectClean(train);
  });

  it("banking77: 10,003 / 3080 queries in 77 intents, broken train records rejoined", async () => {
    const { train, test } = await BUILTIN_TASKS.banking77.load(dataDir);
    expect(train.texts).toHaveLength(10003);
    expect(test.texts).toHaveLength(3080);
    expect(classes(train)).toBe(77);
    expect(classes(test)).toBe(77);
    expect(train.texts).not.toContain("");
    expect(train.texts).toContain("There are a few transaction that I don't recognize I think someone managed to get my card details and use it.");
    expect(test.texts[1]).toBe("I still have not received my new card, I ordered over a week ago.");
    expectClean(train);
    expectClean(test);
  });

  it("banking77-clustering: the 3080 test queries in 77 intents", async () => {
    const clusters = await BUILTIN_TASKS["banking77-clustering"].load(dataDir);
    expect(clusters.texts).toHaveLength(3080);
    expect(classes(clusters)).toBe(77);
  });

  it("emotion: 16,000 / 2000 texts, labels 0–5", async () => {
    const { train, test } = await BUILTIN_TASKS.emotion.load(dataDir);
    expect(train.texts).toHaveLength(16000);
    expect(test.texts).toHaveLength(2000);
    expect(new Set(train.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(classes(test)).toBe(6);
  });

  it("cranfield: 1400 documents, 225 queries all judged, 1612 graded judgements", async () => {
    const { corpus, queries, qrels } = await BUILTIN_TASKS.cranfield.load(dataDir);
    expect(corpus.size).toBe(1400);
    expect(queries.size).toBe(225);
    expect(qrels.size).toBe(225);
    const judgements = [...qrels.values()].flatMap((m) => [...m.values()]);
    expect(judgements).toHaveLength(1612); // 1837 lines − 225 "−1" lines
    const perGain = [1, 2, 3, 4].map((g) => judgements.filter((x) => x === g).length);
    expect(perGain).toEqual([363, 734, 387, 128]); // codes 4, 3, 2, 1
    // Query ids are positions: cran.qry's ".I 004" is query "3".
    expect(queries.get("3")).toBe("what problems of heat conduction in composite slabs have been solved so far .");
    expect(qrels.get("1")?.get("184")).toBe(3); // "1 184 2": code 2 → gain 3
    expect(qrels.get("1")?.get("13")).toBe(1); // "1 13 4": code 4 → gain 1
    expect(qrels.get("1")?.has("486")).toBe(false); // "1 486 -1"
    expect(corpus.get("1")?.startsWith("experimental investigation of the aerodynamics of a wing in a slipstream . experimental")).toBe(true);
    // Document 240's abstract has stray .A/.B markers; their text stays in the abstract.
    expect(corpus.get("240")).toContain("application to turbulent separations is made for a prandtl number of unity");
    for (const ids of qrels.values()) for (const id of ids.keys()) expect(corpus.has(id)).toBe(true);
  });
});
