/**
 * The "model2vec" LanceDB embedding function against real on-disk tables: vectors
 * filled on add and queries embedded on search equal model.encode, search results
 * equal a brute-force cosine top-k, and the function comes back from the table's
 * schema in a new connection and in a new process.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { getRegistry, LanceSchema } from "@lancedb/lancedb/embedding";
import { Int32 } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { MODEL2VEC_LANCEDB_NAME, model2vecEmbeddingFunction, type Model2VecEmbeddingFunction } from "../../src/integrations/lancedb.js";
import { ROOT } from "../fixtures/run-cli.js";
import { expectClose } from "../fixtures/reference.js";
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import { bruteForceTopK, randomSentences } from "./corpus.js";

const ROWS = 10_000;
const K = 10;

let folder: string;
let model: StaticModel;
let func: Model2VecEmbeddingFunction;
let texts: string[];
let documents: Float32Array[];
let queries: string[];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "m2v-lancedb-"));
  model = await StaticModel.fromPretrained();
  func = await model2vecEmbeddingFunction();
  texts = randomSentences(model, ROWS, 17);
  const matrix = model.encode(texts, { normalize: true });
  documents = Array.from({ length: ROWS }, (_, i) => matrix.row(i));
  queries = [...randomSentences(model, 20, 99), texts[1234]!, "the cat sat on the mat"];
  const db = await lancedb.connect(folder);
  const table = await db.createEmptyTable("docs", LanceSchema({ id: new Int32(), text: func.sourceField(), vector: func.vectorField() }));
  await table.add(texts.map((text, id) => ({ id, text })));
  table.close();
  db.close();
}, 300_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Checks a table's top-K hits for each query against the brute-force cosine top-K over model.encode. */
async function expectBruteForceHits(table: lancedb.Table): Promise<void> {
  for (const query of queries) {
    const hits = await table.search(query).limit(K).toArray();
    const reference = bruteForceTopK(documents, model.encode(query), K);
    expect(hits).toHaveLength(K);
    // The best hit is the reference's (or scores the same, when two documents tie).
    expect(cosine(documents[hits[0].id]!, model.encode(query))).toBeCloseTo(reference[0]!.score, 5);
    // Every rank scores what the reference's does at that rank; L2 on unit vectors is 2 - 2 cos.
    hits.forEach((hit, rank) => {
      expect(cosine(documents[hit.id]!, model.encode(query))).toBeCloseTo(reference[rank]!.score, 5);
      expect(hit._distance).toBeCloseTo(2 - 2 * reference[rank]!.score, 4);
    });
  }
  // A stored text finds itself first.
  expect((await table.search(texts[1234]!).limit(1).toArray())[0].id).toBe(1234);
}

describe("model2vec in LanceDB's embedding registry", () => {
  it("is registered under \"model2vec\" with the bundled model and unit vectors by default", () => {
    expect(MODEL2VEC_LANCEDB_NAME).toBe("model2vec");
    expect(getRegistry().get("model2vec")).toBeDefined();
    expect(func.ndims()).toBe(model.dim);
    expect(func.toJSON()).toEqual({});
  });

  it("fills the vector column on add with model.encode's unit vectors, for 10,000 rows", async () => {
    const db = await lancedb.connect(folder);
    const table = await db.openTable("docs");
    expect(await table.countRows()).toBe(ROWS);
    const rows = await table.query().where("id IN (0, 1, 4999, 9999)").toArray();
    expect(rows.map((row) => row.id).sort((a, b) => a - b)).toEqual([0, 1, 4999, 9999]);
    for (const row of rows) {
      expect(row.text).toBe(texts[row.id]);
      expectClose(Array.from(row.vector as Iterable<number>), documents[row.id]!);
    }
    table.close();
    db.close();
  });

  it("embeds text queries on search: each query's top 10 equal a brute-force cosine top 10 over model.encode", async () => {
    const db = await lancedb.connect(folder);
    const table = await db.openTable("docs");
    await expectBruteForceHits(table);
    table.close();
    db.close();
  }, 120_000);

  it("comes back from the table's schema in a new connection: same options, the cached model, the same hits", async () => {
    const db = await lancedb.connect(folder);
    const table = await db.openTable("docs");
    // What LanceDB runs on every add and text search: the functions named in the table's schema, re-created.
    const functions = await getRegistry().parseFunctions((await table.schema()).metadata);
    expect([...functions.keys()]).toEqual(["model2vec"]);
    const entry = functions.get("model2vec")!;
    expect(entry).toMatchObject({ sourceColumn: "text", vectorColumn: "vector" });
    const reopened = entry.function as Model2VecEmbeddingFunction;
    expect(reopened).not.toBe(func);
    expect(reopened.toJSON()).toEqual(func.toJSON());
    // LanceDB re-creates the function on every add and search: the model is loaded once.
    expect(reopened.model).toBe(func.model);
    await expectBruteForceHits(table);
    // Adding through the reopened table embeds too.
    await table.add([{ id: ROWS, text: "a brand new row about volcanoes" }]);
    const [added] = await table.query().where(`id = ${ROWS}`).toArray();
    expectClose(Array.from(added.vector as Iterable<number>), model.encode("a brand new row about volcanoes", { normalize: true }));
    await table.delete(`id = ${ROWS}`);
    table.close();
    db.close();
  }, 120_000);

  it("in a new process, opening the table needs registerModel2Vec(), after which text search gives the same hits", async () => {
    const run = async (register: "register" | "no-register") => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", join(ROOT, "test/integrations/lancedb-reopen.ts"), folder, "docs", queries[0]!, register],
        { cwd: ROOT },
      );
      return JSON.parse(stdout) as { texts?: string[]; error?: string };
    };
    // With nothing registered, LanceDB takes a text query for full-text search, which the table has no index for.
    const unregistered = await run("no-register");
    expect(unregistered.error).toContain("Cannot perform full text search unless an INVERTED index has been created");
    const registered = await run("register");
    expect(registered.texts).toEqual(bruteForceTopK(documents, model.encode(queries[0]!), 5).map((hit) => texts[hit.index]));
  }, 120_000);

  it("stores its options in the schema; a token only as a $var reference, never its value", async () => {
    const rejected = await model2vecEmbeddingFunction({ token: "hf_secret" }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(rejected?.message).toContain('The key "token" is sensitive');

    getRegistry().setVar("hf_token", "hf_secret");
    const options = { token: "$var:hf_token", maxLength: 3, normalize: false };
    const custom = await model2vecEmbeddingFunction(options);
    expect(custom.toJSON()).toEqual(options);
    const db = await lancedb.connect(folder);
    const table = await db.createEmptyTable("custom", LanceSchema({ text: custom.sourceField(), vector: custom.vectorField() }));
    await table.add([{ text: "one two three four five" }]);
    const metadata = (await table.schema()).metadata.get("embedding_functions")!;
    expect(JSON.parse(metadata)).toEqual([{ name: "model2vec", sourceColumn: "text", vectorColumn: "vector", model: options }]);
    expect(metadata).not.toContain("hf_secret");
    // maxLength and normalize reach encode.
    const [row] = await table.query().toArray();
    expectClose(Array.from(row.vector as Iterable<number>), model.encode("one two three four five", { maxLength: 3, normalize: false }));
    table.close();
    db.close();
  });
});
