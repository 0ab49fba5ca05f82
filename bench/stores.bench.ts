/**
 * Vector stores with our embeddings: LanceDB (the "model2vec" embedding function) and
 * Orama (model2vec/orama's pluginEmbeddings), insert and search throughput, each
 * against the raw encode of the same texts in the same run, and against the same store
 * given precomputed vectors (what the store itself costs).
 *
 * Run with `node --import tsx bench/stores.bench.ts`. Environment: STORES_QUERIES (default
 * 100: the first four words of each of the corpus' last sentences, as a search box gets;
 * whole sentences match nearly every document in Orama's full-text half of hybrid search,
 * about 1 s a query), STORES_ROWS (documents, the sentences before them; default all,
 * about 17,500), STORES_REPS (timed runs each, default 3; medians are printed).
 *
 * Data: wikitext-2 sentences from $MODEL2VEC_SHARED_DIR (default ../shared); the
 * bench is skipped when they are missing. Model: the bundled default (256 dimensions).
 *
 * Orama's own `@orama/plugin-embeddings` is tried too: it loads USE from tfhub.dev with
 * no way to give another URL, so offline it cannot run, and the bench says so.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { LanceSchema } from "@lancedb/lancedb/embedding";
import { create, insertMultiple, search } from "@orama/orama";
import { StaticModel } from "../src/index.js";
import { model2vecEmbeddingFunction } from "../src/integrations/lancedb.js";
import { embeddingsType, pluginEmbeddings } from "../src/integrations/orama.js";
import { SHARED_DIR } from "../test/shared.js";
import { median } from "./encode-common.js";
import { wikitextSentences } from "./wikitext.js";

const QUERIES = Number(process.env.STORES_QUERIES ?? 100);
const REPS = Number(process.env.STORES_REPS ?? 3);
const K = 10;

const corpusPaths = ["valid", "test"].map((split) => join(SHARED_DIR, `data/corpus/wikitext-2/${split}.txt`));
const missing = corpusPaths.find((path) => !existsSync(path));
if (missing !== undefined) {
  console.log(`stores bench skipped: missing ${missing}\n(set MODEL2VEC_SHARED_DIR to the folder holding data/)`);
  process.exit(0);
}

const sentences = wikitextSentences(corpusPaths);
const queries = sentences.slice(-QUERIES).map((sentence) => sentence.split(" ").slice(0, 4).join(" "));
const texts = sentences.slice(0, -QUERIES).slice(0, Number(process.env.STORES_ROWS ?? Infinity));
const ROWS = texts.length;
const model = await StaticModel.fromPretrained();
const ORAMA_PARAMS = { embeddings: { defaultProperty: "embeddings", onInsert: { generate: true, properties: ["text"] } } };

/** Milliseconds `run` takes. */
async function time(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Median per-second rate of `count` items over REPS runs of `run` (each after `setup`, untimed). */
async function rate<T>(count: number, setup: () => Promise<T> | T, run: (state: T) => unknown): Promise<number> {
  const times: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const state = await setup();
    times.push(await time(() => run(state)));
  }
  return (count * 1000) / median(times);
}

/** Prints a rate, and its ratio to `baseline` ([its name, its rate]) when given. */
function report(name: string, perSecond: number, unit: string, baseline?: [string, number]): void {
  const ratio = baseline === undefined ? "" : `  (${(perSecond / baseline[1]).toFixed(2)}× ${baseline[0]})`;
  console.log(`${name.padEnd(52)} ${Math.round(perSecond).toLocaleString("en-US").padStart(10)} ${unit}${ratio}`);
}

console.log(`${ROWS} wikitext-2 sentences, ${QUERIES} queries, top ${K}, median of ${REPS}; model ${model.dim}-d; load ${loadavg()[0]!.toFixed(2)}\n`);

// The baselines: our encode alone, in one batch (as LanceDB's add calls it) and one text at a time (as Orama's hooks do).
const matrix = model.encode(texts);
const vectors = Array.from({ length: ROWS }, (_, i) => Array.from(matrix.row(i)));
const queryVectors = queries.map((query) => Array.from(model.encode(query, { normalize: true })));
const encodeBatch = await rate(ROWS, () => undefined, () => model.encode(texts, { normalize: true }));
report("encode, one batch", encodeBatch, "texts/s");
const batchBaseline: [string, number] = ["encode, one batch", encodeBatch];
const encodeEach = await rate(ROWS, () => undefined, () => {
  for (const text of texts) model.encode(text, { normalize: true });
});
report("encode, one text per call", encodeEach, "texts/s");
const eachBaseline: [string, number] = ["encode, one text per call", encodeEach];

