/**
 * The `license` of saved model cards: kept from the source model (card, config,
 * teacher), set by a `license` option or `--license`, and "mit" (Python
 * model2vec's) only when nothing is known.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { distillFromModel, InvalidInputError, quantizeModel, StaticModel, type Teacher } from "../../src/index.js";
import { parseFrontMatter } from "../../src/persistence/model-card.js";
import { UseTeacher } from "../../src/distill/teachers.js";
import { StaticModelForClassification } from "../../src/train/index.js";
import { tokenlearn } from "../../src/tokenlearn/index.js";
import { loadGenerated } from "../fixtures/index.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { cli, ROOT } from "../fixtures/run-cli.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { useLiteFolder } from "../fixtures/use-lite.js";

const scratch: string[] = [];
async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), "m2v-license-"));
  scratch.push(path);
  return path;
}
afterAll(async () => {
  await Promise.all(scratch.map((path) => rm(path, { recursive: true, force: true })));
});

/** The `license` in the front matter of `dir`'s README.md. */
async function savedLicense(dir: string): Promise<unknown> {
  return parseFrontMatter(await readFile(join(dir, "README.md"), "utf8")).license;
}

function cardLicense(files: Map<string, Uint8Array>): unknown {
  return parseFrontMatter(new TextDecoder().decode(files.get("README.md"))).license;
}

/** A teacher of 4-d vectors [length, sum of ids, first id, last id] over the WordPiece fixture. */
function fakeTeacher(license?: string): Teacher {
  return {
    name: "fake-teacher",
    ...(license === undefined ? {} : { license }),
    dim: 4,
    tokenizerJson: wordPieceTokenizerJson(),
    poolings: ["mean"],
    async embed(batch) {
      const out = new Float32Array(batch.length * 4);
      batch.forEach((ids, r) => out.set([ids.length, ids.reduce((a, b) => a + b, 0), ids[0] ?? 0, ids.at(-1) ?? 0], r * 4));
      return out;
    },
  };
}

describe("the bundled default model", () => {
  it("states apache-2.0 (inherited from USE) in its own card", async () => {
    const card = await readFile(join(ROOT, "models", "default", "README.md"), "utf8");
    expect(parseFrontMatter(card).license).toBe("apache-2.0");
    expect(card).toContain("Apache-2.0, which this model inherits");
  });

  it("keeps apache-2.0 after savePretrained, and after quantizeModel", async () => {
    const model = await StaticModel.fromPretrained();
    expect(model.license).toBe("apache-2.0");
    const dir = await folder();
    await model.savePretrained(dir);
    expect(await savedLicense(dir)).toBe("apache-2.0");
    // And what was saved loads with the same licence.
    expect((await StaticModel.fromPretrained(dir)).license).toBe("apache-2.0");
    expect(cardLicense(quantizeModel(model, { dimensionality: 8 }).toFiles())).toBe("apache-2.0");
  });
});

