/**
 * exportOnnx: the exported graph, run by onnxruntime-node and by transformers.js
 * (local files only), must give `model.encode`'s vectors, and the folder must
 * still load as a model2vec model.
 */
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { ONNX_EXPORT_OPSET, exportOnnx, onnxExportFiles, onnxInputs, onnxModelBytes } from "../../src/integrations/onnx.js";
import { loadGenerated } from "../fixtures/index.js";
import { WORDS } from "../fixtures/words.js";

const TEXTS = [
  "hello world",
  "",
  "The quick brown fox jumps over the lazy dog!",
  "static embeddings: a small, fast model",
  "☃ ☃ ☃", // only unknown characters: every id dropped → zero row
  "café naïve résumé über 日本語 emoji",
  "token token token token",
  Array.from({ length: 700 }, (_, i) => WORDS[i % WORDS.length]).join(" "), // cut by maxLength 512
  "x",
  "",
];

const SPECS = [
  { name: "plain", spec: {} },
  { name: "with weights", spec: { weights: true } },
  { name: "vocabulary-quantized", spec: { clusters: 16 } },
  { name: "float16 table", spec: { dtype: "F16" as const } },
];

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "model2vec-onnx-export-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function runGraph(session: ort.InferenceSession, inputIds: BigInt64Array, offsets: BigInt64Array) {
  const out = await session.run({
    input_ids: new ort.Tensor("int64", inputIds, [inputIds.length]),
    offsets: new ort.Tensor("int64", offsets, [offsets.length]),
  });
  return out.embeddings!;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("the exported graph in onnxruntime-node", () => {
  for (const { name, spec } of SPECS) {
    for (const normalize of [true, false]) {
      it(`${name}, normalize ${normalize}: equals encode`, async () => {
        const { model } = loadGenerated(spec, { normalize });
        const session = await ort.InferenceSession.create(onnxModelBytes(model));
        expect(session.inputNames).toEqual(["input_ids", "offsets"]);
        expect(session.outputNames).toEqual(["embeddings"]);

        const { inputIds, offsets } = onnxInputs(model, TEXTS);
        expect(offsets.length).toBe(TEXTS.length);
        const expected = model.encode(TEXTS);
        const embeddings = await runGraph(session, inputIds, offsets);
        expect(embeddings.type).toBe("float32");
        expect(embeddings.dims).toEqual([TEXTS.length, model.dim]);
        const data = embeddings.data as Float32Array;
        expect(maxAbsDiff(data, expected.data)).toBeLessThan(1e-5);

        // Empty texts (and texts of unknown tokens only) give zero rows.
        for (const i of [1, 4, 9]) expect(Array.from(data.subarray(i * model.dim, (i + 1) * model.dim)).every((v) => v === 0)).toBe(true);
        if (normalize) {
          const row = data.subarray(0, model.dim);
          expect(Math.hypot(...row)).toBeCloseTo(1, 5);
        }
        // The long text was cut as encode cuts it (characters, then ids).
        const kept = Number(offsets[8]! - offsets[7]!);
        expect(kept).toBe(model.tokenize(TEXTS[7]!, { maxLength: 512 }).length);
        expect(kept).toBeLessThan(model.tokenize(TEXTS[7]!).length);
      });
    }
  }

  it("handles a batch of empty texts (no tokens at all) and an empty batch", async () => {
    const { model } = loadGenerated({ clusters: 16 });
    const session = await ort.InferenceSession.create(onnxModelBytes(model));
    const allEmpty = onnxInputs(model, ["", "", ""]);
    expect(allEmpty.inputIds.length).toBe(0);
    const zeros = await runGraph(session, allEmpty.inputIds, allEmpty.offsets);
    expect(zeros.dims).toEqual([3, model.dim]);
    expect(Array.from(zeros.data as Float32Array).every((v) => v === 0)).toBe(true);
    const none = await runGraph(session, new BigInt64Array(0), new BigInt64Array(0));
    expect(none.dims).toEqual([0, model.dim]);
  });

  it("pools each text alone the same as in a batch, and with no maxLength cut", async () => {
    const { model } = loadGenerated({ weights: true }, { normalize: true });
    const session = await ort.InferenceSession.create(onnxModelBytes(model));
    const uncut = onnxInputs(model, TEXTS, { maxLength: null });
    const batched = (await runGraph(session, uncut.inputIds, uncut.offsets)).data as Float32Array;
    expect(maxAbsDiff(batched, model.encode(TEXTS, { maxLength: null }).data)).toBeLessThan(1e-5);
    for (let i = 0; i < TEXTS.length; i++) {
      const single = onnxInputs(model, [TEXTS[i]!], { maxLength: null });
      const row = (await runGraph(session, single.inputIds, single.offsets)).data as Float32Array;
      expect(maxAbsDiff(row, batched.subarray(i * model.dim, (i + 1) * model.dim))).toBeLessThan(1e-6);
    }
  });

  it("stores the table once, as float32, whatever its stored dtype", () => {
    for (const { spec } of SPECS) {
      const { model } = loadGenerated(spec);
      const tensors = model.embedding.rows * model.dim * 4 + (model.weights ? model.weights.length * 4 : 0) + (model.mapping ? model.mapping.length * 4 : 0);
      const size = onnxModelBytes(model).length;
      expect(size).toBeGreaterThan(tensors);
      expect(size - tensors).toBeLessThan(4096);
    }
  });

  it("refuses offsets past the last token", async () => {
    const { model } = loadGenerated({});
    // Severity 4 (fatal only): ORT would log the kernel's "invalid indice" error before rejecting.
    const session = await ort.InferenceSession.create(onnxModelBytes(model), { logSeverityLevel: 4 });
    const { inputIds } = onnxInputs(model, ["hello world"]);
    await expect(runGraph(session, inputIds, BigInt64Array.of(0n, 5n))).rejects.toThrow();
  });

  it(`uses the standard domain only, at opset ${ONNX_EXPORT_OPSET}`, async () => {
    const { model } = loadGenerated({ clusters: 16 }, { normalize: true });
    const bytes = onnxModelBytes(model);
    // The opset_import entry: field 8 { field 2 (version) } with no domain, and no other.
    expect(Buffer.from(bytes).subarray(-4)).toEqual(Buffer.from([0x42, 0x02, 0x10, ONNX_EXPORT_OPSET]));
    expect(Buffer.from(bytes).indexOf(Buffer.from([0x42, 0x02, 0x10]))).toBe(bytes.length - 4);
  });
});