// LanceDB: a fresh on-disk table per run.
const folder = await mkdtemp(join(tmpdir(), "m2v-stores-bench-"));
try {
  const db = await lancedb.connect(folder);
  const func = await model2vecEmbeddingFunction();
  const schema = LanceSchema({ text: func.sourceField(), vector: func.vectorField() });
  let tables = 0;
  const emptyTable = () => db.createEmptyTable(`t${tables++}`, schema);
  report("LanceDB add, embedding function", await rate(ROWS, emptyTable, (table) => table.add(texts.map((text) => ({ text })))), "rows/s", batchBaseline);
  report("LanceDB add, vectors given", await rate(ROWS, emptyTable, (table) => table.add(texts.map((text, i) => ({ text, vector: vectors[i] })))), "rows/s", batchBaseline);
  const table = await emptyTable();
  await table.add(texts.map((text) => ({ text })));
  const searchAll = async (query: (i: number) => lancedb.VectorQuery) => {
    for (let i = 0; i < QUERIES; i++) await query(i).limit(K).toArray();
  };
  const lanceGiven = await rate(QUERIES, () => undefined, () => searchAll((i) => table.vectorSearch(queryVectors[i]!)));
  report("LanceDB search, vector given", lanceGiven, "queries/s");
  const lanceText = await rate(QUERIES, () => undefined, () => searchAll((i) => table.search(queries[i]!) as lancedb.VectorQuery));
  report("LanceDB search, text query (embedded)", lanceText, "queries/s", ["vector given", lanceGiven]);
  table.close();
  db.close();
} finally {
  await rm(folder, { recursive: true, force: true });
}

// Orama: a fresh in-memory database per run.
const plugin = await pluginEmbeddings(ORAMA_PARAMS);
const schema = { text: "string", embeddings: embeddingsType } as const;
report("Orama insertMultiple, model2vec plugin", await rate(ROWS, () => create({ schema, plugins: [plugin] }), (db) => insertMultiple(db, texts.map((text) => ({ text })))), "docs/s", eachBaseline);
report("Orama insertMultiple, vectors given", await rate(ROWS, () => create({ schema }), (db) => insertMultiple(db, texts.map((text, i) => ({ text, embeddings: vectors[i]! })))), "docs/s", eachBaseline);
const oramaDb = create({ schema, plugins: [plugin] });
insertMultiple(oramaDb, texts.map((text) => ({ text })));
const oramaGiven = await rate(QUERIES, () => undefined, async () => {
  for (const value of queryVectors) await search(oramaDb, { mode: "vector", vector: { property: "embeddings", value }, similarity: 0.5, limit: K });
});
report("Orama search, vector given", oramaGiven, "queries/s");
for (const mode of ["vector", "hybrid"] as const) {
  const perSecond = await rate(QUERIES, () => undefined, async () => {
    for (const term of queries) await search(oramaDb, { term, mode, similarity: 0.5, limit: K });
  });
  report(`Orama search, ${mode} (term embedded)`, perSecond, "queries/s", ["vector given", oramaGiven]);
}

// Orama's own plugin (USE on TensorFlow.js), only if it can load its model here.
const usePlugin = await import("@orama/plugin-embeddings").then(({ pluginEmbeddings: load }) => load(ORAMA_PARAMS)).catch((error: unknown) => {
  console.log(`\n@orama/plugin-embeddings (USE on TensorFlow.js) not benchmarked: it could not load its model (${String(error)}); it fetches it from tfhub.dev and takes no model URL`);
  return undefined;
});
if (usePlugin !== undefined) {
  const useSchema = { text: "string", embeddings: "vector[512]" } as const;
  const perSecond = await rate(ROWS, () => create({ schema: useSchema, plugins: [usePlugin] }), (db) => insertMultiple(db, texts.map((text) => ({ text }))));
  report("Orama insertMultiple, @orama/plugin-embeddings (USE)", perSecond, "docs/s", eachBaseline);
}
