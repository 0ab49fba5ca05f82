/**
 * tokenlearn's v0.2 recipe (`weighting: "norm"`, REFERENCE §5) and lazy updates,
 * with the committed tiny BERT over a generated corpus: w starts at the row
 * norms and the result is w·e (so an untrained run gives back the start
 * model's rows), the corpus re-weighting is opt-in, and lazy updates leave the
 * rows of unused tokens alone.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distillFromModel } from "../../src/distill/distill.js";
import { OnnxTeacher } from "../../src/distill/onnx-teacher.js";
import { InvalidInputError } from "../../src/errors.js";
import type { StaticModel } from "../../src/model/static-model.js";
import { featurize } from "../../src/tokenlearn/featurize.js";
import { type TokenlearnOptions, tokenlearn } from "../../src/tokenlearn/tokenlearn.js";
import { mulberry32 } from "../fixtures/random.js";
import { WORDS } from "../fixtures/words.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/tiny-bert/", import.meta.url));

function sentences(count: number, seed: number): string[] {
  const next = mulberry32(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const words = 3 + Math.floor(next() * 10);
    out.add(Array.from({ length: words }, () => WORDS[Math.floor(next() ** 2 * WORDS.length)]!).join(" "));
  }
  return [...out];
}

let teacher: OnnxTeacher;
let scratch: string;
let featurized: string;
let start: StaticModel;
const V02: Partial<TokenlearnOptions> = { weighting: "norm", loss: "mse", pcaDims: 16, batchSize: 32, learningRate: 1e-2 };

beforeAll(async () => {
  teacher = await OnnxTeacher.load(FIXTURE, { threads: 1 });
  scratch = await mkdtemp(join(tmpdir(), "m2v-tokenlearn-v02-"));
  featurized = join(scratch, "featurized");
  await featurize({ teacher, corpus: sentences(300, 3), outputDir: featurized });
  start = await distillFromModel({ teacher, pcaDims: 16, quantizeTo: "float32" });
});
afterAll(async () => {
  await teacher?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Row `t` of a model's embedding table. */
const row = (model: StaticModel, t: number) => Array.from(model.embedding.data.subarray(t * model.dim, (t + 1) * model.dim));

describe('tokenlearn weighting "norm" (v0.2)', () => {
  it("starts from unit rows weighted by their norms: without training the result is the start model's rows (the pad's zero), with no PCA and no re-weighting", async () => {
    const { model, history } = await tokenlearn({ ...V02, featurized, model: start, maxEpochs: 0 });
    expect(history.bestEpoch).toBe(-1);
    expect(model.dim).toBe(start.dim);
    expect(model.normalize).toBe(true);
    expect(model.weights).toBeNull();
    const data = model.embedding.data;
    const original = start.embedding.data;
    expect(data.length).toBe(original.length);
    const pad = start.tokens.indexOf("[PAD]");
    expect(row(model, pad).every((v) => v === 0)).toBe(true);
    let maxError = 0;
    for (let k = 0; k < data.length; k++) if (Math.floor(k / start.dim) !== pad) maxError = Math.max(maxError, Math.abs(data[k]! - original[k]!));
    expect(maxError).toBeLessThan(1e-6);
  });

  it("lowers the MSE validation loss and moves the rows", async () => {
    const { model, history } = await tokenlearn({ ...V02, featurized, model: start, maxEpochs: 4 });
    expect(Math.min(...history.valLoss)).toBeLessThan(history.initialValLoss);
    expect(history.bestEpoch).toBeGreaterThanOrEqual(0);
    const used = start.tokenize(["the"])[0]![0]!;
    expect(row(model, used)).not.toEqual(row(start, used));
  });

  it("applies the corpus re-weighting α/(α + p) only when sifAlpha is given", async () => {
    const plain = await tokenlearn({ ...V02, featurized, model: start, maxEpochs: 1 });
    const weighted = await tokenlearn({ ...V02, featurized, model: start, maxEpochs: 1, sifAlpha: 1e-3 });
    // A token the corpus never uses has p = 1/(N + V): its row shrinks least; a frequent one shrinks more.
    const frequent = start.tokenize(["the"])[0]![0]!;
    const ratio = (t: number) => weighted.model.embedding.data[t * start.dim]! / plain.model.embedding.data[t * start.dim]!;
    expect(ratio(frequent)).toBeGreaterThan(0);
    expect(ratio(frequent)).toBeLessThan(1);
    const unused = start.tokens.indexOf("zygote") >= 0 ? start.tokens.indexOf("zygote") : start.tokens.length - 1;
    expect(ratio(unused)).toBeGreaterThan(ratio(frequent));
  });

  it("rejects an unknown weighting or addedWordScores", async () => {
    await expect(tokenlearn({ featurized, model: start, weighting: "softmax" as never })).rejects.toThrow(/weighting must be "sigmoid" or "norm"/);
    await expect(tokenlearn({ featurized, model: start, weighting: "softmax" as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(tokenlearn({ featurized, model: start, addedWordScores: "max" as never })).rejects.toThrow(/addedWordScores must be "minimum" or "corpus"/);
  });
});

describe("tokenlearn lazyUpdates", () => {
  it("leaves the rows of tokens no training text uses untouched, where dense AdamW decays them", async () => {
    const options = { ...V02, featurized, model: start, maxEpochs: 2 };
    const lazy = await tokenlearn({ ...options, lazyUpdates: true });
    const dense = await tokenlearn(options);
    const untrained = await tokenlearn({ ...options, maxEpochs: 0 });
    const texts = sentences(300, 3);
    const used = new Set(start.tokenize(texts).flatMap((ids) => Array.from(ids)));
    const pad = start.tokens.indexOf("[PAD]");
    const unused = start.tokens.findIndex((_, t) => t !== pad && !used.has(t) && start.embedding.data[t * start.dim] !== 0);
    expect(unused).toBeGreaterThanOrEqual(0);
    expect(row(lazy.model, unused)).toEqual(row(untrained.model, unused));
    expect(row(dense.model, unused)).not.toEqual(row(untrained.model, unused));
  });
});
