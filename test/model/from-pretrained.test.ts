import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidInputError, ModelFormatError, StaticModel, TokenizerError } from "../../src/index.js";
import { type LayoutName, generateModel, tokenMapping, tokenWeights, writeModelFolder } from "../fixtures/models.js";
import { maxRelativeError, referenceMean } from "../fixtures/reference.js";
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const HELLO = 188;
const WORLD = 189;
const folders: string[] = [];
async function folder(...args: Parameters<typeof writeModelFolder>): Promise<string> {
  const path = await writeModelFolder(...args);
  folders.push(path);
  return path;
}
afterAll(async () => {
  for (const path of folders) await rm(path.replace(/[\\/]0_StaticEmbedding$/, ""), { recursive: true, force: true });
});

const base = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 3 });
const expected = referenceMean([HELLO, WORLD], base.table, 6, { normalize: true });

describe("fromPretrained: folder layouts", () => {
  const layouts: LayoutName[] = ["model2vec", "sentence-transformers", "0_StaticEmbedding", "parent-config"];
  for (const layout of layouts) {
    it(`loads the ${layout} layout`, async () => {
      const model = await StaticModel.fromPretrained(await folder(base, layout));
      expect(model.dim).toBe(6);
      expect(model.normalize).toBe(true);
      expect(maxRelativeError(model.encode("hello world"), expected)).toBeLessThan(1e-6);
    });
  }

  it("reads the embedding tensor under the names embeddings, 0 and embedding.weight", async () => {
    for (const tensorName of ["embeddings", "0", "embedding.weight"]) {
      const generated = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 3, tensorName });
      const model = await StaticModel.fromPretrained(await folder(generated, "model2vec"));
      expect(Array.from(model.encode("hello world"))).toEqual(Array.from(await firstModelVector()));
    }
  });

  it("loads from a subfolder, including a nested 0_StaticEmbedding with the config in its parent", async () => {
    const root = await mkdtemp(join(tmpdir(), "m2v-sub-"));
    folders.push(root);
    const nested = join(root, "some", "path");
    await mkdir(join(nested, "0_StaticEmbedding"), { recursive: true });
    await writeFile(join(nested, "config_sentence_transformers.json"), JSON.stringify({ normalize: true }));
    await writeFile(join(nested, "0_StaticEmbedding", "model.safetensors"), base.safetensors);
    await writeFile(join(nested, "0_StaticEmbedding", "tokenizer.json"), base.tokenizerJson);
    for (const subfolder of ["some/path", "some/path/0_StaticEmbedding", "./some/path/"]) {
      const model = await StaticModel.fromPretrained(root, { subfolder });
      expect(maxRelativeError(model.encode("hello world"), expected)).toBeLessThan(1e-6);
    }
  });

  it("prefers the native config.json when both configs exist", async () => {
    const path = await folder({ ...base, config: { normalize: false } }, "model2vec");
    await writeFile(join(path, "config_sentence_transformers.json"), JSON.stringify({ normalize: true }));
    const model = await StaticModel.fromPretrained(path);
    expect(model.normalize).toBe(false);
    expect(maxRelativeError(model.encode("hello world"), referenceMean([HELLO, WORLD], base.table, 6))).toBeLessThan(1e-6);
  });

  it("lets the normalize option override the config", async () => {
    const path = await folder(base, "model2vec");
    expect((await StaticModel.fromPretrained(path, { normalize: false })).normalize).toBe(false);
  });

  it("reads base_model and language from the README front matter", async () => {
    const readme = "---\nbase_model: BAAI/bge-base-en-v1.5\nlanguage:\n- en\n- fr\nlibrary_name: model2vec\n---\n# Card\n";
    const model = await StaticModel.fromPretrained(await folder(base, "model2vec", { readme }));
    expect(model.baseModelName).toBe("BAAI/bge-base-en-v1.5");
    expect(model.language).toEqual(["en", "fr"]);
    const empty = await StaticModel.fromPretrained(await folder(base, "model2vec", { readme: "" }));
    expect([empty.baseModelName, empty.language]).toEqual([null, null]);
  });
});

