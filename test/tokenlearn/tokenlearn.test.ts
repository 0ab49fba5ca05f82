/**
 * tokenlearn (REFERENCE §5) with the committed tiny BERT (test/fixtures/tiny-bert)
 * over a generated corpus: training lowers the validation loss, the corpus
 * vocabulary reaches the model, the result encodes unit vectors, runs are
 * deterministic, a featurized folder can be reused, and an abort stops it.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxTeacher } from "../../src/distill/onnx-teacher.js";
import { InvalidInputError } from "../../src/errors.js";
import { StaticModel } from "../../src/model/static-model.js";
import { corpusVocabulary } from "../../src/tokenlearn/corpus-vocabulary.js";
import { featurize } from "../../src/tokenlearn/featurize.js";
import { type TokenlearnOptions, type TokenlearnResult, tokenlearn } from "../../src/tokenlearn/tokenlearn.js";
import { mulberry32 } from "../fixtures/random.js";
import { WORDS } from "../fixtures/words.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/tiny-bert/", import.meta.url));
/** The word list plus words the tiny BERT's vocabulary lacks, put first so they are frequent. */
const LEXICON = ["zebrafish", "quokka", "tokenlearn", ...WORDS];

/** `count` distinct sentences of 3–16 words; a skewed word distribution so frequencies differ. */
function sentences(count: number, seed: number): string[] {
  const next = mulberry32(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const words = 3 + Math.floor(next() * 14);
    const sentence = Array.from({ length: words }, () => LEXICON[Math.floor(next() ** 2 * LEXICON.length)]!).join(" ");
    out.add(next() < 0.3 ? `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.` : sentence);
  }
  return [...out];
}

const CORPUS = sentences(400, 7);
const SMALL: Partial<TokenlearnOptions> = { pcaDims: 16, batchSize: 32, maxEpochs: 6, learningRate: 1e-2, vocabSize: 300 };

let teacher: OnnxTeacher;
let scratch: string;
let featurized: string;
let first: TokenlearnResult;

