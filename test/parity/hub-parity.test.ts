/** Every model2vec-rs fixture folder, served by the local Hub, loads by id and reproduces Python's outputs. */
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { type HubServer, startHubServer } from "../fixtures/hub-server.js";
import { maxRelativeError } from "../fixtures/reference.js";
import { sharedPath } from "../shared.js";

const fixtures = sharedPath("reference/model2vec-rs-fixtures");
const FOLDERS = ["test-model-float32", "test-model-float16", "test-model-int8", "test-model-sentence-transformers", "test-model-vocab-quantized"];
const LONG_TEXT = Array(1000).fill("hello").join(" ");
const golden = (file: string): number[] => (JSON.parse(readFileSync(join(fixtures.path, file), "utf8")) as number[][])[0]!;

describe.skipIf(!fixtures.available)("model2vec-rs fixtures through the local Hub", () => {
  let server: HubServer;
  let cacheDir: string;
  beforeAll(async () => {
    server = await startHubServer();
    cacheDir = await mkdtemp(join(tmpdir(), "m2v-hub-parity-"));
    for (const folder of FOLDERS) {
      const files: Record<string, Uint8Array> = {};
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else files[relative(join(fixtures.path, folder), path)] = readFileSync(path);
        }
      };
      walk(join(fixtures.path, folder));
      server.addCommit(`minishlab/${folder}`, files);
    }
    process.env.HF_ENDPOINT = server.url;
  });
  afterAll(async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const load = (folder: string) => StaticModel.fromPretrained(`minishlab/${folder}`, { cacheDir });

  it("float32 and the Sentence-Transformers layout reproduce embeddings_short/long.json", async () => {
    for (const folder of ["test-model-float32", "test-model-sentence-transformers"]) {
      const model = await load(folder);
      expect(maxRelativeError(model.encode("hello world"), golden("embeddings_short.json"))).toBeLessThan(1e-5);
      expect(maxRelativeError(model.encode(LONG_TEXT), golden("embeddings_long.json"))).toBeLessThan(1e-5);
    }
  });

  it("vocab-quantized reproduces embeddings_vocab_quantized.json", async () => {
    const model = await load("test-model-vocab-quantized");
    expect(maxRelativeError(model.encode(LONG_TEXT), golden("embeddings_vocab_quantized.json"))).toBeLessThan(1e-5);
  });

  it("float16 and int8 stay within relative 0.1 of Python's float32 output", async () => {
    for (const folder of ["test-model-float16", "test-model-int8"]) {
      const model = await load(folder);
      expect(maxRelativeError(model.encode("hello world"), golden("embeddings_short.json"))).toBeLessThan(0.1);
    }
  });

  it("a fixture saved by us and reloaded still reproduces the golden output", async () => {
    const model = await load("test-model-vocab-quantized");
    const folder = join(cacheDir, "resaved");
    await model.savePretrained(folder);
    const reloaded = await StaticModel.fromPretrained(folder);
    expect(maxRelativeError(reloaded.encode(LONG_TEXT), golden("embeddings_vocab_quantized.json"))).toBeLessThan(1e-5);
  });
});
