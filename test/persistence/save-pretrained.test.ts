import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StaticModel, readSafetensors } from "../../src/index.js";
import { parseFrontMatter } from "../../src/persistence/model-card.js";
import { loadGenerated } from "../fixtures/index.js";
import { type LayoutName, generateModel, writeModelFolder } from "../fixtures/models.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const scratch = await mkdtemp(join(tmpdir(), "m2v-save-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));
let counter = 0;
const folder = () => join(scratch, `model-${counter++}`);
const TEXTS = ["hello world", "the quick brown fox", "", "static embeddings, fast!"];

async function roundTrip(model: StaticModel): Promise<StaticModel> {
  const path = folder();
  await model.savePretrained(path);
  return StaticModel.fromPretrained(path);
}

describe("savePretrained round trips", () => {
  for (const dtype of ["F32", "F16", "F64", "I8"] as const) {
    it(`save → load → encode is equal for ${dtype} embeddings`, async () => {
      const { model } = loadGenerated({ dtype, dim: 8 });
      const reloaded = await roundTrip(model);
      expect(reloaded.embeddingDtype).toBe(model.embeddingDtype);
      expect(reloaded.embedding.data).toEqual(model.embedding.data);
      expect(reloaded.encode(TEXTS).data).toEqual(model.encode(TEXTS).data);
    });
  }

  it("keeps weights and mapping of a vocabulary-quantized model", async () => {
    const { model } = loadGenerated({ clusters: 12, mappingDtype: "I64", dim: 5 });
    const reloaded = await roundTrip(model);
    expect(reloaded.vocabularyQuantization).toBe(12);
    expect(reloaded.mapping).toEqual(model.mapping);
    expect(reloaded.weights).toEqual(model.weights);
    expect(reloaded.encode(TEXTS).data).toEqual(model.encode(TEXTS).data);
  });

  it("re-saves a Sentence-Transformers layout model as model2vec with equal encodings", async () => {
    for (const layout of ["sentence-transformers", "0_StaticEmbedding"] as LayoutName[]) {
      const source = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), config: { normalize: true } }), layout);
      const model = await StaticModel.fromPretrained(source);
      const reloaded = await roundTrip(model);
      expect(reloaded.encode(TEXTS).data).toEqual(model.encode(TEXTS).data);
      await rm(source, { recursive: true, force: true });
    }
  });

  it("keeps normalize, base model and language", async () => {
    const { model } = loadGenerated({}, { normalize: false });
    model.baseModelName = "BAAI/bge-base-en-v1.5";
    model.language = ["en"];
    const reloaded = await roundTrip(model);
    expect([reloaded.normalize, reloaded.baseModelName, reloaded.language]).toEqual([false, "BAAI/bge-base-en-v1.5", ["en"]]);
  });
});

describe("the saved file set matches Python model2vec's", () => {
  it("writes exactly model.safetensors, tokenizer.json, config.json, modules.json and README.md", async () => {
    const { model } = loadGenerated({ config: { model_type: "model2vec", architectures: ["StaticModel"], apply_pca: 8, normalize: true } });
    const path = folder();
    await model.savePretrained(path);
    expect((await readdir(path)).sort()).toEqual(["README.md", "config.json", "model.safetensors", "modules.json", "tokenizer.json"]);

    const config = JSON.parse(await readFile(join(path, "config.json"), "utf8"));
    expect(config).toEqual({ model_type: "model2vec", architectures: ["StaticModel"], apply_pca: 8, normalize: true, embedding_dtype: "float32" });
    expect(await readFile(join(path, "config.json"), "utf8")).toContain('\n    "model_type": "model2vec"'); // indent=4

    expect(JSON.parse(await readFile(join(path, "modules.json"), "utf8"))).toEqual([
      { idx: 0, name: "0", path: ".", type: "sentence_transformers.models.StaticEmbedding" },
      { idx: 1, name: "1", path: "1_Normalize", type: "sentence_transformers.models.Normalize" },
    ]);

    const { tensors } = readSafetensors(await readFile(join(path, "model.safetensors")));
    expect([...tensors.keys()]).toEqual(["embeddings"]);
    expect(tensors.get("embeddings")!.shape).toEqual([model.tokens.length, model.dim]);

    const card = await readFile(join(path, "README.md"), "utf8");
    const frontMatter = parseFrontMatter(card);
    expect(Object.keys(frontMatter)).toEqual(["library_name", "license", "model_name", "tags"]);
    expect(frontMatter).toEqual({
      library_name: "model2vec",
      license: "mit",
      model_name: `model-${counter - 1}`,
      tags: ["embeddings", "static-embeddings", "sentence-transformers"],
    });
    expect(JSON.parse(await readFile(join(path, "tokenizer.json"), "utf8"))).toEqual(model.tokenizer.toJSON());
  });

  it("adds vocabulary_quantization and the weights/mapping tensors only when quantized, and no Normalize module without normalize", async () => {
    const { model } = loadGenerated({ clusters: 7, config: { model_type: "model2vec", normalize: false, vocabulary_quantization: 99 } });
    const path = folder();
    await model.savePretrained(path, { modelName: "org/name" });
    const config = JSON.parse(await readFile(join(path, "config.json"), "utf8"));
    expect(config.vocabulary_quantization).toBe(7);
    const { tensors } = readSafetensors(await readFile(join(path, "model.safetensors")));
    expect([...tensors.values()].map((t) => [t.name, t.dtype, t.shape]).sort()).toEqual([
      ["embeddings", "F32", [7, 8]],
      ["mapping", "I32", [model.tokens.length]],
      ["weights", "F32", [model.tokens.length]],
    ]);
    expect(JSON.parse(await readFile(join(path, "modules.json"), "utf8"))).toHaveLength(1);
    expect(parseFrontMatter(await readFile(join(path, "README.md"), "utf8")).model_name).toBe("org/name");

    const { model: plain } = loadGenerated({ config: { vocabulary_quantization: 5, normalize: true } });
    const plainPath = folder();
    await plain.savePretrained(plainPath);
    expect(JSON.parse(await readFile(join(plainPath, "config.json"), "utf8"))).not.toHaveProperty("vocabulary_quantization");
  });

  it("writes base_model and language in the front matter when known", () => {
    const { model } = loadGenerated();
    model.baseModelName = "BAAI/bge-base-en-v1.5";
    model.language = ["en", "nl"];
    const card = new TextDecoder().decode(model.toFiles({ modelName: "m" }).get("README.md"));
    expect(card.startsWith("---\nbase_model: BAAI/bge-base-en-v1.5\nlanguage:\n- en\n- nl\nlibrary_name: model2vec\nlicense: mit\nmodel_name: m\ntags:\n- embeddings\n")).toBe(true);
  });
});