describe("the exported folder", () => {
  it("holds the savePretrained files plus the ONNX graph and tokenizer files", async () => {
    const { model } = loadGenerated({ clusters: 16 }, { normalize: true });
    const folder = join(root, "files");
    await exportOnnx(model, folder);
    const names = (await readdir(folder, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split("\\").join("/"))
      .sort();
    const saved = [...model.toFiles().keys()];
    expect(names).toEqual(
      [...saved, "onnx/model.onnx", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt"].sort(),
    );
    // No temporary folder is left beside it.
    expect((await readdir(root)).filter((name) => name.includes("m2v-tmp"))).toEqual([]);

    // config.json keeps every key savePretrained writes, with the same values, and only adds.
    const decoder = new TextDecoder();
    const savedConfig = JSON.parse(decoder.decode(model.toFiles().get("config.json"))) as Record<string, unknown>;
    const config = JSON.parse(await readFile(join(folder, "config.json"), "utf8")) as Record<string, unknown>;
    for (const [key, value] of Object.entries(savedConfig)) expect(config[key]).toEqual(value);
    expect(config.model_type).toBe("model2vec");
    expect(config["transformers.js_config"]).toEqual({ dtype: "fp32" });
    // The other savePretrained files are byte for byte the same.
    for (const [name, bytes] of model.toFiles({ modelName: "files" })) {
      if (name !== "config.json") expect(Buffer.compare(await readFile(join(folder, name)), Buffer.from(bytes)), name).toBe(0);
    }

    const vocab = (await readFile(join(folder, "vocab.txt"), "utf8")).split("\n");
    expect(vocab.slice(0, -1)).toEqual(model.tokens);
    const tokenizerConfigText = await readFile(join(folder, "tokenizer_config.json"), "utf8");
    expect(tokenizerConfigText).toContain('"model_max_length": 1000000000000000019884624838656');
    const tokenizerConfig = JSON.parse(tokenizerConfigText) as Record<string, unknown>;
    expect(tokenizerConfig.tokenizer_class).toBe("PreTrainedTokenizerFast");
    expect(tokenizerConfig.unk_token).toBe("[UNK]");
    expect(tokenizerConfig.pad_token).toBe("[PAD]");
    expect((tokenizerConfig.added_tokens_decoder as Record<string, { content: string }>)["1"]!.content).toBe("[UNK]");
    const specialTokens = JSON.parse(await readFile(join(folder, "special_tokens_map.json"), "utf8")) as Record<string, string>;
    expect(specialTokens).toEqual({ unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]" });
    expect((await stat(join(folder, "onnx/model.onnx"))).size).toBe(onnxModelBytes(model).length);
  });

  for (const { name, spec } of SPECS) {
    it(`${name}: loads with StaticModel.fromPretrained and encodes identically`, async () => {
      const { model } = loadGenerated(spec, { normalize: true });
      const folder = join(root, `reload-${name.replace(/\W+/g, "-")}`);
      await exportOnnx(model, folder);
      const reloaded = await StaticModel.fromPretrained(folder);
      expect(reloaded.normalize).toBe(true);
      expect(reloaded.vocabularyQuantization).toBe(model.vocabularyQuantization);
      expect(Buffer.compare(Buffer.from(reloaded.encode(TEXTS).data.buffer), Buffer.from(model.encode(TEXTS).data.buffer))).toBe(0);
    });
  }

  it("re-exporting into the same folder replaces the files", async () => {
    const folder = join(root, "twice");
    await exportOnnx(loadGenerated({}, { normalize: false }).model, folder);
    const { model } = loadGenerated({ weights: true }, { normalize: true });
    await exportOnnx(model, folder);
    const session = await ort.InferenceSession.create(join(folder, "onnx", "model.onnx"));
    const { inputIds, offsets } = onnxInputs(model, TEXTS);
    const out = await runGraph(session, inputIds, offsets);
    expect(maxAbsDiff(out.data as Float32Array, model.encode(TEXTS).data)).toBeLessThan(1e-5);
    expect(onnxExportFiles(model).get("onnx/model.onnx")!.length).toBe((await stat(join(folder, "onnx/model.onnx"))).size);
  });
});

describe("transformers.js (local files only)", () => {
  it("AutoTokenizer reproduces model2vec's ids and AutoModel runs the graph", async () => {
    const { AutoModel, AutoTokenizer, LogLevel, Tensor, env } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    env.useFSCache = false;
    env.logLevel = LogLevel.NONE; // AutoModel warns `Unknown model class "model2vec"` and falls back to the base class.

    for (const { name, spec } of SPECS.slice(0, 3)) {
      const { model } = loadGenerated(spec, { normalize: true });
      const id = `tjs-${name.replace(/\W+/g, "-")}`;
      await exportOnnx(model, join(root, id));

      const tokenizer = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
      expect(tokenizer.unk_token_id).toBe(model.unkTokenId);
      const texts = TEXTS.filter((text) => text.length < 1000); // the 700-word text needs encode's 512 cut
      const ids = texts.map((text) => tokenizer.encode(text, { add_special_tokens: false }).filter((t) => t !== tokenizer.unk_token_id));
      expect(ids).toEqual(model.tokenize(texts).map((row) => Array.from(row)));

      const automodel = await AutoModel.from_pretrained(id, { local_files_only: true });
      expect(automodel.sessions.model!.inputNames).toEqual(["input_ids", "offsets"]);
      const flat = BigInt64Array.from(ids.flat(), (t) => BigInt(t));
      const offsets = BigInt64Array.from(ids, (_, i) => BigInt(ids.slice(0, i).reduce((n, row) => n + row.length, 0)));
      const out = (await automodel({
        input_ids: new Tensor("int64", flat, [flat.length]),
        offsets: new Tensor("int64", offsets, [offsets.length]),
      })) as { embeddings: { dims: number[]; data: Float32Array } };
      expect(out.embeddings.dims).toEqual([texts.length, model.dim]);
      expect(maxAbsDiff(out.embeddings.data, model.encode(texts).data)).toBeLessThan(1e-5);

      // The standard feature-extraction call (padded 2-D input_ids + attention_mask) does not fit
      // this signature: transformers.js asks for the missing `offsets`.
      const padded = await tokenizer(texts, { padding: true, add_special_tokens: false });
      await expect(automodel(padded)).rejects.toThrow(/Missing the following inputs: offsets/);
      await automodel.dispose();
    }
  });
});
