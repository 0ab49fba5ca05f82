/**
 * PCA throughput: a 30,000 × 768 → 256 reduction (the shape of distilling a BERT-base teacher
 * with Python model2vec's default `pca_dims=256`), on the calling thread against worker threads.
 *
 * Run with `node --import tsx bench/pca.bench.ts`. Environment: PCA_ROWS, PCA_COLS, PCA_DIMS,
 * PCA_THREADS (the parallel contender, default 2), PCA_REPS (timed runs each, default 2).
 *
 * The data are seeded, random but correlated: a rank-64 signal with a decaying spectrum plus
 * isotropic noise, so the spectrum looks like that of real embeddings (a few strong directions,
 * a long flat tail) rather than like white noise. Prints the median time per stage for each
 * contender, the speed-up, and how far the two outputs are apart.
 */
import { arch, availableParallelism, loadavg, platform } from "node:os";
import { pca, type PcaResult } from "../src/linalg/pca.js";
import { mulberry32 } from "../test/fixtures/random.js";

const ROWS = Number(process.env.PCA_ROWS ?? 30_000);
const COLS = Number(process.env.PCA_COLS ?? 768);
const DIMS = Number(process.env.PCA_DIMS ?? 256);
const THREADS = Number(process.env.PCA_THREADS ?? 2);
const REPS = Number(process.env.PCA_REPS ?? 2);
const RANK = 64;
const NOISE = 0.3;
const SEED = 42;

/** rows × cols = U · diag(s) · W + noise, with s_q = 1 / (1 + q/8) and uniform U, W, noise. */
function correlatedData(rows: number, cols: number, rank: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const basis = new Float64Array(rank * cols);
  for (let q = 0; q < rank; q++) {
    const strength = 1 / (1 + q / 8);
    for (let c = 0; c < cols; c++) basis[q * cols + c] = (next() * 2 - 1) * strength;
  }
  const out = new Float32Array(rows * cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    row.fill(0);
    for (let q = 0; q < rank; q++) {
      const u = next() * 2 - 1;
      const b = q * cols;
      for (let c = 0; c < cols; c++) row[c] = row[c]! + u * basis[b + c]!;
    }
    for (let c = 0; c < cols; c++) out[r * cols + c] = row[c]! + NOISE * (next() * 2 - 1) + 0.1;
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Timed {
  total: number;
  /** CPU time of the whole process (all threads) over wall time: ≈ threads when nothing else competes. */
  cpu: number;
  covariance: number;
  eigen: number;
  projection: number;
  threads: number;
  result: PcaResult;
}

async function run(data: Float32Array, threads: number): Promise<Timed> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await pca(data, ROWS, COLS, DIMS, { threads, onWarning: (m) => console.warn(m) });
  const total = performance.now() - start;
  const cpuUsed = process.cpuUsage(cpuStart);
  if (result === null) throw new Error("PCA was skipped: check PCA_ROWS / PCA_DIMS");
  const cpu = (cpuUsed.user + cpuUsed.system) / 1000 / total;
  return { total, cpu, ...result.timings, threads: result.threads, result };
}

async function contender(data: Float32Array, threads: number): Promise<{ times: Timed[]; last: PcaResult }> {
  const times: Timed[] = [];
  for (let rep = 0; rep < REPS; rep++) times.push(await run(data, threads));
  return { times, last: times[times.length - 1]!.result };
}

// Sampled before this script loads the CPU itself.
const load = loadavg()[0]!;
const generated = performance.now();
const data = correlatedData(ROWS, COLS, RANK, SEED);
const generationMs = performance.now() - generated;

// Warm the calling thread's JIT on a small problem, so run 1 of threads=1 is not penalised.
await pca(correlatedData(2_000, COLS, RANK, SEED + 1), 2_000, COLS, Math.min(DIMS, 1_999), { threads: 1 });

const single = await contender(data, 1);
const parallel = await contender(data, THREADS);

// Agreement: the same arithmetic split differently, so only summation order differs.
let maxDiff = 0;
let maxAbs = 0;
for (let i = 0; i < single.last.projected.length; i++) {
  maxDiff = Math.max(maxDiff, Math.abs(single.last.projected[i]! - parallel.last.projected[i]!));
  maxAbs = Math.max(maxAbs, Math.abs(single.last.projected[i]!));
}
let explained = 0;
for (const r of parallel.last.explainedVarianceRatio) explained += r;

const stages = ["covariance", "eigen", "projection", "total"] as const;
const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const header = ["stage", "threads=1", `threads=${parallel.times[0]!.threads}`, "speed-up"];
const rows = stages.map((stage) => {
  const a = median(single.times.map((t) => t[stage]));
  const b = median(parallel.times.map((t) => t[stage]));
  return [stage, fmt(a), fmt(b), `${(a / b).toFixed(2)}×`];
});
rows.push([
  "CPU / wall",
  median(single.times.map((t) => t.cpu)).toFixed(2),
  median(parallel.times.map((t) => t.cpu)).toFixed(2),
  "",
]);
const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]!.length)));
const table = [header, ...rows]
  .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "))
  .join("\n");

console.log(`model2vec PCA benchmark (node ${process.version}, ${platform()} ${arch()}, ${availableParallelism()} hardware threads)
data: ${ROWS.toLocaleString("en-US")} × ${COLS} Float32, rank-${RANK} signal + noise, seed ${SEED} (generated in ${fmt(generationMs)})
PCA → ${DIMS} components (explained variance ratio ${explained.toFixed(3)}); median of ${REPS} run(s) per contender
1-minute load average at start: ${load.toFixed(2)}

${table}

(CPU / wall below the thread count means other processes took CPU time during the run.)
threads=1 vs threads=${parallel.times[0]!.threads}: max |Δ projected| = ${maxDiff.toExponential(2)} (max |projected| = ${maxAbs.toFixed(2)})`);
