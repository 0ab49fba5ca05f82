/**
 * The Model2Vec Orama plugin: vectors filled on insert equal model.encode of the
 * joined text, vector search equals a brute-force cosine top-k, hybrid search
 * equals Orama's full-text scores merged with brute-force cosines, and the
 * parameters of `@orama/plugin-embeddings` work unchanged.
 */
import { rm } from "node:fs/promises";
import { create, getByID, insert, insertMultiple, search } from "@orama/orama";
import type { PluginEmbeddingsParams as OramaPluginParams } from "@orama/plugin-embeddings";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { InvalidInputError, StaticModel } from "../../src/index.js";
import { embeddingsType, pluginEmbeddings } from "../../src/integrations/orama.js";
import { rejection, thrown } from "../fixtures/errors.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { expectClose } from "../fixtures/reference.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import { bruteForceTopK, randomSentences } from "./corpus.js";

const DOCS = 2_000;
const K = 10;
const SCHEMA = { text: "string", embeddings: embeddingsType } as const;
/** `@orama/plugin-embeddings`' own parameter type: the drop-in takes it as is. */
const PARAMS: OramaPluginParams = { embeddings: { defaultProperty: "embeddings", onInsert: { generate: true, properties: ["text"] } } };

let model: StaticModel;
let texts: string[];
let documents: Float32Array[];
let queries: string[];

beforeAll(async () => {
  model = await StaticModel.fromPretrained();
  texts = randomSentences(model, DOCS, 5);
  const matrix = model.encode(texts, { normalize: true });
  documents = Array.from({ length: DOCS }, (_, i) => matrix.row(i));
  // Queries share words with the corpus, so the full-text half of hybrid search has hits.
  queries = [...randomSentences(model, 6, 77), texts[42]!, texts[1999]!.split(" ").slice(0, 3).join(" ")];
});

async function corpusDb() {
  const db = create({ schema: SCHEMA, plugins: [await pluginEmbeddings(PARAMS)] });
  insertMultiple(db, texts.map((text, i) => ({ id: String(i), text })));
  return db;
}

