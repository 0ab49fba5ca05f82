/**
 * Tokenizer throughput: each specialised tokenizer against the general
 * HuggingFaceTokenizer (@huggingface/tokenizers) on wikitext-2 sentences, in the
 * same process: BERT WordPiece (the bge tokenizer.json), Metaspace Unigram (the
 * vocab-quantized fixture's) and byte-level BPE (a GPT-2-layout tokenizer the
 * tests train on our word list). Ids are checked identical on every sentence first.
 *
 * Run with `node --expose-gc --import tsx bench/tokenizer.bench.ts`.
 * Shared data comes from $MODEL2VEC_SHARED_DIR, default `../shared` next to the repo.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ByteLevelBpeTokenizer } from "../src/tokenizer/bpe/byte-level-bpe-tokenizer.js";
import { HuggingFaceTokenizer } from "../src/tokenizer/hf-tokenizer.js";
import type { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { UnigramTokenizer } from "../src/tokenizer/unigram/unigram-tokenizer.js";
import { WordPieceTokenizer } from "../src/tokenizer/wordpiece/wordpiece-tokenizer.js";
import { byteLevelBpeJson } from "../test/fixtures/byte-level-bpe.js";
import { SHARED_DIR } from "../test/shared.js";
import { wikitextSentences } from "./wikitext.js";

const REPETITIONS = 5; // timed runs per contender, after one warm-up each
const MB = 1e6;

const fixtures = join(SHARED_DIR, "reference/model2vec-rs-fixtures");
const wordPiecePath = join(fixtures, "test-model-float32/tokenizer.json");
const unigramPath = join(fixtures, "test-model-vocab-quantized/tokenizer.json");
const corpusPaths = ["valid", "test"].map((split) => join(SHARED_DIR, `data/corpus/wikitext-2/${split}.txt`));
for (const path of [wordPiecePath, unigramPath, ...corpusPaths]) {
  if (!existsSync(path)) {
    console.log(`bench skipped: missing ${path}\n(set MODEL2VEC_SHARED_DIR to the folder holding reference/ and data/)`);
    process.exit(0);
  }
}

const sentences = wikitextSentences(corpusPaths);
const corpusBytes = sentences.reduce((sum, s) => sum + Buffer.byteLength(s, "utf8"), 0);
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as object;
const cases: { family: string; json: object; fast: (json: object) => Tokenizer | null }[] = [
  { family: "WordPiece (bge)", json: readJson(wordPiecePath), fast: (json) => WordPieceTokenizer.fromJSON(json) },
  { family: "Unigram (vocab-quantized)", json: readJson(unigramPath), fast: (json) => UnigramTokenizer.fromJSON(json) },
  { family: "byte-level BPE (generated)", json: byteLevelBpeJson(), fast: (json) => ByteLevelBpeTokenizer.fromJSON(json) },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timed<T>(make: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = make();
  return { value, ms: performance.now() - start };
}

/** Median ms to tokenize every sentence, after a warm-up; checks the token count each run. */
function time(tokenizer: Tokenizer, tokens: number): number {
  const runs: number[] = [];
  for (let r = 0; r <= REPETITIONS; r++) {
    globalThis.gc?.();
    const start = performance.now();
    let count = 0;
    for (const s of sentences) count += tokenizer.encode(s).length;
    if (r > 0) runs.push(performance.now() - start);
    if (count !== tokens) throw new Error("token count changed between runs");
  }
  return median(runs);
}

console.log(`wikitext-2 (valid+test): ${sentences.length.toLocaleString("en-US")} sentences, ${(corpusBytes / MB).toFixed(2)} MB`);
console.log(`node ${process.version}, median of ${REPETITIONS} runs after a warm-up\n`);
console.log("family                      contender              load ms   encode ms      tokens/s      MB/s   speed-up");
for (const { family, json, fast: makeFast } of cases) {
  const general = timed(() => HuggingFaceTokenizer.fromJSON(json));
  const fast = timed(() => makeFast(json));
  if (fast.value === null) throw new Error(`the ${family} fast path refused its tokenizer.json`);
  let tokens = 0;
  let mismatches = 0;
  for (const s of sentences) {
    const a = fast.value.encode(s);
    const b = general.value.encode(s);
    tokens += b.length;
    if (a.length !== b.length || Array.from(a).some((id, i) => id !== b[i])) mismatches++;
  }
  const generalMs = time(general.value, tokens);
  const fastMs = time(fast.value, tokens);
  for (const [name, ms, load] of [
    ["HuggingFaceTokenizer", generalMs, general.ms],
    [fast.value.constructor.name, fastMs, fast.ms],
  ] as const) {
    const rate = Math.round(tokens / (ms / 1000)).toLocaleString("en-US");
    console.log(
      `${family.padEnd(27)} ${name.padEnd(22)} ${load.toFixed(1).padStart(8)} ${ms.toFixed(1).padStart(11)} ${rate.padStart(13)} ${(corpusBytes / MB / (ms / 1000)).toFixed(2).padStart(9)} ${(generalMs / ms).toFixed(2).padStart(9)}x`,
    );
  }
  console.log(`${"".padEnd(27)} ids identical on ${sentences.length - mismatches}/${sentences.length} sentences, ${tokens.toLocaleString("en-US")} tokens`);
  if (mismatches > 0) process.exitCode = 1;
}
