/**
 * Parity with Python model2vec on the model2vec-rs fixtures (REFERENCE §8): the
 * expected vectors were produced by the Python library.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HuggingFaceTokenizer, StaticModel } from "../../src/index.js";
import { maxRelativeError } from "../fixtures/reference.js";
import { sharedPath } from "../shared.js";

const fixtures = sharedPath("reference/model2vec-rs-fixtures");
const load = (name: string) => StaticModel.fromPretrained(join(fixtures.path, name));
const expected = (file: string): number[] => (JSON.parse(readFileSync(join(fixtures.path, file), "utf8")) as number[][])[0]!;
const LONG_TEXT = Array(1000).fill("hello").join(" ");

describe.skipIf(!fixtures.available)("parity with Python model2vec", () => {
  it("test-model-float32 matches embeddings_short.json and embeddings_long.json within 1e-5", async () => {
    const model = await load("test-model-float32");
    expect(model.tokens.length).toBe(29528);
    expect(model.medianTokenLength).toBe(6);
    expect(maxRelativeError(model.encode("hello world"), expected("embeddings_short.json"))).toBeLessThan(1e-5);
    // 1000 × "hello" is cut to 512 × 6 code points, then 512 ids.
    expect(model.tokenize(LONG_TEXT, { maxLength: 512 }).length).toBe(512);
    expect(maxRelativeError(model.encode(LONG_TEXT), expected("embeddings_long.json"))).toBeLessThan(1e-5);
  });

  it("test-model-vocab-quantized matches embeddings_vocab_quantized.json within 1e-5", async () => {
    const model = await load("test-model-vocab-quantized");
    expect([model.tokens.length, model.embedding.rows, model.dim]).toEqual([29524, 128, 64]);
    expect(model.vocabularyQuantization).toBe(128);
    expect(model.medianTokenLength).toBe(7); // Python's median; model2vec-rs gets 9
    expect(model.unkTokenId).toBe(1);
    expect(maxRelativeError(model.encode(LONG_TEXT), expected("embeddings_vocab_quantized.json"))).toBeLessThan(1e-5);
  });

  it("the Sentence-Transformers layout equals float32 within 1e-6", async () => {
    const [st, f32] = await Promise.all([load("test-model-sentence-transformers"), load("test-model-float32")]);
    expect(st.normalize).toBe(true);
    const texts = ["hello world", LONG_TEXT, "Static embeddings, distilled!", ""];
    expect(maxRelativeError(st.encode(texts).data, f32.encode(texts).data)).toBeLessThan(1e-6);
  });

  it("float16 and int8 stay within relative 0.1 of float32", async () => {
    const f32 = await load("test-model-float32");
    for (const name of ["test-model-float16", "test-model-int8"]) {
      const model = await load(name);
      expect(model.embeddingDtype).toBe(name.endsWith("16") ? "float16" : "int8");
      expect(maxRelativeError(model.encode("hello world"), f32.encode("hello world"))).toBeLessThan(0.1);
    }
  });

  it("loads the full bert-base-uncased tokenizer (30,522 tokens) with its ids", () => {
    const bert = HuggingFaceTokenizer.fromJSON(readFileSync(join(fixtures.path, "../bert-base-uncased-tokenizer/tokenizer.json")));
    expect(bert.vocabulary.length).toBe(30522);
    expect(bert.unkId).toBe(100);
    expect(Array.from(bert.encode("Hello world"))).toEqual([7592, 2088]);
  });
});
