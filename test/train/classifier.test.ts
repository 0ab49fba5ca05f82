import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError, ModelFormatError } from "../../src/errors.js";
import { mulberry32 } from "../../src/random.js";
import { StaticModelForClassification } from "../../src/train/classifier.js";
import { loadGenerated } from "../fixtures/index.js";

/** Words that mark each class, plus shared filler words. */
const CLASS_WORDS: Record<string, string[]> = {
  sports: ["quick", "brown", "fox", "jumps", "over", "lazy", "dog"],
  tech: ["static", "embeddings", "model", "fast", "small", "vector", "token"],
  history: ["first", "two", "time", "after", "who", "new", "one"],
};
const FILLER = ["the", "of", "and", "to", "in", "is", "was", "for", "on", "that"];
const CLASSES = Object.keys(CLASS_WORDS);

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function sentence(classes: readonly string[], random: () => number): string {
  const words: string[] = [];
  const length = 4 + Math.floor(random() * 6);
  for (let k = 0; k < length; k++) {
    words.push(random() < 0.5 ? pick(FILLER, random) : pick(CLASS_WORDS[pick(classes, random)]!, random));
  }
  for (const c of classes) words.push(pick(CLASS_WORDS[c]!, random));
  return words.join(" ");
}

function singleLabelData(n: number, seed: number, weights = [1, 1, 1]) {
  const random = mulberry32(seed);
  const total = weights.reduce((a, b) => a + b, 0);
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    let r = random() * total;
    let c = 0;
    while (r >= weights[c]! && c < weights.length - 1) r -= weights[c++]!;
    labels.push(CLASSES[c]!);
    texts.push(sentence([CLASSES[c]!], random));
  }
  return { texts, labels };
}

function multiLabelData(n: number, seed: number) {
  const random = mulberry32(seed);
  const texts: string[] = [];
  const labels: string[][] = [];
  for (let i = 0; i < n; i++) {
    const set = CLASSES.filter(() => random() < 0.45);
    if (set.length === 0) set.push(pick(CLASSES, random));
    labels.push(set);
    texts.push(sentence(set, random));
  }
  return { texts, labels };
}

const model = () => loadGenerated({ dim: 16 }).model;
const quick = { maxEpochs: 30, learningRate: 1e-2 } as const;