describe("atomic writes", () => {
  it("replaces the model's files in an existing folder, keeps other files, and leaves no temporary folder", async () => {
    const path = folder();
    await mkdir(path, { recursive: true });
    await writeFile(join(path, "notes.txt"), "mine");
    await writeFile(join(path, "config.json"), "old");
    const { model } = loadGenerated();
    await model.savePretrained(path);
    expect(await readFile(join(path, "notes.txt"), "utf8")).toBe("mine");
    expect(JSON.parse(await readFile(join(path, "config.json"), "utf8")).embedding_dtype).toBe("float32");
    expect((await readdir(scratch)).filter((name) => name.includes("m2v-tmp"))).toEqual([]);
  });

  it("fails cleanly when the target is a file, leaving it and no temporary folder", async () => {
    const path = folder();
    await writeFile(path, "a file");
    const { model } = loadGenerated();
    await expect(model.savePretrained(path)).rejects.toThrow();
    expect(await readFile(path, "utf8")).toBe("a file");
    expect((await readdir(scratch)).filter((name) => name.includes("m2v-tmp"))).toEqual([]);
  });

  it("saves into a subfolder", async () => {
    const path = folder();
    const { model } = loadGenerated();
    await model.savePretrained(path, { subfolder: "inner" });
    expect((await lstat(join(path, "inner", "model.safetensors"))).isFile()).toBe(true);
    const reloaded = await StaticModel.fromPretrained(path, { subfolder: "inner" });
    expect(reloaded.encode(TEXTS).data).toEqual(model.encode(TEXTS).data);
  });
});

describe("quantization on load and through save", () => {
  it("fromPretrained applies quantizeTo, dimensionality and vocabularyQuantization, and the result round-trips", async () => {
    const { model } = loadGenerated({ dim: 8 });
    const source = folder();
    await model.savePretrained(source);
    const int8 = await StaticModel.fromPretrained(source, { quantizeTo: "int8", dimensionality: 4 });
    expect([int8.embeddingDtype, int8.dim]).toEqual(["int8", 4]);
    expect(int8.embedding.data.every((v) => Number.isInteger(v) && Math.abs(v) <= 127)).toBe(true);
    const reloaded = await roundTrip(int8);
    expect(reloaded.embedding.data).toEqual(int8.embedding.data);
    expect(reloaded.encode(TEXTS).data).toEqual(int8.encode(TEXTS).data);

    const clustered = await StaticModel.fromPretrained(source, { vocabularyQuantization: 16 });
    expect(clustered.vocabularyQuantization).toBe(16);
    const reloadedClusters = await roundTrip(clustered);
    expect(reloadedClusters.encode(TEXTS).data).toEqual(clustered.encode(TEXTS).data);
    await expect(StaticModel.fromPretrained(source, { dimensionality: 9 })).rejects.toThrow(/dimensionality 9 exceeds/);
  });

  it("saves a table read from bfloat16 as float32", async () => {
    const { model } = loadGenerated({ dtype: "BF16" });
    expect(model.embeddingDtype).toBe("bfloat16");
    const reloaded = await roundTrip(model);
    expect(reloaded.embeddingDtype).toBe("float32");
    expect(reloaded.encode(TEXTS).data).toEqual(model.encode(TEXTS).data);
  });
});
