/**
 * Deduplication throughput: `deduplicate` on Wikipedia sentences (../shared/data/corpus, the
 * shared-path setting), embedding plus search, against the naive baseline in the same run: the
 * greedy definition by brute force (every record scored in full against every kept record). The
 * baseline is quadratic, so both run on a sample first (their results must be equal, and the ratio
 * is the speed-up); then ours runs on the full set, whose time is the goal (100,000
 * sentences in ≤ 20 s), with the baseline's time there extrapolated from the sample (stated as such).
 *
 * The machine is shared, so the full run also prints the process's CPU time (all threads), which
 * other jobs inflate far less than the wall time.
 *
 * Run with `node --import tsx bench/dedup.bench.ts`. Environment: DEDUP_ROWS (default 100,000),
 * DEDUP_SAMPLE (default 5,000), DEDUP_THRESHOLD (default 0.9), DEDUP_REPS (timed runs, default 3;
 * medians are printed).
 */
import { availableParallelism, loadavg } from "node:os";
import { StaticModel } from "../src/index.js";
import { deduplicate } from "../src/search/deduplicate.js";
import { interleavedSentences } from "../src/tokenlearn/sentences.js";
import { bruteForceGreedy } from "../test/search/dedup-reference.js";
import { sharedPath } from "../test/shared.js";

const ROWS = Number(process.env.DEDUP_ROWS ?? 100_000);
const SAMPLE = Number(process.env.DEDUP_SAMPLE ?? 5_000);
const THRESHOLD = Number(process.env.DEDUP_THRESHOLD ?? 0.9);
const REPS = Number(process.env.DEDUP_REPS ?? 3);

const corpus = sharedPath("data/corpus/wikipedia-en-2015/wikipedia-en.txt.gz");
if (!corpus.available) process.exit(0);

const sentences: string[] = [];
for await (const sentence of interleavedSentences([{ path: corpus.path }])) {
  sentences.push(sentence);
  if (sentences.length === ROWS) break;
}
const model = await StaticModel.fromPretrained();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

console.log(`dedup bench: ${sentences.length} Wikipedia sentences, threshold ${THRESHOLD}, default model (dim ${model.dim}), ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`);

// The sample: ours against the brute-force baseline, alternated so both see the same load.
const sample = sentences.slice(0, SAMPLE);
const oursSample: number[] = [];
const naiveSample: number[] = [];
for (let rep = 0; rep < REPS; rep++) {
  let start = performance.now();
  const ours = await deduplicate(model, sample, { threshold: THRESHOLD });
  oursSample.push(performance.now() - start);
  start = performance.now();
  const naive = bruteForceGreedy(sample.map((s) => [s]), (texts) => model.encode(texts).data, model.dim, THRESHOLD);
  naiveSample.push(performance.now() - start);
  const same =
    JSON.stringify(ours.selectedIndices) === JSON.stringify(naive.kept) &&
    JSON.stringify(ours.filtered.map(({ index, duplicateOfIndex, score, exact }) => ({ index, duplicateOfIndex, score, exact }))) === JSON.stringify(naive.removed);
  if (!same) throw new Error(`deduplicate and the brute-force definition disagree on the ${SAMPLE}-sentence sample`);
  if (rep === 0) console.log(`sample of ${SAMPLE}: ${ours.filtered.length} removed (${ours.filtered.filter((d) => d.exact).length} exact copies); equal to brute force: yes`);
}
const ratio = median(naiveSample) / median(oursSample);
console.log(`sample of ${SAMPLE}: ours ${seconds(median(oursSample))} s, brute force ${seconds(median(naiveSample))} s (median of ${REPS}): ${ratio.toFixed(1)}x`);

// The full set: ours, split into embedding and search by the progress callback.
const total: number[] = [];
const search: number[] = [];
const cpu: number[] = [];
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
let removed = 0;
for (let rep = 0; rep < REPS; rep++) {
  const cpuStart = cpuMs();
  const start = performance.now();
  let searchStart = 0;
  const result = await deduplicate(model, sentences, {
    threshold: THRESHOLD,
    onProgress: ({ stage }) => {
      if (stage === "search" && searchStart === 0) searchStart = performance.now();
    },
  });
  const end = performance.now();
  cpu.push(cpuMs() - cpuStart);
  total.push(end - start);
  search.push(end - searchStart);
  removed = result.filtered.length;
}
// Brute force is quadratic in the kept records: scale the sample's time by (rows / sample)².
const extrapolated = median(naiveSample) * (sentences.length / SAMPLE) ** 2;
console.log(
  `all ${sentences.length}: ${removed} removed; ours ${seconds(median(total))} s (embedding ${seconds(median(total) - median(search))} s, search ${seconds(median(search))} s; ` +
    `${seconds(median(cpu))} s of CPU; median of ${REPS}); ` +
    `brute force extrapolated from the sample ≈ ${seconds(extrapolated)} s (${(extrapolated / median(total)).toFixed(0)}x)`,
);
process.exit(0);