beforeAll(async () => {
  teacher = await OnnxTeacher.load(FIXTURE, { threads: 1 });
  scratch = await mkdtemp(join(tmpdir(), "m2v-tokenlearn-"));
  featurized = join(scratch, "featurized");
  first = await tokenlearn({ ...SMALL, teacher, corpus: CORPUS, featurized, outputDir: join(scratch, "model") });
});
afterAll(async () => {
  await teacher?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const encodeRows = (model: StaticModel, texts: string[]) => model.encode(texts) as { data: Float32Array; rows: number; dim: number };

describe("corpusVocabulary", () => {
  it("counts lowercased \\w+ and punctuation runs, most frequent first, ties in first-seen order", () => {
    expect(corpusVocabulary(["The cat, the DOG!", "a cat... Café_1 ?!"], 10)).toEqual(["the", "cat", ",", "dog", "!", "a", "...", "café_1", "?!"]);
    expect(corpusVocabulary(["b a a b c"], 2)).toEqual(["b", "a"]);
    expect(corpusVocabulary(["x"], 0)).toEqual([]);
    expect(() => corpusVocabulary(["x"], -1)).toThrow(InvalidInputError);
  });
});

describe("tokenlearn", () => {
  it("lowers the validation loss", () => {
    const { history } = first;
    expect(history.valLoss.length).toBeGreaterThan(0);
    expect(history.trainRows + history.valRows).toBe(CORPUS.length);
    expect(history.valRows).toBe(40);
    const best = history.valLoss[history.bestEpoch]!;
    expect(best).toBe(Math.min(...history.valLoss));
    expect(best).toBeLessThan(history.initialValLoss);
    expect(Math.min(...history.valLoss.slice(1))).toBeLessThan(history.valLoss[0]!);
    expect(history.trainLoss.at(-1)!).toBeLessThan(history.trainLoss[0]!);
  });

  it("adds the frequent corpus words to the vocabulary", async () => {
    const teacherVocab = new Set((await import("../../src/tokenizer/hf-tokenizer.js")).HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson).vocabulary);
    const { model } = first;
    expect(model.tokens.length).toBeGreaterThan(teacherVocab.size - 10);
    const frequent = corpusVocabulary(CORPUS, 20);
    for (const word of frequent) {
      const ids = model.tokenize(word);
      expect(ids.length, word).toBe(1);
      expect(model.tokens[ids[0]!], word).toBe(word);
    }
    for (const word of ["zebrafish", "quokka", "tokenlearn"]) {
      expect(frequent).toContain(word);
      expect(teacherVocab.has(word)).toBe(false);
    }
  });

  it("returns a normalized float32 model without weights, and saves it", async () => {
    const { model } = first;
    expect(model.normalize).toBe(true);
    expect(model.weights).toBeNull();
    expect(model.mapping).toBeNull();
    expect(model.dim).toBe(16);
    const out = encodeRows(model, CORPUS.slice(0, 20));
    for (let i = 0; i < out.rows; i++) {
      let ss = 0;
      for (let j = 0; j < out.dim; j++) ss += out.data[i * out.dim + j]! ** 2;
      expect(Math.sqrt(ss)).toBeCloseTo(1, 5);
    }
    expect((await readdir(join(scratch, "model"))).sort()).toEqual(expect.arrayContaining(["config.json", "model.safetensors", "tokenizer.json"]));
    const loaded = await StaticModel.fromPretrained(join(scratch, "model"));
    expect(encodeRows(loaded, CORPUS.slice(0, 5)).data).toEqual(encodeRows(model, CORPUS.slice(0, 5)).data);
  });

  it("trains from a featurized folder, deterministically for a seed", async () => {
    // The folder made by the first run (featurize first, then tokenlearn from it).
    const again = await tokenlearn({ ...SMALL, teacher, featurized });
    expect(again.history).toEqual(first.history);
    expect(again.model.embedding.data).toEqual(first.model.embedding.data);
    const other = await tokenlearn({ ...SMALL, teacher, featurized, seed: 7 });
    expect(other.model.embedding.data).not.toEqual(first.model.embedding.data);
  });

  it("featurizes with featurize() first and starts from an existing model", async () => {
    const folder = join(scratch, "featurized-2");
    await featurize({ teacher, corpus: CORPUS.slice(0, 200), outputDir: folder, batchSize: 50 });
    const start = first.model;
    const { model, history } = await tokenlearn({ featurized: folder, model: start, pcaDims: 16, batchSize: 32, maxEpochs: 3, loss: "cosine", optimizer: "adam" });
    expect(history.valRows).toBe(20);
    expect(history.valLoss.length).toBe(3);
    expect(model.tokens).toEqual(start.tokens);
    expect(model.dim).toBe(16);
  });

  it("supports the mse loss", async () => {
    const { history } = await tokenlearn({ ...SMALL, teacher, featurized, loss: "mse", maxEpochs: 3 });
    expect(Math.min(...history.valLoss)).toBeLessThan(history.initialValLoss);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("stop now");
    let epochs = 0;
    const run = tokenlearn({
      ...SMALL,
      teacher,
      featurized,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === "epoch") epochs++;
        if (p.stage === "train" && p.step === 2) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(epochs).toBe(0);
  });

  it("divides the contrastive scores by temperature: a huge τ makes every pair equally likely, so the loss is ln(batch rows)", async () => {
    const flat = await tokenlearn({ ...SMALL, teacher, featurized, maxEpochs: 0, temperature: 1e6 });
    // 40 validation rows in batches of 32 and 8, each batch's loss weighted by its rows.
    expect(flat.history.initialValLoss).toBeCloseTo((32 * Math.log(32) + 8 * Math.log(8)) / 40, 4);
    expect(Math.abs(first.history.initialValLoss - flat.history.initialValLoss)).toBeGreaterThan(0.1);
    for (const temperature of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(tokenlearn({ ...SMALL, teacher, featurized, temperature })).rejects.toThrow(/temperature must be a positive number/);
    }
  });

  it("soft contrastive targets: a cold τ_t is the one-hot loss, a hot one with a hot τ is ln(batch rows); bad τ_t is refused", async () => {
    const cold = await tokenlearn({ ...SMALL, teacher, featurized, maxEpochs: 0, targetTemperature: 1e-6 });
    expect(cold.history.initialValLoss).toBeCloseTo(first.history.initialValLoss, 8);
    const flat = await tokenlearn({ ...SMALL, teacher, featurized, maxEpochs: 0, temperature: 1e6, targetTemperature: 1e6 });
    expect(flat.history.initialValLoss).toBeCloseTo((32 * Math.log(32) + 8 * Math.log(8)) / 40, 4);
    // Uniform targets (a hot τ_t) ask every row to score the batch alike: a different loss from one-hot.
    const uniform = await tokenlearn({ ...SMALL, teacher, featurized, maxEpochs: 0, targetTemperature: 1e6 });
    expect(Math.abs(uniform.history.initialValLoss - first.history.initialValLoss)).toBeGreaterThan(0.05);
    const soft = await tokenlearn({ ...SMALL, teacher, featurized, maxEpochs: 2, targetTemperature: 0.1 });
    expect(soft.history.valLoss[1]!).toBeLessThan(soft.history.initialValLoss);
    for (const targetTemperature of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(tokenlearn({ ...SMALL, teacher, featurized, targetTemperature })).rejects.toThrow(/targetTemperature must be a positive number/);
    }
    await expect(tokenlearn({ ...SMALL, teacher, featurized, loss: "mse", targetTemperature: 0.1 })).rejects.toThrow(/targetTemperature needs the contrastive loss, not "mse"/);
  });

  it("topic-aware batches: train, repeat for a seed, differ from random batches; bad topic counts are refused", async () => {
    const logs: string[] = [];
    const options = { ...SMALL, teacher, featurized, maxEpochs: 2, targetTemperature: 0.1 };
    const topics = await tokenlearn({ ...options, batchTopics: 4, onLog: (m) => logs.push(m) });
    expect(logs).toContain("batches drawn from 4 topics of the teacher vectors");
    expect(topics.history.valLoss[1]!).toBeLessThan(topics.history.initialValLoss);
    const again = await tokenlearn({ ...options, batchTopics: 4 });
    expect(again.history.valLoss).toEqual(topics.history.valLoss);
    // Same split and start (validation batches stay random); only the training batches differ.
    const random = await tokenlearn(options);
    expect(random.history.initialValLoss).toBe(topics.history.initialValLoss);
    expect(random.history.valLoss[1]).not.toBe(topics.history.valLoss[1]);
    for (const batchTopics of [0, -2, 1.5, Number.NaN]) {
      await expect(tokenlearn({ ...options, batchTopics })).rejects.toThrow(/batchTopics must be an integer ≥ 1/);
    }
    await expect(tokenlearn({ ...options, batchTopics: 361 })).rejects.toThrow(/batchTopics must be an integer from 1 to the 360 training rows, got 361/);
    await expect(tokenlearn({ ...SMALL, teacher, featurized, loss: "cosine", batchTopics: 4 })).rejects.toThrow(/batchTopics needs the contrastive loss, not "cosine"/);
  });

  it("rejects missing inputs and bad options", async () => {
    await expect(tokenlearn({ teacher })).rejects.toThrow(InvalidInputError);
    await expect(tokenlearn({ featurized })).rejects.toThrow(InvalidInputError);
    await expect(tokenlearn({ teacher, featurized, loss: "hinge" as never })).rejects.toThrow(InvalidInputError);
    await expect(tokenlearn({ teacher, featurized, batchSize: 1 })).rejects.toThrow(InvalidInputError);
  });
});
