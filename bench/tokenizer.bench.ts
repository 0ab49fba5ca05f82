/**
 * Tokenizer throughput: the BERT WordPiece fast path (WordPieceTokenizer) against
 * the general HuggingFaceTokenizer (@huggingface/tokenizers) on wikitext-2
 * sentences, with the bge tokenizer.json. Both run in the same process; the ratio
 * is fast / general. Ids are checked identical on every sentence first.
 *
 * Run with `node --expose-gc --import tsx bench/tokenizer.bench.ts`.
 * Shared data comes from $MODEL2VEC_SHARED_DIR, default `../shared` next to the repo.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HuggingFaceTokenizer } from "../src/tokenizer/hf-tokenizer.js";
import { WordPieceTokenizer } from "../src/tokenizer/wordpiece/wordpiece-tokenizer.js";
import { SHARED_DIR } from "../test/shared.js";
import { wikitextSentences } from "./wikitext.js";

const REPETITIONS = 5; // timed runs per contender, after one warm-up each
const MB = 1e6;

const tokenizerPath = join(SHARED_DIR, "reference/model2vec-rs-fixtures/test-model-float32/tokenizer.json");
const corpusPaths = ["valid", "test"].map((split) => join(SHARED_DIR, `data/corpus/wikitext-2/${split}.txt`));
for (const path of [tokenizerPath, ...corpusPaths]) {
  if (!existsSync(path)) {
    console.log(`bench skipped: missing ${path}\n(set MODEL2VEC_SHARED_DIR to the folder holding reference/ and data/)`);
    process.exit(0);
  }
}

const sentences = wikitextSentences(corpusPaths);
const corpusBytes = sentences.reduce((sum, s) => sum + Buffer.byteLength(s, "utf8"), 0);

const json = JSON.parse(readFileSync(tokenizerPath, "utf8")) as object;
let start = performance.now();
const general = HuggingFaceTokenizer.fromJSON(json);
const generalLoadMs = performance.now() - start;
start = performance.now();
const fast = WordPieceTokenizer.fromJSON(json);
const fastLoadMs = performance.now() - start;
if (fast === null) throw new Error("WordPieceTokenizer refused the bge tokenizer.json");

// Agreement on the whole corpus before timing.
let tokens = 0;
let mismatches = 0;
for (const s of sentences) {
  const a = fast.encode(s);
  const b = general.encode(s);
  tokens += b.length;
  if (a.length !== b.length || a.some((id, i) => id !== b[i])) mismatches++;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]! ) / 2;
}

function run(encode: (s: string) => ArrayLike<number>): number {
  let checksum = 0;
  for (const s of sentences) checksum += encode(s).length;
  return checksum;
}

function time(encode: (s: string) => ArrayLike<number>): number {
  run(encode); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    globalThis.gc?.();
    const t0 = performance.now();
    const checksum = run(encode);
    runs.push(performance.now() - t0);
    if (checksum !== tokens) throw new Error("token count changed between runs");
  }
  return median(runs);
}

// Interleave order is fixed (general first); each gets its own warm-up.
const generalMs = time((s) => general.encode(s));
const fastMs = time((s) => fast.encode(s));

const rows = [
  ["HuggingFaceTokenizer", generalMs, generalLoadMs],
  ["WordPieceTokenizer", fastMs, fastLoadMs],
] as const;
console.log(`wikitext-2 (valid+test): ${sentences.length.toLocaleString("en-US")} sentences, ${(corpusBytes / MB).toFixed(2)} MB, ${tokens.toLocaleString("en-US")} tokens`);
console.log(`ids identical on ${sentences.length - mismatches}/${sentences.length} sentences`);
console.log(`node ${process.version}, median of ${REPETITIONS} runs after a warm-up\n`);
console.log("contender              load ms   encode ms      tokens/s      MB/s");
for (const [name, ms, load] of rows) {
  console.log(
    `${name.padEnd(22)} ${load.toFixed(1).padStart(8)} ${ms.toFixed(1).padStart(11)} ${Math.round(tokens / (ms / 1000)).toLocaleString("en-US").padStart(13)} ${(corpusBytes / MB / (ms / 1000)).toFixed(2).padStart(9)}`,
  );
}
console.log(`\nspeed-up (WordPieceTokenizer / HuggingFaceTokenizer): ${(generalMs / fastMs).toFixed(2)}x`);
if (mismatches > 0) process.exitCode = 1;
