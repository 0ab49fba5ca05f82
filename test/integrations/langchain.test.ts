/** The LangChain adapter: `Embeddings` that reproduce `model.encode` and rank documents sensibly. */
import { Document } from "@langchain/core/documents";
import { Embeddings, type EmbeddingsInterface } from "@langchain/core/embeddings";
import { cosineSimilarity } from "@langchain/core/utils/math";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { Model2VecEmbeddings } from "../../src/integrations/langchain.js";
import { expectClose } from "../fixtures/reference.js";

let model: StaticModel;
beforeAll(async () => {
  model = await StaticModel.fromPretrained();
});


/** A minimal in-memory store: rank documents by cosine similarity to the query (core ships no MemoryVectorStore). */
async function rank(embeddings: EmbeddingsInterface, docs: Document[], query: string, k: number) {
  const vectors = await embeddings.embedDocuments(docs.map((doc) => doc.pageContent));
  const [scores] = cosineSimilarity([await embeddings.embedQuery(query)], vectors);
  return docs
    .map((doc, i) => ({ doc, score: scores![i]! }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

describe("Model2VecEmbeddings", () => {
  it("is a LangChain Embeddings whose vectors equal model.encode", async () => {
    const embeddings = new Model2VecEmbeddings({ model });
    expect(embeddings).toBeInstanceOf(Embeddings);
    expect(embeddings.dim).toBe(model.dim);
    const texts = ["a cat sits on the mat", "the central bank raised interest rates", ""];
    const expected = model.encode(texts);
    const vectors = await embeddings.embedDocuments(texts);
    expect(vectors).toHaveLength(texts.length);
    vectors.forEach((vector, i) => {
      expect(Array.isArray(vector)).toBe(true);
      expectClose(vector, expected.row(i));
    });
    expectClose(await embeddings.embedQuery(texts[1]!), model.encode(texts[1]!));
    expect(await embeddings.embedDocuments([])).toEqual([]);
  });

  it("fromPretrained() loads the bundled default model; encode options are forwarded", async () => {
    const loaded = await Model2VecEmbeddings.fromPretrained();
    expectClose(await loaded.embedQuery("hello world"), model.encode("hello world"));
    const raw = new Model2VecEmbeddings({ model, encode: { normalize: false, maxLength: 2 } });
    expectClose(await raw.embedQuery("one two three four"), model.encode("one two three four", { normalize: false, maxLength: 2 }));
  });

  it("ranks the documents on the query's topic first", async () => {
    const docs = [
      new Document({ pageContent: "Cats are small domesticated felines that purr.", metadata: { topic: "pets" } }),
      new Document({ pageContent: "The stock market fell as investors sold shares.", metadata: { topic: "finance" } }),
      new Document({ pageContent: "Dogs are loyal pets that love to play fetch.", metadata: { topic: "pets" } }),
      new Document({ pageContent: "Bond yields rose after the central bank decision.", metadata: { topic: "finance" } }),
    ];
    const embeddings = await Model2VecEmbeddings.fromPretrained();
    const pets = await rank(embeddings, docs, "which animals make good pets?", 2);
    expect(pets.map((hit) => hit.doc.metadata.topic)).toEqual(["pets", "pets"]);
    const money = await rank(embeddings, docs, "stock prices and interest rates", 2);
    expect(money.map((hit) => hit.doc.metadata.topic)).toEqual(["finance", "finance"]);
  });
});