describe("fromPretrained: dtypes, weights and mapping", () => {
  for (const dtype of ["F32", "F16", "BF16", "F64", "I8"] as const) {
    it(`decodes ${dtype} embeddings`, async () => {
      const generated = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 3, dtype });
      const model = await StaticModel.fromPretrained(await folder(generated, "model2vec"));
      expect(model.embedding.data).toEqual(generated.table);
      const reference = referenceMean([HELLO, WORLD], generated.table, 6, { normalize: true });
      expect(maxRelativeError(model.encode("hello world"), reference)).toBeLessThan(1e-6);
      // Lower precision keeps the direction of the float32 vector.
      expect(cosine(model.encode("hello world"), expected)).toBeGreaterThan(0.999);
    });
  }

  for (const weightsDtype of ["F64", "F32", "F16"] as const) {
    it(`reads ${weightsDtype} weights without a mapping (the v0.7–0.8.1 format)`, async () => {
      const generated = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 3, weights: true, weightsDtype });
      const model = await StaticModel.fromPretrained(await folder(generated, "model2vec"));
      const weights = tokenWeights(model.tokens.length);
      expect(maxRelativeError(model.weights!, weights)).toBeLessThan(weightsDtype === "F16" ? 1e-3 : 1e-7);
      const reference = referenceMean([HELLO, WORLD], generated.table, 6, { weights: model.weights!, normalize: true });
      expect(maxRelativeError(model.encode("hello world"), reference)).toBeLessThan(1e-6);
    });
  }

  for (const mappingDtype of ["I32", "I64"] as const) {
    it(`reads an ${mappingDtype} mapping of a vocabulary-quantized model`, async () => {
      const generated = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 3, clusters: 10, mappingDtype });
      const model = await StaticModel.fromPretrained(await folder(generated, "model2vec"));
      const size = model.tokens.length;
      expect(model.vocabularyQuantization).toBe(10);
      const reference = referenceMean([HELLO, WORLD], generated.table, 6, {
        weights: tokenWeights(size),
        mapping: tokenMapping(size, 10),
        normalize: true,
      });
      expect(maxRelativeError(model.encode("hello world"), reference)).toBeLessThan(1e-6);
    });
  }
});

describe("fromPretrained: errors", () => {
  it("lists every layout tried when the model files are missing", async () => {
    const empty = await mkdtemp(join(tmpdir(), "m2v-empty-"));
    folders.push(empty);
    await writeFile(join(empty, "tokenizer.json"), base.tokenizerJson);
    const error = await StaticModel.fromPretrained(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    const message = (error as Error).message;
    for (const layout of ["model2vec", "sentence-transformers", "0_StaticEmbedding", "config in its parent folder"]) {
      expect(message).toContain(layout);
    }
    expect(message).toContain(join(empty, "config.json"));
    expect(message).toContain(join(empty, "model.safetensors"));
  });

  it("names the file when config.json or tokenizer.json is broken", async () => {
    const badConfig = await folder(base, "model2vec");
    await writeFile(join(badConfig, "config.json"), "{ not json");
    await expect(StaticModel.fromPretrained(badConfig)).rejects.toThrow(/config\.json does not parse as JSON/);
    const badTokenizer = await folder(base, "model2vec");
    await writeFile(join(badTokenizer, "tokenizer.json"), '{"model": {}}');
    await expect(StaticModel.fromPretrained(badTokenizer)).rejects.toThrow(TokenizerError);
  });

  it("names the safetensors file and tensor at fault", async () => {
    const path = await folder(base, "model2vec");
    await writeFile(join(path, "model.safetensors"), base.safetensors.subarray(0, base.safetensors.length - 10));
    await expect(StaticModel.fromPretrained(path)).rejects.toThrow(
      new RegExp(`${join(path, "model.safetensors").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*tensor "embeddings"`),
    );
  });

  it("rejects subfolders that escape the model folder and paths that are neither folders nor Hub ids", async () => {
    await expect(StaticModel.fromPretrained(".", { subfolder: "../x" })).rejects.toThrow(InvalidInputError);
    await expect(StaticModel.fromPretrained(".", { subfolder: "/etc" })).rejects.toThrow(InvalidInputError);
    await expect(StaticModel.fromPretrained(42 as unknown as string)).rejects.toThrow(InvalidInputError);
    await expect(StaticModel.fromPretrained("./no/such/folder")).rejects.toThrow(/neither a local folder nor a valid Hub model id/);
  });
});

describe("fromBuffers", () => {
  it("equals fromPretrained on the same files, with no file system", async () => {
    const fromDisk = await StaticModel.fromPretrained(await folder(base, "model2vec"));
    const fromBytes = StaticModel.fromBuffers({
      model: base.safetensors,
      tokenizer: new TextEncoder().encode(base.tokenizerJson),
      config: JSON.stringify(base.config),
    });
    expect(fromBytes.encode(["hello world", "the fox"]).data).toEqual(fromDisk.encode(["hello world", "the fox"]).data);
  });

  it("rejects a model that is not bytes", () => {
    expect(() => StaticModel.fromBuffers({ model: "nope" as unknown as Uint8Array, tokenizer: base.tokenizerJson })).toThrow(
      /model.safetensors: expected bytes/,
    );
  });
});

async function firstModelVector(): Promise<Float32Array> {
  return StaticModel.fromBuffers({ model: base.safetensors, tokenizer: base.tokenizerJson, config: base.config }).encode("hello world");
}