describe("the license option", () => {
  it("overrides the source model's licence in savePretrained and toFiles", async () => {
    const model = await StaticModel.fromPretrained();
    const dir = await folder();
    await model.savePretrained(dir, { license: "cc-by-4.0" });
    const card = await readFile(join(dir, "README.md"), "utf8");
    expect(parseFrontMatter(card).license).toBe("cc-by-4.0");
    expect(card.match(/^license:/gm)).toHaveLength(1);
    expect(cardLicense(model.toFiles({ license: "other" }))).toBe("other");
    // The option does not change the model.
    expect(model.license).toBe("apache-2.0");
  });

  it("refuses what is not a licence identifier, naming the option, before writing anything", async () => {
    const { model } = loadGenerated();
    const dir = join(await folder(), "out");
    await expect(model.savePretrained(dir, { license: "MIT\nmodel_name: evil" })).rejects.toThrow(InvalidInputError);
    await expect(model.savePretrained(dir, { license: "" })).rejects.toThrow(/license must be a licence identifier such as "apache-2\.0" or "mit", got ""/);
    expect(() => model.toFiles({ license: 42 as unknown as string })).toThrow(/license must be a licence identifier.*got number/);
    await expect(readFile(join(dir, "README.md"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("a model with no known licence", () => {
  it("has license null and saves Python model2vec's default, mit", async () => {
    const { model } = loadGenerated();
    expect(model.license).toBeNull();
    const dir = await folder();
    await model.savePretrained(dir);
    expect(await savedLicense(dir)).toBe("mit");
  });

  it("takes the licence from config.json when the card has none, and ignores one that is not an identifier", async () => {
    const generated = generateModel({ tokenizer: wordPieceTokenizerJson() });
    const withConfig = StaticModel.fromBuffers({
      model: generated.safetensors,
      tokenizer: generated.tokenizerJson,
      config: JSON.stringify({ ...generated.config, license: "bsd-3-clause" }),
    });
    expect(withConfig.license).toBe("bsd-3-clause");
    const source = await writeModelFolder(generated, "model2vec", { readme: "---\nlicense:\n- mit\n- apache-2.0\n---\n" });
    scratch.push(source);
    expect((await StaticModel.fromPretrained(source)).license).toBeNull();
    await writeFile(join(source, "README.md"), "---\nlicense: llama3.1\n---\n# card\n");
    expect((await StaticModel.fromPretrained(source)).license).toBe("llama3.1");
  });
});

describe("distillation, training and tokenlearn", () => {
  it("distillFromModel inherits the teacher's licence unless `license` is given", async () => {
    const inherited = await distillFromModel({ teacher: fakeTeacher("apache-2.0"), pcaDims: null });
    expect(inherited.license).toBe("apache-2.0");
    expect(cardLicense(inherited.toFiles())).toBe("apache-2.0");
    const chosen = await distillFromModel({ teacher: fakeTeacher("apache-2.0"), pcaDims: null, license: "cc-by-sa-4.0" });
    expect(cardLicense(chosen.toFiles())).toBe("cc-by-sa-4.0");
    const unknown = await distillFromModel({ teacher: fakeTeacher(), pcaDims: null });
    expect(cardLicense(unknown.toFiles())).toBe("mit");
    let embedded = false;
    const teacher = { ...fakeTeacher(), embed: async () => ((embedded = true), new Float32Array()) };
    await expect(distillFromModel({ teacher, license: "not a licence" })).rejects.toThrow(/license must be a licence identifier/);
    expect(embedded).toBe(false);
  });

  it.skipIf(useLiteFolder() === null)("UseTeacher states the Universal Sentence Encoder's apache-2.0", async () => {
    const teacher = await UseTeacher.load(useLiteFolder()!);
    try {
      expect(teacher.license).toBe("apache-2.0");
    } finally {
      await teacher.dispose();
    }
  });

  it("the classifier's savePretrained keeps the base model's licence, or takes `license`", async () => {
    const model = await StaticModel.fromPretrained();
    const texts = ["hello world", "hello there", "the quick fox", "the lazy dog"];
    const labels = ["greeting", "greeting", "animal", "animal"];
    const classifier = StaticModelForClassification.fromStaticModel({ model, seed: 1 });
    await classifier.fit([...texts, ...texts], [...labels, ...labels], { maxEpochs: 1 });
    const inherited = await folder();
    await classifier.savePretrained(inherited);
    expect(await savedLicense(inherited)).toBe("apache-2.0");
    const chosen = await folder();
    await classifier.savePretrained(chosen, { license: "mit" });
    expect(await savedLicense(chosen)).toBe("mit");
    expect(cardLicense(classifier.toFiles({ license: "cc0-1.0" }))).toBe("cc0-1.0");
  });

  it("tokenlearn's result and outputDir carry `license`, else the start model's", async () => {
    const start = await distillFromModel({ teacher: fakeTeacher("apache-2.0"), pcaDims: null, quantizeTo: "float32" });
    const corpus = Array.from({ length: 40 }, (_, i) => (i % 2 ? `hello world ${i}` : `the quick fox ${i}`));
    const common = { teacher: fakeTeacher(), corpus, model: start, pcaDims: 4, maxEpochs: 1, batchSize: 8 };
    expect((await tokenlearn(common)).model.license).toBe("apache-2.0");
    const outputDir = join(await folder(), "out");
    const { model } = await tokenlearn({ ...common, license: "cc-by-4.0", outputDir });
    expect(model.license).toBe("cc-by-4.0");
    expect(await savedLicense(outputDir)).toBe("cc-by-4.0");
    await expect(tokenlearn({ ...common, license: "a b" })).rejects.toThrow(/license must be a licence identifier.*got "a b"/);
  });
});

describe("--license on the command line", () => {
  it("quantize keeps the source's licence, and --license overrides it", async () => {
    const kept = join(await folder(), "kept");
    const run = await cli(["quantize", "--to", "float16", "--license", "apache-2.0", join(ROOT, "models", "default"), kept]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(await savedLicense(kept)).toBe("apache-2.0");
    const set = join(await folder(), "set");
    expect((await cli(["quantize", "--to", "float16", "--license", "cc-by-4.0", join(ROOT, "models", "default"), set])).code).toBe(0);
    expect(await savedLicense(set)).toBe("cc-by-4.0");
    const inherited = join(await folder(), "inherited");
    expect((await cli(["quantize", "--to", "float16", join(ROOT, "models", "default"), inherited])).code).toBe(0);
    expect(await savedLicense(inherited)).toBe("apache-2.0");
  });

  it("distill and train take --license; a bad value is a usage error naming the flag", async () => {
    const distilled = join(await folder(), "distilled");
    const tinyBert = join(ROOT, "test", "fixtures", "tiny-bert");
    const run = await cli(["distill", tinyBert, distilled, "--pca-dims", "8", "--license", "apache-2.0"]);
    expect(run.code).toBe(0);
    expect(await savedLicense(distilled)).toBe("apache-2.0");

    const data = join(await folder(), "labels.csv");
    await writeFile(data, "text,label\nhello world,greeting\nhello there,greeting\nthe quick fox,animal\nthe lazy dog,animal\n".repeat(2));
    const trained = join(await folder(), "classifier");
    const train = await cli(["train", data, trained, "--max-epochs", "1", "--license", "cc-by-nc-4.0"]);
    expect(train.code).toBe(0);
    expect(await savedLicense(trained)).toBe("cc-by-nc-4.0");

    for (const command of ["quantize", "distill", "train"]) {
      const bad = await cli([command, "x", join(await folder(), "never"), "--license", "not a licence"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--license");
      expect(bad.stderr).toContain('expected a licence identifier such as "apache-2.0" or "mit"');
    }
  });
});
