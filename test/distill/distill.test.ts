/** End-to-end distillation of the committed tiny BERT (test/fixtures/tiny-bert). */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sifWeights } from "../../src/distill/sif.js";
import { HuggingFaceTokenizer, InvalidInputError, StaticModel, distill, distillFromModel } from "../../src/index.js";
import { OnnxTeacher } from "../../src/distill/teachers.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/tiny-bert/", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let teacher: OnnxTeacher;
let scratch: string;
beforeAll(async () => {
  teacher = await OnnxTeacher.load(FIXTURE);
  scratch = await mkdtemp(join(tmpdir(), "m2v-distill-"));
});
afterAll(async () => {
  await teacher.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const teacherTokenizer = () => HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
const idOf = (token: string) => teacherTokenizer().vocabulary.indexOf(token);

describe("distillFromModel", () => {
  it("without PCA or SIF, each row is the teacher's mean-pooled [CLS] token [SEP]", async () => {
    const model = await distillFromModel({ teacher, pcaDims: null, sifCoefficient: null, quantizeTo: "float32", tokenRemovePattern: null });
    expect(model.tokens.length).toBe(teacherTokenizer().vocabulary.length - 3); // [CLS] [SEP] [MASK] pruned
    const row = model.tokens.indexOf("hello");
    const expected = await teacher.embed([Int32Array.from([idOf("[CLS]"), idOf("hello"), idOf("[SEP]")])], "mean");
    expect(Array.from(model.embedding.row(row))).toEqual(Array.from(expected));
  });

  it("weights rows by SIF and reduces with PCA to pcaDims, storing float16 by default", async () => {
    const plain = await distillFromModel({ teacher, pcaDims: null, sifCoefficient: null, quantizeTo: "float32" });
    const weighted = await distillFromModel({ teacher, pcaDims: null, quantizeTo: "float32" });
    const sif = sifWeights(plain.tokens.length, 1e-4);
    const i = plain.tokens.indexOf("world");
    expect(Array.from(weighted.embedding.row(i))).toEqual(Array.from(plain.embedding.row(i), (v) => expect.closeTo(v * sif[i]!, 6)));

    const model = await distillFromModel({ teacher, pcaDims: 16 });
    expect([model.dim, model.embeddingDtype, model.normalize]).toEqual([16, "float16", true]);
    expect(model.config).toEqual({
      model_type: "model2vec",
      architectures: ["StaticModel"],
      tokenizer_name: "tiny-bert",
      apply_pca: 16,
      sif_coefficient: 1e-4,
      hidden_dim: 16,
      seq_length: 1000000,
      normalize: true,
      pooling: "mean",
    });
    expect(model.weights).toBeNull();
    const vector = model.encode("hello world");
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  });

  it("supports each pooling mode and refuses one the teacher lacks", async () => {
    const tables = await Promise.all(
      (["mean", "first", "last", "pooler"] as const).map((pooling) => distillFromModel({ teacher, pooling, pcaDims: null, sifCoefficient: null, quantizeTo: "float32" })),
    );
    const row = tables[0]!.tokens.indexOf("hello");
    const rows = tables.map((t) => Array.from(t.embedding.row(row)));
    expect(new Set(rows.map((r) => r.join())).size).toBe(4);
    const first = await teacher.embed([Int32Array.from([idOf("[CLS]"), idOf("hello"), idOf("[SEP]")])], "first");
    expect(rows[1]).toEqual(Array.from(first));
    await expect(distillFromModel({ teacher: { ...teacher, poolings: ["mean"], embed: teacher.embed.bind(teacher) }, pooling: "pooler" })).rejects.toThrow(
      /pooling "pooler" is not supported/,
    );
  });

  it("validates options before running the teacher, and stops on abort", async () => {
    await expect(distillFromModel({ teacher, sifCoefficient: 0 })).rejects.toThrow(InvalidInputError);
    await expect(distillFromModel({ teacher, pcaDims: -3 })).rejects.toThrow(/pcaDims/);
    await expect(distillFromModel({ teacher, quantizeTo: "int4" as "int8" })).rejects.toThrow(/quantizeTo must be one of/);
    const controller = new AbortController();
    controller.abort();
    await expect(distillFromModel({ teacher, signal: controller.signal })).rejects.toThrow(/abort/i);
  });

  it("reports progress of the teacher passes", async () => {
    const seen: string[] = [];
    await distillFromModel({ teacher, pcaDims: 8, batchSize: 64, onProgress: (p) => seen.push(`${p.stage}:${p.done}/${p.total}`) });
    expect(seen.filter((s) => s.startsWith("teacher")).at(-1)).toBe("teacher:212/212");
    expect(seen).toContain("pca:1/1");
  });
});

describe("distill end to end", () => {
  const TEXTS = ["hello world", "the quick brown fox", "zebra crossing in new york"];

  /** Loads `folder` in a fresh Node process and prints its encodings. */
  function encodeInFreshProcess(folder: string): number[][] {
    const script = `import { StaticModel } from "./src/index.ts"; const m = await StaticModel.fromPretrained(${JSON.stringify(folder)}); console.log(JSON.stringify(m.encode(${JSON.stringify(TEXTS)}).toArray()));`;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout) as number[][];
  }

  it("distills the tiny BERT folder, saves, and a fresh process encodes the same", async () => {
    const model = await distill({ model: FIXTURE, pcaDims: 16 });
    const folder = join(scratch, "plain");
    await model.savePretrained(folder);
    const expected = model.encode(TEXTS).toArray();
    expect(encodeInFreshProcess(folder)).toEqual(expected);
  });

  it("with a custom vocabulary, the new words get their own rows", async () => {
    const model = await distill({ model: FIXTURE, pcaDims: 16, vocabulary: ["zebra", "crossing", "new york"] });
    for (const token of ["zebra", "crossing", "new york"]) expect(model.tokens).toContain(token);
    expect(Array.from(model.tokenize("zebra crossing in new york"), (id) => model.tokens[id])).toEqual(["zebra", "crossing", "in", "new york"]);
    const folder = join(scratch, "custom");
    await model.savePretrained(folder);
    expect(encodeInFreshProcess(folder)).toEqual(model.encode(TEXTS).toArray());
  });

  it("with vocabulary quantization, stores SIF weights and a mapping", async () => {
    const model = await distill({ model: FIXTURE, pcaDims: 8, vocabularyQuantization: 32 });
    expect([model.vocabularyQuantization, model.dim]).toEqual([32, 8]);
    expect(model.weights![0]).toBeCloseTo(sifWeights(model.tokens.length, 1e-4)[0]!, 6);
    const folder = join(scratch, "quantized");
    await model.savePretrained(folder);
    const reloaded = await StaticModel.fromPretrained(folder);
    expect(reloaded.vocabularyQuantization).toBe(32);
    expect(encodeInFreshProcess(folder)).toEqual(model.encode(TEXTS).toArray());
  });
});
