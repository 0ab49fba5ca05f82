/**
 * Encode throughput: model2vec's `StaticModel.encode` against a naive baseline
 * that calls `@huggingface/tokenizers` directly and pools rows into `number[]`.
 *
 * Run with `npm run bench` (node --expose-gc --import tsx bench/encode.bench.ts).
 * Shared data comes from $MODEL2VEC_SHARED_DIR, default `../shared` next to the repo.
 * Prints a table and writes the same figures to bench/results/encode.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";
import { StaticModel, writeSafetensors } from "../src/index.js";
import { randomMatrix } from "../test/fixtures/random.js";
import { SHARED_DIR } from "../test/shared.js";
import { wikitextSentences } from "./wikitext.js";

const DIM = 256; // potion-base-8M's width
const MAX_LENGTH = 512; // encode's default maxLength; the baseline truncates to the same
const LOAD_RUNS = 5;
const REPETITIONS = 5; // timed runs per contender, after one warm-up each
const CHECKED_SENTENCES = 200;
const TOLERANCE = 1e-4;
const SEED = 42;
const MB = 1e6; // decimal megabytes throughout

// ---------------------------------------------------------------- data files

// Resolved from this file, not from cwd, so the bench runs from any directory.
const sharedDir = SHARED_DIR;
const tokenizerPath = join(sharedDir, "reference/model2vec-rs-fixtures/test-model-float32/tokenizer.json");
const corpusPaths = ["valid", "test"].map((split) => join(sharedDir, `data/corpus/wikitext-2/${split}.txt`));
const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));

// Missing data is not a failure: the bench is optional where the shared folder is absent.
for (const path of [tokenizerPath, ...corpusPaths]) {
  if (!existsSync(path)) {
    console.log(`bench skipped: missing ${path}\n(set MODEL2VEC_SHARED_DIR to the folder holding reference/ and data/)`);
    process.exit(0);
  }
}

// -------------------------------------------------------------------- helpers

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Times `fn` after a GC, so garbage from the previous run is not billed to this one. */
function timed<T>(fn: () => T): { ms: number; value: T } {
  globalThis.gc?.();
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const fixed = (n: number, digits: number) => n.toFixed(digits);

// ---------------------------------------------------------------------- model

interface TokenizerJson {
  model: { unk_token?: string; vocab: Record<string, number> };
  added_tokens?: { id: number }[];
}

const tokenizerBytes = new Uint8Array(readFileSync(tokenizerPath));
const tokenizerJson = JSON.parse(new TextDecoder().decode(tokenizerBytes)) as TokenizerJson;
// One row per token id (29,528 for this BERT WordPiece vocabulary).
const vocabSize =
  1 + Math.max(...Object.values(tokenizerJson.model.vocab), ...(tokenizerJson.added_tokens ?? []).map((t) => t.id));

const matrix = randomMatrix(vocabSize, DIM, SEED); // uniform in [-1, 1)

const safetensorsBytes = writeSafetensors([{ name: "embeddings", dtype: "F32", shape: [vocabSize, DIM], data: matrix }]);
const load = () =>
  StaticModel.fromBuffers({ model: safetensorsBytes, tokenizer: tokenizerBytes, config: { normalize: true } });

const loadRuns: number[] = [];
let model = load(); // untimed first load warms up the JIT
for (let i = 0; i < LOAD_RUNS; i++) {
  const run = timed(load);
  loadRuns.push(run.ms);
  model = run.value;
}
const loadMs = median(loadRuns);

// --------------------------------------------------------------------- corpus

const sentences = wikitextSentences(corpusPaths);
const corpusBytes = sentences.reduce((sum, s) => sum + Buffer.byteLength(s, "utf8"), 0);
// Tokens as model2vec counts them: unknown ids dropped, cut to maxLength.
const ourTokens = model.tokenize(sentences, { maxLength: MAX_LENGTH }).reduce((sum, ids) => sum + ids.length, 0);

// ----------------------------------------------------------------- contenders

/** Ours, with default options (maxLength 512, batchSize 1024, normalize from config). */
function runOurs(): Float32Array {
  return model.encode(sentences).data;
}

// The baseline reads the unk id from the JSON itself rather than trusting our adapter.
const baselineTokenizer = new Tokenizer(tokenizerJson, {});
const unkToken = tokenizerJson.model.unk_token;
const unkId = unkToken === undefined ? undefined : tokenizerJson.model.vocab[unkToken];
if (unkId !== (model.unkTokenId ?? undefined)) {
  console.error(`unk id mismatch: tokenizer.json says ${unkId}, StaticModel says ${model.unkTokenId}`);
  process.exit(1);
}

/** What one would write by hand: tokenize, drop unk, truncate, average rows into number[], L2-normalize. */
function runBaseline(): { vectors: number[][]; tokens: number } {
  const vectors: number[][] = [];
  let tokens = 0;
  for (const sentence of sentences) {
    // Annotated because tokenizers.js's own .d.ts imports do not resolve under NodeNext (ids comes out `any`).
    const encoded: number[] = baselineTokenizer.encode(sentence, { add_special_tokens: false }).ids;
    const ids = encoded.filter((id) => id !== unkId).slice(0, MAX_LENGTH);
    tokens += ids.length;
    const vector: number[] = new Array<number>(DIM).fill(0);
    for (const id of ids) {
      for (let j = 0; j < DIM; j++) vector[j]! += matrix[id * DIM + j]!;
    }
    if (ids.length > 0) {
      let norm = 0;
      for (let j = 0; j < DIM; j++) {
        vector[j]! /= ids.length;
        norm += vector[j]! * vector[j]!;
      }
      norm = Math.sqrt(norm);
      if (norm > 0) for (let j = 0; j < DIM; j++) vector[j]! /= norm;
    }
    vectors.push(vector);
  }
  return { vectors, tokens };
}

// Alternate the contenders so drift (thermal, GC, other load) hits both alike; run 0 is the warm-up.
const ourRuns: number[] = [];
const baselineRuns: number[] = [];
let ourVectors: Float32Array = new Float32Array(0);
let baselineResult: { vectors: number[][]; tokens: number } = { vectors: [], tokens: 0 };
for (let rep = 0; rep <= REPETITIONS; rep++) {
  const ours = timed(runOurs);
  ourVectors = ours.value;
  const baseline = timed(runBaseline);
  baselineResult = baseline.value;
  if (rep > 0) {
    ourRuns.push(ours.ms);
    baselineRuns.push(baseline.ms);
  }
  globalThis.gc?.(); // free this round's outputs before the next
}

// A speed-up only counts if both compute the same thing.
let maxAbsDiff = 0;
for (let i = 0; i < Math.min(CHECKED_SENTENCES, sentences.length); i++) {
  const expected = baselineResult.vectors[i]!;
  for (let j = 0; j < DIM; j++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ourVectors[i * DIM + j]! - expected[j]!));
  }
}
if (!(maxAbsDiff < TOLERANCE)) {
  console.error(`model2vec and baseline disagree: max |diff| ${maxAbsDiff} over the first ${CHECKED_SENTENCES} sentences (tolerance ${TOLERANCE})`);
  process.exit(1);
}