describe("StaticModelForClassification", () => {
  const train = singleLabelData(400, 1);
  const test = singleLabelData(200, 2);

  it("learns a separable single-label set (≥ 0.95 test accuracy)", async () => {
    const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 32 });
    const history = await classifier.fit(train.texts, train.labels, quick);
    expect(history.epochs).toBeGreaterThan(0);
    expect(history.trainLoss[history.trainLoss.length - 1]).toBeLessThan(history.trainLoss[0]!);
    expect(history.bestEpoch).toBeGreaterThan(0);
    expect(classifier.classes).toEqual(["history", "sports", "tech"]);
    const scores = classifier.evaluate(test.texts, test.labels);
    expect(scores.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(scores.macroF1).toBeGreaterThanOrEqual(0.95);
    expect(Object.keys(scores.perClass).sort()).toEqual(CLASSES.slice().sort());
    expect(scores.perClass.tech!.support).toBe(test.labels.filter((l) => l === "tech").length);
    const proba = classifier.predictProba(test.texts.slice(0, 5));
    expect(proba.length).toBe(15);
    for (let i = 0; i < 5; i++) expect(proba[i * 3]! + proba[i * 3 + 1]! + proba[i * 3 + 2]!).toBeCloseTo(1, 5);
  });

  it("is deterministic for a seed", async () => {
    const run = async (seed: number) => {
      const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 16, nLayers: 0 });
      const history = await classifier.fit(train.texts.slice(0, 150), train.labels.slice(0, 150), { maxEpochs: 4, seed });
      return { history, proba: classifier.predictProba(test.texts.slice(0, 20)) };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b.history).toEqual(a.history);
    expect(b.proba).toEqual(a.proba);
    expect(c.proba).not.toEqual(a.proba);
  });

  it("fits and predicts multi-label data", async () => {
    const data = multiLabelData(500, 3);
    const held = multiLabelData(100, 4);
    const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 32 });
    const history = await classifier.fit(data.texts, data.labels, { ...quick, classWeight: "balanced" });
    expect(classifier.multilabel).toBe(true);
    expect(history.valMetric.length).toBe(history.epochs);
    const predicted = classifier.predict(held.texts) as string[][];
    let jaccard = 0;
    held.labels.forEach((truth, i) => {
      const p = new Set(predicted[i]);
      const inter = truth.filter((l) => p.has(l)).length;
      jaccard += inter / new Set([...truth, ...p]).size;
    });
    expect(jaccard / held.labels.length).toBeGreaterThan(0.85);
    const scores = classifier.evaluate(held.texts, held.labels);
    expect(scores.macroF1).toBeGreaterThan(0.85);
    // A threshold above every probability predicts no labels.
    expect(classifier.predict(held.texts.slice(0, 3), { threshold: 1 })).toEqual([[], [], []]);
  });

  it('supports classWeight "balanced" and per-label weights', async () => {
    const data = singleLabelData(300, 5, [8, 1, 1]);
    const fit = async (classWeight: "balanced" | Record<string, number> | null) => {
      const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 16 });
      return classifier.fit(data.texts, data.labels, { maxEpochs: 3, classWeight });
    };
    const plain = await fit(null);
    const balanced = await fit("balanced");
    expect(balanced.trainLoss).not.toEqual(plain.trainLoss);
    const explicit = await fit({ history: 1, sports: 2 });
    expect(explicit.trainLoss).not.toEqual(plain.trainLoss);
    await expect(fit({ nope: 1 })).rejects.toThrow(InvalidInputError);
  });

  it("saves and loads with equal predictions (plain and vocabulary-quantized)", async () => {
    for (const source of [model(), loadGenerated({ dim: 16, clusters: 60 }).model]) {
      const classifier = StaticModelForClassification.fromStaticModel({ model: source, hiddenDim: 16, nLayers: 2 });
      await classifier.fit(train.texts.slice(0, 200), train.labels.slice(0, 200), { maxEpochs: 5, learningRate: 1e-2 });
      const folder = join(await mkdtemp(join(tmpdir(), "m2v-classifier-")), "saved");
      await classifier.savePretrained(folder);
      const config = JSON.parse(await readFile(join(folder, "classifier_config.json"), "utf8"));
      expect(config).toMatchObject({ version: 1, labels: ["history", "sports", "tech"], multilabel: false, nLayers: 2, hiddenDim: 16, normalize: true });
      const loaded = await StaticModelForClassification.fromPretrained(folder);
      expect(loaded.classes).toEqual(classifier.classes);
      expect(loaded.predict(test.texts)).toEqual(classifier.predict(test.texts));
      const a = classifier.predictProba(test.texts);
      const b = loaded.predictProba(test.texts);
      for (let k = 0; k < a.length; k++) expect(b[k]).toBeCloseTo(a[k]!, 5);
      // The saved folder is also a plain model2vec model.
      const { StaticModel } = await import("../../src/index.js");
      const plain = await StaticModel.fromPretrained(folder);
      expect(plain.dim).toBe(16);
    }
  });

  it("toStaticModel encodes like the trained pooling", async () => {
    for (const source of [model(), loadGenerated({ dim: 16, clusters: 60 }).model, loadGenerated({ dim: 16 }, { normalize: false }).model]) {
      const classifier = StaticModelForClassification.fromStaticModel({ model: source, hiddenDim: 16 });
      await classifier.fit(train.texts.slice(0, 100), train.labels.slice(0, 100), { maxEpochs: 2, learningRate: 1e-2 });
      const texts = test.texts.slice(0, 20);
      const expected = classifier.encoder.forward(source.tokenize(texts));
      const actual = classifier.toStaticModel().encode(texts);
      for (let k = 0; k < expected.length; k++) expect(actual.data[k]).toBeCloseTo(expected[k]!, 5);
    }
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 16 });
    const epochs: number[] = [];
    const fit = classifier.fit(train.texts, train.labels, {
      maxEpochs: 50,
      earlyStoppingPatience: null,
      signal: controller.signal,
      onProgress: (p) => {
        epochs.push(p.epoch);
        if (p.epoch === 2) controller.abort();
      },
    });
    await expect(fit).rejects.toThrow(/abort/i);
    expect(epochs).toEqual([1, 2]);
    // Already aborted: rejects before training.
    await expect(classifier.fit(train.texts, train.labels, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });

  it("rejects bad inputs with InvalidInputError", async () => {
    const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 8 });
    await expect(classifier.fit(["a", "b"], ["x"])).rejects.toThrow(InvalidInputError);
    await expect(classifier.fit([], [])).rejects.toThrow(InvalidInputError);
    await expect(classifier.fit(["a", "b"], ["x", "x"])).rejects.toThrow(/at least 2 classes/);
    await expect(classifier.fit(["a", "b"], ["x", ["y"]] as never)).rejects.toThrow(InvalidInputError);
    await expect(classifier.fit(["a", 3] as never, ["x", "y"])).rejects.toThrow(InvalidInputError);
    await expect(classifier.fit(["a", "b"], ["x", 1])).rejects.toThrow(InvalidInputError);
    await expect(classifier.fit(["a", "b"], ["x", "y"], { testSize: 1.5 })).rejects.toThrow(InvalidInputError);
    await expect(classifier.fit(["a", "b"], ["x", "y"], { validation: { texts: ["c"], labels: ["z"] } })).rejects.toThrow(/not one of the training classes/);
    expect(() => classifier.predict(["a"])).toThrow(/call fit first/);
    expect(() => StaticModelForClassification.fromStaticModel({ model: null as never })).toThrow(InvalidInputError);
  });

  it("validates saved folders and wraps plain models", async () => {
    const classifier = StaticModelForClassification.fromStaticModel({ model: model(), hiddenDim: 8 });
    await classifier.fit(train.texts.slice(0, 60), train.labels.slice(0, 60), { maxEpochs: 1 });
    const folder = join(await mkdtemp(join(tmpdir(), "m2v-classifier-")), "saved");
    await classifier.savePretrained(folder);
    const configPath = join(folder, "classifier_config.json");
    const good = await readFile(configPath, "utf8");
    await writeFile(configPath, JSON.stringify({ ...JSON.parse(good), hiddenDim: 9 }));
    await expect(StaticModelForClassification.fromPretrained(folder)).rejects.toThrow(/head\.0\.weight.*shape/);
    await writeFile(configPath, JSON.stringify({ ...JSON.parse(good), labels: [] }));
    await expect(StaticModelForClassification.fromPretrained(folder)).rejects.toThrow(ModelFormatError);
    await writeFile(configPath, "{not json");
    await expect(StaticModelForClassification.fromPretrained(folder)).rejects.toThrow(ModelFormatError);

    const plainFolder = join(await mkdtemp(join(tmpdir(), "m2v-plain-")), "plain");
    await model().savePretrained(plainFolder);
    const wrapped = await StaticModelForClassification.fromPretrained(plainFolder, { hiddenDim: 8 });
    expect(wrapped.head).toBeNull();
    await wrapped.fit(train.texts.slice(0, 60), train.labels.slice(0, 60), { maxEpochs: 1 });
    expect(wrapped.predict(["quick fox"]).length).toBe(1);
  });
});
