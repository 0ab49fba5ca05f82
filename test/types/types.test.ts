/**
 * The public types as a strict TypeScript project sees them: options accept
 * `undefined` under `exactOptionalPropertyTypes` (TS2379 otherwise), `encode`
 * takes `string | string[]`, and `undefined` options act as absent at run time.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Embeddings, quantizeModel, StaticModel } from "../../src/index.js";
import { ENTRY_POINTS } from "../../scripts/entry-points.js";
import { ROOT } from "../fixtures/run-cli.js";
import { publicOptionalProperties } from "./public-options.js";


describe("types under exactOptionalPropertyTypes", () => {
  it("a strict consumer compiles: undefined for every option, process.env.HF_TOKEN as token, encode(string | string[])", async () => {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const run = await promisify(execFile)(process.execPath, [tsc, "-p", join(ROOT, "test", "types"), "--pretty", "false"], { cwd: ROOT }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(run.stdout).toBe("");
    expect(run.code).toBe(0);
    // Without the setting, the file would compile today's types too and prove nothing.
    const config = JSON.parse(await readFile(join(ROOT, "test", "types", "tsconfig.json"), "utf8").then((text) => text.replace(/^\s*\/\/.*$/gm, "")));
    expect(config.compilerOptions).toMatchObject({ exactOptionalPropertyTypes: true });
  }, 180_000);

  it("every optional property of the options types the entry points take is declared `?: T | undefined`", () => {
    const properties = publicOptionalProperties(ROOT, Object.values(ENTRY_POINTS));
    // The sweep reaches the options of every entry point (about 200 properties).
    expect(properties.length).toBeGreaterThan(150);
    expect(properties.map((p) => p.name)).toEqual(
      expect.arrayContaining(["HubFilesOptions.token", "EncodeOptions.maxLength", "FitOptions.signal", "ServerOptions.port", "HandlerOptions.apiKey", "Model2VecEmbeddingModelOptions.encode"]),
    );
    expect(properties.filter((p) => !p.acceptsUndefined).map(({ name, where }) => `${where} ${name}`)).toEqual([]);
  }, 180_000);
});

describe("undefined options act as absent", () => {
  it("in encode, encodeAsSequence, tokenize, quantizeModel, fromPretrained and savePretrained", async () => {
    const model = await StaticModel.fromPretrained(undefined, { token: undefined, revision: undefined, normalize: undefined, quantizeTo: undefined });
    expect(model.normalize).toBe(true);
    const texts = ["It's dangerous to go alone!", "Take this."];
    const all = { maxLength: undefined, batchSize: undefined, normalize: undefined, threads: undefined };
    expect(model.encode(texts, all).data).toEqual(model.encode(texts).data);
    expect(model.encodeAsSequence(texts[0]!, { maxLength: undefined, batchSize: undefined }).data).toEqual(model.encodeAsSequence(texts[0]!).data);
    expect(model.tokenize(texts, { maxLength: undefined })).toEqual(model.tokenize(texts));

    const input: string | string[] = Math.random() < 2 ? texts : texts[0]!;
    expect(model.encode(input)).toBeInstanceOf(Embeddings);

    const same = quantizeModel(model, { quantizeTo: undefined, dimensionality: undefined, vocabularyQuantization: undefined, kmeans: undefined });
    expect(same.embedding.data).toEqual(model.embedding.data);

    const folder = await mkdtemp(join(tmpdir(), "m2v-types-"));
    try {
      await model.savePretrained(folder, { modelName: undefined, subfolder: undefined, license: undefined });
      const card = await readFile(join(folder, "README.md"), "utf8");
      expect(card).toContain(`model_name: ${folder.split("/").pop()}`);
      expect(card).toContain("license: apache-2.0");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
