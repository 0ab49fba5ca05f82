/**
 * Vector stores with our embeddings: LanceDB (the "model2vec" embedding function) and
 * Orama (model2vec/orama's pluginEmbeddings), insert and search throughput. Each group
 * runs its contenders in turn, round after round (one untimed warm-up round first), so
 * that the load of other jobs falls on all of them alike, and states their ratio to the
 * group's baseline: the raw encode of the same texts for inserts, the same store given
 * precomputed vectors for searches. The store given vectors is also measured at insert,
 * so what the store itself costs is visible.
 *
 * Run with `node --import tsx bench/stores.bench.ts`. Environment: STORES_QUERIES (default
 * 100: the first four words of each of the corpus' last sentences, as a search box gets;
 * whole sentences match nearly every document in Orama's full-text half of hybrid search,
 * about 1 s a query), STORES_ROWS (documents, the sentences before them; default all,
 * about 17,500), STORES_REPS (timed runs each, default 3; medians are printed).
 *
 * Data: wikitext-2 sentences from $MODEL2VEC_SHARED_DIR (default ../shared); the
 * bench is skipped when they are missing. Model: the bundled default (192 dimensions).
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

/** One contender of a group: `run` is timed, on a fresh state from `setup` (untimed). */
interface Contender<T> {
  name: string;
  setup?: () => Promise<T> | T;
  run: (state: T) => unknown;
}

/**
 * Runs `contenders` in turn, one untimed warm-up round then REPS timed rounds, and
 * prints each one's median rate (`count` items per second) and its ratio to the first.
 */
async function group(count: number, unit: string, contenders: Contender<any>[]): Promise<void> {
  const times: number[][] = contenders.map(() => []);
  for (let round = 0; round <= REPS; round++) {
    for (const [i, { setup, run }] of contenders.entries()) {
      const state = await setup?.();
      const elapsed = await time(() => run(state));
      if (round > 0) times[i]!.push(elapsed);
    }
  }
  const rates = times.map((elapsed) => (count * 1000) / median(elapsed));
  contenders.forEach(({ name }, i) => {
    const ratio = i === 0 ? "" : `  (${(rates[i]! / rates[0]!).toFixed(2)}× ${contenders[0]!.name})`;
    console.log(`${name.padEnd(46)} ${Math.round(rates[i]!).toLocaleString("en-US").padStart(8)} ${unit}${ratio}`);
  });
  console.log();
}

console.log(`${ROWS} wikitext-2 sentences, ${QUERIES} queries, top ${K}, median of ${REPS}; model ${model.dim}-d; load ${loadavg()[0]!.toFixed(2)}\n`);

const matrix = model.encode(texts, { normalize: true });
const vectors = Array.from({ length: ROWS }, (_, i) => Array.from(matrix.row(i)));
const queryVectors = queries.map((query) => Array.from(model.encode(query, { normalize: true })));
const encodeBatch: Contender<void> = { name: "encode, one batch", run: () => model.encode(texts, { normalize: true }) };
const encodeEach: Contender<void> = {
  name: "encode, one text per call",
  run: () => {
    for (const text of texts) model.encode(text, { normalize: true });
  },
};

// LanceDB: a fresh on-disk table for each insert.
const folder = await mkdtemp(join(tmpdir(), "m2v-stores-bench-"));
try {
  const db = await lancedb.connect(folder);
  const func = await model2vecEmbeddingFunction();
  const schema = LanceSchema({ text: func.sourceField(), vector: func.vectorField() });
  let tables = 0;
  const setup = () => db.createEmptyTable(`t${tables++}`, schema);
  await group(ROWS, "rows/s", [
    encodeBatch,
    { name: "LanceDB add, vectors given", setup, run: (table: lancedb.Table) => table.add(texts.map((text, i) => ({ text, vector: vectors[i] }))) },
    { name: "LanceDB add, embedding function", setup, run: (table: lancedb.Table) => table.add(texts.map((text) => ({ text }))) },
  ]);
  const table = await setup();
  await table.add(texts.map((text) => ({ text })));
  const searchAll = async (query: (i: number) => lancedb.VectorQuery) => {
    for (let i = 0; i < QUERIES; i++) await query(i).limit(K).toArray();
  };
  await group(QUERIES, "queries/s", [
    { name: "LanceDB search, vector given", run: () => searchAll((i) => table.vectorSearch(queryVectors[i]!)) },
    { name: "LanceDB search, text query (embedded)", run: () => searchAll((i) => table.search(queries[i]!) as lancedb.VectorQuery) },
  ]);
  table.close();
  db.close();
} finally {
  await rm(folder, { recursive: true, force: true });
}

// Orama: a fresh in-memory database for each insert.
const plugin = await pluginEmbeddings(ORAMA_PARAMS);
const schema = { text: "string", embeddings: embeddingsType } as const;
const insertTexts = (db: ReturnType<typeof create>) => insertMultiple(db, texts.map((text) => ({ text })));
await group(ROWS, "docs/s", [
  encodeEach,
  { name: "Orama insertMultiple, vectors given", setup: () => create({ schema }), run: (db: ReturnType<typeof create>) => insertMultiple(db, texts.map((text, i) => ({ text, embeddings: vectors[i]! }))) },
  { name: "Orama insertMultiple, model2vec plugin", setup: () => create({ schema, plugins: [plugin] }), run: insertTexts },
]);
const oramaDb = create({ schema, plugins: [plugin] });
insertTexts(oramaDb);
const searchTerms = (mode: "vector" | "hybrid") => async () => {
  for (const term of queries) await search(oramaDb, { term, mode, similarity: 0.5, limit: K });
};
await group(QUERIES, "queries/s", [
  {
    name: "Orama search, vector given",
    run: async () => {
      for (const value of queryVectors) await search(oramaDb, { mode: "vector", vector: { property: "embeddings", value }, similarity: 0.5, limit: K });
    },
  },
  { name: "Orama search, vector (term embedded)", run: searchTerms("vector") },
  { name: "Orama search, hybrid (term embedded)", run: searchTerms("hybrid") },
]);

// Orama's own plugin (USE on TensorFlow.js), only if it can load its model here.
const usePlugin = await import("@orama/plugin-embeddings").then(({ pluginEmbeddings: load }) => load(ORAMA_PARAMS)).catch((error: unknown) => {
  console.log(`@orama/plugin-embeddings (USE on TensorFlow.js) not benchmarked: it could not load its model (${String(error)}); it fetches it from tfhub.dev and takes no model URL`);
  return undefined;
});
if (usePlugin !== undefined) {
  const useSchema = { text: "string", embeddings: "vector[512]" } as const;
  await group(ROWS, "docs/s", [
    { name: "Orama insertMultiple, model2vec plugin", setup: () => create({ schema, plugins: [plugin] }), run: insertTexts },
    { name: "Orama insertMultiple, @orama/plugin-embeddings", setup: () => create({ schema: useSchema, plugins: [usePlugin] }), run: (db: ReturnType<typeof create>) => insertMultiple(db, texts.map((text) => ({ text }))) },
  ]);
}
