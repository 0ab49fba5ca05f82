/**
 * OnnxTeacher against the committed tiny BERT (test/fixtures/tiny-bert, written by
 * scripts/make-tiny-bert.ts): its pooled outputs must match a forward pass written
 * here in plain TypeScript over the same seeded weights.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TinyBertWeights, tinyBertConfig, tinyBertFiles, tinyBertOnnx, tinyBertShape, tinyBertWeights } from "../../scripts/make-tiny-bert.js";
import { ONNX_MODEL_PATHS, type OnnxRuntimeModule, OnnxTeacher, importOnnxRuntime } from "../../src/distill/onnx-teacher.js";
import type { Pooling } from "../../src/distill/teacher.js";
import { HubError, InvalidInputError, MissingDependencyError, ModelFormatError } from "../../src/errors.js";
import { type HubServer, startHubServer } from "../fixtures/hub-server.js";
import { mulberry32 } from "../fixtures/random.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/tiny-bert/", import.meta.url));
const WEIGHTS = tinyBertWeights();
const { vocabSize, hidden: DIM } = WEIGHTS.shape;
const POOLINGS: Pooling[] = ["mean", "first", "last", "pooler", "inner-mean"];

// ---------------------------------------------------------------------------------------------
// The reference: BERT in float64 over one unpadded sequence.

type Vec = Float64Array;

function dense(x: Vec, w: { inputs: number; outputs: number; weight: Float32Array; bias: Float32Array }): Vec {
  const out = Float64Array.from(w.bias);
  for (let i = 0; i < w.inputs; i++) {
    const xi = x[i]!;
    for (let o = 0; o < w.outputs; o++) out[o]! += xi * w.weight[i * w.outputs + o]!;
  }
  return out;
}

function layerNorm(x: Vec, w: { gamma: Float32Array; beta: Float32Array }, eps: number): Vec {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  const scale = 1 / Math.sqrt(variance + eps);
  return x.map((v, i) => (v - mean) * scale * w.gamma[i]! + w.beta[i]!);
}

/** erf by its Taylor series (accurate to ~1e-12 for |x| < 4), ±1 beyond. */
function erf(x: number): number {
  if (Math.abs(x) >= 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const add = (a: Vec, b: Vec): Vec => a.map((v, i) => v + b[i]!);

function referenceForward(w: TinyBertWeights, ids: readonly number[]): { hidden: Vec[]; pooler: Vec } {
  const { hidden: H, heads, layerNormEps: eps } = w.shape;
  const headDim = H / heads;
  const row = (table: Float32Array, index: number) => Float64Array.from(table.subarray(index * H, (index + 1) * H));
  let x = ids.map((id, t) => layerNorm(add(add(row(w.wordEmbeddings, id), row(w.tokenTypeEmbeddings, 0)), row(w.positionEmbeddings, t)), w.embeddingNorm, eps));
  for (const layer of w.layers) {
    const q = x.map((h) => dense(h, layer.query));
    const k = x.map((h) => dense(h, layer.key));
    const v = x.map((h) => dense(h, layer.value));
    const context = x.map(() => new Float64Array(H));
    for (let head = 0; head < heads; head++) {
      const o = head * headDim;
      for (let i = 0; i < x.length; i++) {
        const scores = k.map((kj) => {
          let s = 0;
          for (let d = 0; d < headDim; d++) s += q[i]![o + d]! * kj[o + d]!;
          return s / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, j) => {
          for (let d = 0; d < headDim; d++) context[i]![o + d]! += (e / total) * v[j]![o + d]!;
        });
      }
    }
    x = x.map((h, i) => layerNorm(add(dense(context[i]!, layer.attentionOutput), h), layer.attentionNorm, eps));
    x = x.map((h) => {
      const inner = dense(h, layer.intermediate).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
      return layerNorm(add(dense(inner, layer.output), h), layer.outputNorm, eps);
    });
  }
  return { hidden: x, pooler: dense(x[0]!, w.pooler).map(Math.tanh) };
}

function referencePool(ids: readonly number[], pooling: Pooling): Vec {
  const { hidden, pooler } = referenceForward(WEIGHTS, ids);
  if (pooling === "pooler") return pooler;
  if (pooling === "first") return hidden[0]!;
  if (pooling === "last") return hidden[hidden.length - 1]!;
  if (pooling === "inner-mean") {
    const inner = hidden.slice(1, -1);
    return inner.length === 0 ? new Float64Array(WEIGHTS.shape.hidden) : inner.reduce((a, b) => add(a, b)).map((v) => v / inner.length);
  }
  return hidden.reduce((a, b) => add(a, b)).map((v) => v / hidden.length);
}

// ---------------------------------------------------------------------------------------------

/** [CLS] + random word ids + [SEP], `length` ids in all. */
function sequence(length: number, seed: number): Int32Array {
  const next = mulberry32(seed);
  const ids = Int32Array.from({ length }, () => 5 + Math.floor(next() * (vocabSize - 5)));
  if (length > 0) ids[0] = 2;
  if (length > 1) ids[length - 1] = 3;
  return ids;
}

const BATCH = [5, 1, 12, 3, 64, 2, 9].map((length, i) => sequence(length, 100 + i));

function maxDifference(actual: Float32Array, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

let teacher: OnnxTeacher;
let scratch: string;
beforeAll(async () => {
  teacher = await OnnxTeacher.load(FIXTURE, { threads: 1 });
  scratch = await mkdtemp(join(tmpdir(), "m2v-onnx-teacher-"));
});
afterAll(async () => {
  await teacher?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

/** Writes the tiny BERT (or a variant of its graph) to a fresh folder. */
async function writeVariant(name: string, options: Parameters<typeof tinyBertOnnx>[1], modelPath = "model.onnx"): Promise<string> {
  const folder = join(scratch, name);
  await mkdir(join(folder, "onnx"), { recursive: true });
  await writeFile(join(folder, modelPath), tinyBertOnnx(WEIGHTS, options));
  await writeFile(join(folder, "tokenizer.json"), JSON.stringify(wordPieceTokenizerJson()));
  await writeFile(join(folder, "config.json"), JSON.stringify(tinyBertConfig()));
  return folder;
}

describe("the tiny BERT fixture", () => {
  it("is exactly what scripts/make-tiny-bert.ts writes, and small", async () => {
    for (const [name, bytes] of tinyBertFiles()) {
      const committed = new Uint8Array(await readFile(join(FIXTURE, name)));
      expect(committed.length, name).toBe(bytes.length);
      expect(Buffer.from(committed).equals(Buffer.from(bytes)), name).toBe(true);
    }
    expect((await readFile(join(FIXTURE, "model.onnx"))).length).toBeLessThan(200_000);
  });
});

describe("OnnxTeacher.load", () => {
  it("describes the teacher from the folder", () => {
    expect(teacher.name).toBe("tiny-bert");
    expect(teacher.dim).toBe(DIM);
    expect(teacher.padId).toBe(0);
    expect(teacher.poolings).toEqual(["mean", "first", "last", "pooler", "inner-mean"]);
    expect(teacher.tokenizerJson).toEqual(wordPieceTokenizerJson());
    expect(teacher.modelPath).toBe(join(FIXTURE, "model.onnx"));
  });

  it("puts the requested default pooling first, and refuses one the graph cannot give", async () => {
    const first = await OnnxTeacher.load(FIXTURE, { pooling: "first" }); // default threads: all cores
    expect(first.poolings).toEqual(["first", "mean", "last", "pooler", "inner-mean"]);
    await first.dispose();
    const noPooler = await writeVariant("no-pooler-default", { pooler: false });
    await expect(OnnxTeacher.load(noPooler, { pooling: "pooler" })).rejects.toThrow(/pooler_output/);
    await expect(OnnxTeacher.load(FIXTURE, { pooling: "max" as Pooling })).rejects.toThrow(InvalidInputError);
  });

  it("names what it looked for when a folder has no ONNX model", async () => {
    const folder = join(scratch, "no-model");
    await mkdir(folder, { recursive: true });
    await copyFile(join(FIXTURE, "tokenizer.json"), join(folder, "tokenizer.json"));
    const error = await OnnxTeacher.load(folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toContain(folder);
    for (const path of ONNX_MODEL_PATHS) expect((error as Error).message).toContain(path);
  });

  it("finds onnx/model.onnx, and needs tokenizer.json", async () => {
    const nested = await writeVariant("nested", {}, "onnx/model.onnx");
    const loaded = await OnnxTeacher.load(nested, { threads: 1 });
    expect(loaded.modelPath).toBe(join(nested, "onnx", "model.onnx"));
    await loaded.dispose();
    await rm(join(nested, "tokenizer.json"));
    await expect(OnnxTeacher.load(nested)).rejects.toThrow(/tokenizer\.json/);
  });
});

describe("OnnxTeacher.embed", () => {
  it.each(POOLINGS)("matches a TypeScript forward pass with %s pooling, in one padded batch", async (pooling) => {
    const out = await teacher.embed(BATCH, pooling);
    const expected = BATCH.flatMap((ids) => Array.from(referencePool(Array.from(ids), pooling)));
    expect(maxDifference(out, expected)).toBeLessThan(1e-4);
  });

  it("gives each sequence the same vector alone as in a padded batch", async () => {
    for (const pooling of POOLINGS) {
      const batched = await teacher.embed(BATCH, pooling);
      for (const [i, ids] of BATCH.entries()) {
        const alone = await teacher.embed([ids], pooling);
        expect(maxDifference(alone, batched.subarray(i * DIM, (i + 1) * DIM))).toBeLessThan(1e-5);
      }
    }
  });

  it("pools an empty sequence to zeros with mean, as Python clamps the count", async () => {
    const out = await teacher.embed([new Int32Array(0), BATCH[0]!], "mean");
    expect(Array.from(out.subarray(0, DIM))).toEqual(new Array(DIM).fill(0));
    expect(maxDifference(out.subarray(DIM), referencePool(Array.from(BATCH[0]!), "mean"))).toBeLessThan(1e-4);
    expect(await teacher.embed([], "mean")).toEqual(new Float32Array(0));
  });

  it("pools sequences of 2 or fewer tokens to zeros with inner-mean, and a longer one without its first and last token", async () => {
    const short = [new Int32Array(0), sequence(1, 7), sequence(2, 8)];
    const out = await teacher.embed([...short, BATCH[0]!], "inner-mean");
    expect(Array.from(out.subarray(0, 3 * DIM))).toEqual(new Array(3 * DIM).fill(0));
    const { hidden } = referenceForward(WEIGHTS, Array.from(BATCH[0]!));
    const inner = hidden.slice(1, -1).reduce((a, b) => add(a, b)).map((v) => v / (hidden.length - 2));
    expect(maxDifference(out.subarray(3 * DIM), inner)).toBeLessThan(1e-4);
  });

  it("splits a large batch into several runs without changing results", async () => {
    const big = Array.from({ length: 300 }, (_, i) => sequence(64, 1000 + i));
    const out = await teacher.embed(big, "mean");
    for (const i of [0, 255, 256, 299]) {
      expect(maxDifference(out.subarray(i * DIM, (i + 1) * DIM), referencePool(Array.from(big[i]!), "mean"))).toBeLessThan(1e-4);
    }
  });

  it("feeds only the inputs the graph declares, and has no pooler without pooler_output", async () => {
    const folder = await writeVariant("no-token-types", { tokenTypeIds: false, pooler: false });
    // onnxruntime-node ignores unknown feeds, so record what is fed through a wrapping runtime.
    const fed: string[][] = [];
    const ort = await importOnnxRuntime();
    const runtime: OnnxRuntimeModule = {
      Tensor: ort.Tensor,
      InferenceSession: {
        async create(path, options) {
          const session = await ort.InferenceSession.create(path, options);
          return Object.assign(Object.create(session) as typeof session, {
            run: (feeds: Record<string, unknown>, fetches?: readonly string[]) => {
              fed.push(Object.keys(feeds).sort());
              return session.run(feeds, fetches);
            },
            release: () => session.release(),
          });
        },
      },
    };
    const variant = await OnnxTeacher.load(folder, { threads: 1, runtime });
    try {
      expect(variant.poolings).toEqual(["mean", "first", "last", "inner-mean"]);
      const out = await variant.embed(BATCH, "mean");
      expect(fed).toEqual([["attention_mask", "input_ids"]]);
      expect(maxDifference(out, await teacher.embed(BATCH, "mean"))).toBeLessThan(1e-5);
      await expect(variant.embed(BATCH, "pooler")).rejects.toThrow(/pooler_output/);
    } finally {
      await variant.dispose();
    }
  });

  it("refuses sequences longer than max_position_embeddings and ids outside the vocabulary", async () => {
    await expect(teacher.embed([sequence(3, 1), sequence(65, 2)], "mean")).rejects.toThrow(/sequence 1 has 65 tokens.*64/);
    await expect(teacher.embed([Int32Array.of(2, vocabSize, 3)], "mean")).rejects.toThrow(InvalidInputError);
  });

  it("refuses to run after dispose", async () => {
    const disposable = await OnnxTeacher.load(FIXTURE, { threads: 1 });
    await disposable.dispose();
    await disposable.dispose();
    await expect(disposable.embed([BATCH[0]!], "mean")).rejects.toThrow(/disposed/);
  });
});

describe("importOnnxRuntime", () => {
  it("loads onnxruntime-node", async () => {
    const runtime = await importOnnxRuntime();
    expect(typeof runtime.InferenceSession.create).toBe("function");
  });

  it("names the package and the install command when it is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from /app/dist/index.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await importOnnxRuntime(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as Error).message).toContain('"onnxruntime-node"');
    expect((error as Error).message).toContain("npm install onnxruntime-node");
    expect((error as Error).message).toContain("ONNXRUNTIME_NODE_INSTALL=skip");
    expect((error as Error).cause).toBe(missing);
  });

  it("reports a broken install differently from a missing one", async () => {
    const broken = new Error("libonnxruntime.so.1: cannot open shared object file");
    await expect(importOnnxRuntime(() => Promise.reject(broken))).rejects.toThrow(/installed but could not be loaded: libonnxruntime/);
  });
});

describe("OnnxTeacher.load by Hub id", () => {
  let server: HubServer;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    server = await startHubServer();
    process.env.HF_ENDPOINT = server.url;
    delete process.env.HF_HUB_OFFLINE;
    process.env.HF_HUB_DOWNLOAD_TIMEOUT = "5";
    const files = tinyBertFiles();
    server.addCommit("org/tiny-bert-onnx", {
      "onnx/model.onnx": files.get("model.onnx")!,
      "model.onnx": new Uint8Array(10), // the root copy must not be chosen
      "config.json": files.get("config.json")!,
      "tokenizer.json": files.get("tokenizer.json")!,
      "README.md": "tiny",
    });
    server.addCommit("org/no-onnx", { "tokenizer.json": files.get("tokenizer.json")! });
  });
  afterAll(async () => {
    process.env = savedEnv;
    await server?.close();
  });

  it("downloads config.json, tokenizer.json and onnx/model.onnx into the cache, then loads offline", async () => {
    const cacheDir = join(scratch, "hub-cache");
    const hub = await OnnxTeacher.load("org/tiny-bert-onnx", { cacheDir, threads: 1 });
    try {
      expect(hub.name).toBe("org/tiny-bert-onnx");
      expect(hub.modelPath).toMatch(/models--org--tiny-bert-onnx\/snapshots\/[0-9a-f]{40}\/onnx\/model\.onnx$/);
      expect(maxDifference(await hub.embed(BATCH, "pooler"), await teacher.embed(BATCH, "pooler"))).toBeLessThan(1e-6);
    } finally {
      await hub.dispose();
    }
    const fetched = server.requests.filter((r) => r.method === "GET" && r.url.includes("/resolve/")).map((r) => r.url);
    const files = fetched.map((url) => url.replace(/^\/org\/tiny-bert-onnx\/resolve\/[0-9a-f]{40}\//, "")).sort();
    expect([...new Set(files)]).toEqual(["config.json", "onnx/model.onnx", "tokenizer.json"]);

    const offline = await OnnxTeacher.load("org/tiny-bert-onnx", { cacheDir, localFilesOnly: true, threads: 1 });
    expect(offline.dim).toBe(DIM);
    await offline.dispose();
  });

  it("says what is missing from a repo without an ONNX model", async () => {
    const error = await OnnxTeacher.load("org/no-onnx", { cacheDir: join(scratch, "hub-cache-2") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as Error).message).toMatch(/org\/no-onnx has no ONNX model: looked for onnx\/model\.onnx and model\.onnx/);
  });

  it("reports a repo missing from the cache offline", async () => {
    await expect(OnnxTeacher.load("org/tiny-bert-onnx", { cacheDir: join(scratch, "empty-cache"), localFilesOnly: true })).rejects.toThrow(
      /not in the cache/,
    );
  });
});

it("tinyBertShape matches the fixture tokenizer", () => {
  const vocab = (wordPieceTokenizerJson().model as { vocab: Record<string, number> }).vocab;
  expect(tinyBertShape().vocabSize).toBe(Object.keys(vocab).length);
});