// -------------------------------------------------------------------- report

function rates(ms: number, tokens: number) {
  const seconds = ms / 1000;
  return {
    medianMs: ms,
    sentencesPerSec: sentences.length / seconds,
    tokensPerSec: tokens / seconds,
    mbPerSec: corpusBytes / MB / seconds,
  };
}

const ours = { ...rates(median(ourRuns), ourTokens), tokens: ourTokens, runsMs: ourRuns };
const baseline = { ...rates(median(baselineRuns), baselineResult.tokens), tokens: baselineResult.tokens, runsMs: baselineRuns };
const ratio = {
  sentencesPerSec: ours.sentencesPerSec / baseline.sentencesPerSec,
  tokensPerSec: ours.tokensPerSec / baseline.tokensPerSec,
  mbPerSec: ours.mbPerSec / baseline.mbPerSec,
};
// maxRSS is in KiB; it is the whole process's peak, baseline included.
const peakRssMb = (process.resourceUsage().maxRSS * 1024) / MB;

const rows: string[][] = [
  ["contender", "median ms", "sentences/s", "tokens/s", "MB/s"],
  ["model2vec", fixed(ours.medianMs, 1), int(ours.sentencesPerSec), int(ours.tokensPerSec), fixed(ours.mbPerSec, 2)],
  ["baseline", fixed(baseline.medianMs, 1), int(baseline.sentencesPerSec), int(baseline.tokensPerSec), fixed(baseline.mbPerSec, 2)],
  ["ours/baseline", "", `${fixed(ratio.sentencesPerSec, 2)}x`, `${fixed(ratio.tokensPerSec, 2)}x`, `${fixed(ratio.mbPerSec, 2)}x`],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
const table = rows
  .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "))
  .join("\n");

console.log(`model2vec encode benchmark (node ${process.version}, ${platform()} ${arch()})
  model      ${int(vocabSize)} x ${DIM} float32, seeded random (potion-base-8M shape), WordPiece tokenizer
  load       StaticModel.fromBuffers: ${fixed(loadMs, 1)} ms (median of ${LOAD_RUNS})
  corpus     wikitext-2 valid+test: ${int(sentences.length)} sentences, ${fixed(corpusBytes / MB, 2)} MB UTF-8, ${int(ourTokens)} tokens
  runs       1 warm-up + ${REPETITIONS} timed each, alternating; medians below
  agreement  max |diff| over first ${CHECKED_SENTENCES} sentences: ${maxAbsDiff.toExponential(2)}

${table}

peak RSS: ${fixed(peakRssMb, 1)} MB`);
if (ours.tokens !== baseline.tokens) {
  console.log(`note: token counts differ (model2vec ${int(ours.tokens)}, baseline ${int(baseline.tokens)})`);
}

mkdirSync(resultsDir, { recursive: true });
const resultsPath = join(resultsDir, "encode.json");
const results = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${platform()} ${arch()}`,
  model: { rows: vocabSize, dim: DIM, seed: SEED, loadMs, loadRunsMs: loadRuns },
  corpus: { sentences: sentences.length, bytes: corpusBytes, mb: corpusBytes / MB },
  repetitions: REPETITIONS,
  model2vec: ours,
  baseline,
  ratio,
  maxAbsDiff,
  peakRssMb,
};
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n");
console.log(`results written to ${resultsPath}`);
