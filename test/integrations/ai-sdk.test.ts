/** The AI SDK adapter: an EmbeddingModelV3 that `embed`/`embedMany` accept and that reproduces `model.encode`. */
import { type EmbeddingModel, cosineSimilarity, embed, embedMany } from "ai";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { model2vecEmbeddingModel } from "../../src/integrations/ai-sdk.js";
import { expectClose } from "../fixtures/reference.js";

let model: StaticModel;
beforeAll(async () => {
  model = await StaticModel.fromPretrained();
});


describe("model2vecEmbeddingModel", () => {
  it("is an EmbeddingModelV3 (type-level and fields)", () => {
    const adapter = model2vecEmbeddingModel(model, { modelId: "potion-base-8M" });
    const asSdkModel: EmbeddingModel = adapter; // compile-time structural check against ai's type
    expect(asSdkModel).toBe(adapter);
    expect(adapter.specificationVersion).toBe("v3");
    expect(adapter.provider).toBe("model2vec");
    expect(adapter.modelId).toBe("potion-base-8M");
    expect(adapter.maxEmbeddingsPerCall).toBe(Infinity);
    expect(adapter.supportsParallelCalls).toBe(true);
  });

  it("embed() gives model.encode(text) and the token usage", async () => {
    const text = "The quick brown fox jumps over the lazy dog.";
    const result = await embed({ model: model2vecEmbeddingModel(model), value: text });
    expectClose(result.embedding, model.encode(text));
    expect(result.usage.tokens).toBe(model.tokenize(text, { maxLength: 512 }).length);
    expect(result.usage.tokens).toBeGreaterThan(0);
  });

  it("embedMany() gives model.encode(texts) in order, also when split across calls", async () => {
    const values = ["a cat sits on the mat", "stock markets fell sharply", "", "dogs and cats are pets", "interest rates rose"];
    const expected = model.encode(values);
    for (const maxEmbeddingsPerCall of [undefined, 2]) {
      const result = await embedMany({ model: model2vecEmbeddingModel(model, { maxEmbeddingsPerCall }), values });
      expect(result.embeddings).toHaveLength(values.length);
      result.embeddings.forEach((vector, i) => expectClose(vector, expected.row(i)));
      const tokens = model.tokenize(values, { maxLength: 512 }).reduce((sum, ids) => sum + ids.length, 0);
      expect(result.usage.tokens).toBe(tokens);
    }
    const [cat, , , dog, rates] = (await embedMany({ model: model2vecEmbeddingModel(model), values })).embeddings;
    expect(cosineSimilarity(cat!, dog!)).toBeGreaterThan(cosineSimilarity(cat!, rates!));
  });

  it("rejects with the abort reason when the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const adapter = model2vecEmbeddingModel(model);
    await expect(embed({ model: adapter, value: "hello", abortSignal: controller.signal })).rejects.toThrow("stop");
    await expect(adapter.doEmbed({ values: ["hello"], abortSignal: controller.signal })).rejects.toThrow("stop");
    await expect(adapter.doEmbed({ values: ["hello"], abortSignal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("doEmbed enforces maxEmbeddingsPerCall; options are validated", async () => {
    const adapter = model2vecEmbeddingModel(model, { maxEmbeddingsPerCall: 1 });
    await expect(adapter.doEmbed({ values: ["a", "b"] })).rejects.toThrow(RangeError);
    expect(() => model2vecEmbeddingModel(model, { maxEmbeddingsPerCall: 0 })).toThrow(RangeError);
  });
});