describe("model2vec/orama pluginEmbeddings", () => {
  it("fills the vector property on insert with model.encode of the joined properties, as plain unit-length arrays, synchronously", async () => {
    expect(embeddingsType).toBe(`vector[${model.dim}]`);
    const plugin = await pluginEmbeddings({
      model,
      embeddings: { defaultProperty: "embeddings", onInsert: { generate: true, properties: ["title", "meta.body"] } },
    });
    expect(plugin.name).toBe("model2vec-embeddings");
    const db = create({ schema: { title: "string", meta: { body: "string" }, embeddings: embeddingsType } as const, plugins: [plugin] });
    // Synchronous hooks keep Orama's insert synchronous: an id, not a promise.
    expect(insert(db, { id: "a", title: "Cats", meta: { body: "They purr when content" } })).toBe("a");
    insert(db, { id: "b", title: "Only a title" });
    const a = getByID(db, "a")!;
    expect(Array.isArray(a.embeddings)).toBe(true);
    expectClose(a.embeddings as number[], model.encode("Cats. They purr when content", { normalize: true }));
    expectClose(getByID(db, "b")!.embeddings as number[], model.encode("Only a title", { normalize: true }));
    // verbose logs each text, as Orama's plugin does.
    const logged = vi.spyOn(console, "log").mockImplementation(() => {});
    const verbose = await pluginEmbeddings({ model, embeddings: { defaultProperty: "embeddings", onInsert: { generate: true, properties: ["text"], verbose: true } } });
    insert(create({ schema: SCHEMA, plugins: [verbose] }), { text: "loud" });
    expect(logged.mock.calls).toEqual([['Generating embeddings for properties "text": "loud"']]);
    logged.mockRestore();
  });

  it("vector search embeds the term: each query's top 10 equal a brute-force cosine top 10 over 2,000 documents", async () => {
    const db = await corpusDb();
    for (const term of queries) {
      const results = await search(db, { term, mode: "vector", similarity: -1, limit: K });
      const reference = bruteForceTopK(documents, model.encode(term), K);
      expect(results.count).toBe(DOCS);
      expect(results.hits).toHaveLength(K);
      results.hits.forEach((hit, rank) => {
        expect(hit.score).toBeCloseTo(reference[rank]!.score, 5);
        expect(cosine(documents[Number(hit.id)]!, model.encode(term))).toBeCloseTo(reference[rank]!.score, 5);
      });
    }
    // A stored text finds itself first.
    expect((await search(db, { term: texts[42]!, mode: "vector", similarity: 0.5 })).hits[0]!.id).toBe("42");
  });

  it("hybrid search: scores equal Orama's own full-text scores merged with brute-force cosines (each over its maximum, weights 0.5)", async () => {
    const db = await corpusDb();
    const similarity = 0.3;
    for (const term of queries) {
      const fullText = await search(db, { term, mode: "fulltext", limit: DOCS });
      const textScores = new Map(fullText.hits.map((hit) => [hit.id, hit.score]));
      const cosines = bruteForceTopK(documents, model.encode(term), DOCS).filter((hit) => hit.score >= similarity);
      const maxText = Math.max(...textScores.values());
      const maxCosine = Math.max(...cosines.map((hit) => hit.score));
      const merged = new Map<string, number>();
      for (const [id, score] of textScores) merged.set(id, 0.5 * (score / maxText));
      for (const { index, score } of cosines) merged.set(String(index), (merged.get(String(index)) ?? 0) + 0.5 * (score / maxCosine));
      const reference = [...merged.values()].sort((a, b) => b - a);

      const hybrid = await search(db, { term, mode: "hybrid", similarity, limit: K });
      expect(textScores.size).toBeGreaterThan(0);
      expect(hybrid.count).toBe(merged.size);
      hybrid.hits.forEach((hit, rank) => {
        expect(hit.score).toBeCloseTo(merged.get(hit.id)!, 5);
        expect(hit.score).toBeCloseTo(reference[rank]!, 5);
      });
    }
  });

  it("leaves a search that brings its own vector alone, and full-text search unembedded", async () => {
    const db = await corpusDb();
    const vector = Array.from(documents[7]!);
    const own = await search(db, { term: "unrelated words entirely", mode: "vector", vector: { property: "embeddings", value: vector }, similarity: 0.99 });
    expect(own.hits.map((hit) => hit.id)).toEqual(["7"]);
    const params = { term: texts[7]!, mode: "fulltext" as const };
    await search(db, params);
    expect(params).not.toHaveProperty("vector");
  });

  it("loads a model by path; its width must match the schema's vector property", async () => {
    const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 8 }), "model2vec");
    try {
      const small = await StaticModel.fromPretrained(folder);
      const plugin = await pluginEmbeddings({ ...PARAMS, model: folder });
      const db = create({ schema: { text: "string", embeddings: "vector[8]" } as const, plugins: [plugin] });
      insert(db, { id: "x", text: "hello world" });
      expectClose(getByID(db, "x")!.embeddings as number[], small.encode("hello world", { normalize: true }));

      // A model from another copy of the StaticModel class (each CommonJS entry point bundles one) is used as is.
      const copy = { dim: small.dim, encode: small.encode.bind(small) } as unknown as StaticModel;
      const fromCopy = create({ schema: { text: "string", embeddings: "vector[8]" } as const, plugins: [await pluginEmbeddings({ ...PARAMS, model: copy })] });
      insert(fromCopy, { id: "x", text: "hello world" });
      expect(getByID(fromCopy, "x")!.embeddings).toEqual(getByID(db, "x")!.embeddings);

      const mismatch = thrown(() => create({ schema: SCHEMA, plugins: [plugin] }));
      expect(mismatch).toBeInstanceOf(InvalidInputError);
      expect(mismatch.message).toBe(
        'pluginEmbeddings: the schema\'s "embeddings" (embeddings.defaultProperty) must be "vector[8]" for this 8-dimensional model, not "vector[192]"',
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("names the missing parameter: onInsert without properties, a vector search with neither term nor vector", async () => {
    const noProperties = await rejection(pluginEmbeddings({ model, embeddings: { defaultProperty: "embeddings", onInsert: { generate: true } as never } }));
    expect(noProperties).toBeInstanceOf(InvalidInputError);
    expect(noProperties.message).toContain('"embeddings.onInsert.properties" must list the properties to embed');

    const db = create({ schema: SCHEMA, plugins: [await pluginEmbeddings({ ...PARAMS, model })] });
    const noTerm = await rejection(Promise.resolve().then(() => search(db, { mode: "vector" } as never)));
    expect(noTerm).toBeInstanceOf(InvalidInputError);
    expect(noTerm.message).toBe('pluginEmbeddings: a vector or hybrid search needs a "term" (to embed) or a "vector"');
  });
});
