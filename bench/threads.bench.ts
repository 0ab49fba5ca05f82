/**
 * Where multi-core encode starts to pay: one thread against the worker pool
 * (all cores, pool already warm) for growing slices of wikitext-2 sentences.
 * StaticModel's PARALLEL_MIN_UNITS comes from this sweep.
 *
 * Run with `node --import tsx bench/threads.bench.ts` (part of `npm run bench`).
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { EncodeScratch, encodeRange } from "../src/model/encode-core.js";
import { EncodePool } from "../src/model/encode-pool.js";
import { poolingTable } from "../src/model/pooling.js";
import { loadTokenizer } from "../src/tokenizer/load-tokenizer.js";
import { randomMatrix } from "../test/fixtures/random.js";
import { SHARED_DIR } from "../test/shared.js";
import { wikitextSentences } from "./wikitext.js";

const DIM = 256;
const tokenizerPath = join(SHARED_DIR, "reference/model2vec-rs-fixtures/test-model-float32/tokenizer.json");
const corpusPaths = ["valid", "test"].map((split) => join(SHARED_DIR, `data/corpus/wikitext-2/${split}.txt`));
for (const path of [tokenizerPath, ...corpusPaths]) {
  if (!existsSync(path)) {
    console.log(`threads bench skipped: missing ${path}`);
    process.exit(0);
  }
}

const threads = availableParallelism();
if (threads < 2) {
  console.log("threads bench skipped: one core");
  process.exit(0);
}

const tokenizerJson = readFileSync(tokenizerPath, "utf8");
const tokenizer = loadTokenizer(tokenizerJson);
const rows = tokenizer.vocabulary.length;
const table = { dtype: "float32", values: randomMatrix(rows, DIM, 42), rows, dim: DIM } as const;
const core = { tokenizer, unkId: tokenizer.unkId, medianTokenLength: 4, source: poolingTable(table, null, null, threads) };
const sentences = wikitextSentences(corpusPaths);
const pool = EncodePool.open(core, tokenizerJson, threads)!;
while (pool.readyWorkers < threads - 1) await new Promise((resolve) => setTimeout(resolve, 10));

function median(run: () => void, repetitions: number): number {
  const times: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[repetitions >> 1]!;
}

const scratch = new EncodeScratch(core.source);
console.log(`one thread vs ${threads} threads (warm pool), wikitext-2 sentences, 256-d WordPiece model`);
console.log("texts   UTF-16 units   1 thread (ms)   pool (ms)   speed-up");
for (const count of [64, 256, 512, 1024, 2048, 4096, sentences.length]) {
  const texts = sentences.slice(0, count);
  const units = texts.reduce((sum, text) => sum + text.length, 0);
  const out = new Float32Array(count * DIM);
  const repetitions = Math.max(5, Math.min(101, Math.floor(40_000 / count)));
  const single = median(() => encodeRange(core, texts, 0, count, 512, true, out, scratch), repetitions);
  const parallel = median(() => pool.encode(texts, 512, true), repetitions);
  console.log(
    `${String(count).padStart(5)}   ${String(units).padStart(12)}   ${single.toFixed(2).padStart(13)}   ${parallel.toFixed(2).padStart(9)}   ${(single / parallel).toFixed(2).padStart(7)}×`,
  );
}
await pool.close();
