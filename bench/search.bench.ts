/**
 * Search speed: `VectorIndex` over ROWS × 256 float32 vectors (default 1,000,000, the issue's
 * goal: ≥ 50 queries/s for batches of 64 on one thread, and ≥ 4× that quantized), against a
 * naive JavaScript baseline measured in the same run (one query at a time, a dot product per
 * row, top k by insertion into a sorted list). Also: the JavaScript fallback kernel, single-query
 * latency, and the memory bandwidth of a plain copy of the matrix (read + write bytes/s), which
 * bounds a single query's scan. Speed does not depend on the values, so these vectors are random.
 * Besides wall time, the batch rows give queries per CPU-second of this process: on a machine
 * shared with other jobs, that is what one thread of our own does. Every search here runs on one
 * thread (`threads: 1`); bench/search-threads.bench.ts measures exact search on every core.
 *
 * The quantized rows are split into their phases (CPU time of this process, medians): the binary
 * code scan alone (the kernel over every block, no row let in), the shortlist (scan plus
 * counting select), and the exact rescoring of the shortlist (the whole search minus the
 * shortlist).
 *
 * Then recall@10 of the quantized search against exact search on real embeddings: RECALL_ROWS
 * Wikipedia sentences (../shared/data/corpus, skipped when absent) encoded with the bundled
 * model, 1,000 further sentences as queries; and the table of speed ratio (at 1M rows, from the
 * first part) against recall for each number of candidates.
 *
 * Run with `node --import tsx bench/search.bench.ts`. Environment: SEARCH_ROWS (default
 * 1,000,000), SEARCH_REPS (timed repetitions, default 5; medians are printed), RECALL_ROWS
 * (default 100,000; 0 skips the recall part).
 */
import { availableParallelism, loadavg } from "node:os";
import { StaticModel } from "../src/index.js";
import { Embeddings } from "../src/linalg/embeddings.js";
import { codeWords, HAMMING_KERNELS, writeCodes } from "../src/search/binary-codes.js";
import { blockRows } from "../src/search/exact-scan.js";
import { shortlistCodes } from "../src/search/quantized-scan.js";
import { openScanMemory } from "../src/search/scan-memory.js";
import { VectorIndex } from "../src/search/vector-index.js";
import { interleavedSentences } from "../src/tokenlearn/sentences.js";
import { randomMatrix } from "../test/fixtures/random.js";
import { sharedPath } from "../test/shared.js";

const ROWS = Number(process.env.SEARCH_ROWS ?? 1_000_000);
const REPS = Number(process.env.SEARCH_REPS ?? 5);
const RECALL_ROWS = Number(process.env.RECALL_ROWS ?? 100_000);
/** Candidates per query the quantized rows rescore. */
const CANDIDATES = [300, 400, 500, 1000, 1500, 2000];
const DIM = 256;
const K = 10;
const BATCH = 64;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
function timeMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
/** Wall and CPU milliseconds of `run`, median of `reps`. */
function timeBoth(run: () => void, reps: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const before = process.cpuUsage();
    wall.push(timeMs(run));
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** What one writes by hand: every row's cosine (rows are unit length), top k kept in a sorted array. */
function naiveSearch(matrix: Float32Array, rows: number, query: Float32Array, k: number): number[] {
  const best: { row: number; score: number }[] = [];
  for (let row = 0; row < rows; row++) {
    let score = 0;
    for (let d = 0; d < DIM; d++) score += matrix[row * DIM + d]! * query[d]!;
    if (best.length < k || score > best[best.length - 1]!.score) {
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { row, score });
      if (best.length > k) best.pop();
    }
  }
  return best.map((hit) => hit.row);
}

console.log(`search bench: ${ROWS} × ${DIM} float32, k = ${K}, ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`);
const vectors = randomMatrix(ROWS, DIM, 1);
const index = VectorIndex.fromVectors(new Embeddings(vectors, ROWS, DIM));
const unit = index.rows().vectors.slice(); // the normalised rows, for the naive baseline
const queries = new Embeddings(randomMatrix(BATCH, DIM, 2), BATCH, DIM);
const oneQuery = (q: number) => new Embeddings(queries.data.slice(q * DIM, (q + 1) * DIM), 1, DIM);

// Warm-up, and the answers must agree with the baseline (ranking does not depend on the query's length).
const warm = index.searchVectors(oneQuery(0), { k: K })[0]!.map((hit) => hit.id);
const naiveAnswer = naiveSearch(unit, ROWS, oneQuery(0).data, K);
if (JSON.stringify(warm) !== JSON.stringify(naiveAnswer)) throw new Error(`index and naive baseline disagree: ${warm} vs ${naiveAnswer}`);
index.searchVectors(queries, { k: K, candidates: 1000 }); // builds the binary codes

const rows: [string, number][] = [];
const naiveQueries = 4;
const naive = median(Array.from({ length: Math.max(1, REPS >> 1) }, () => timeMs(() => {
  for (let q = 0; q < naiveQueries; q++) naiveSearch(unit, ROWS, oneQuery(q).data, K);
}))) / naiveQueries;
rows.push(["naive JS, one query at a time", 1000 / naive]);

const exactTimes = timeBoth(() => index.searchVectors(queries, { k: K, threads: 1 }), REPS);
const batch = exactTimes.wall / BATCH;
rows.push([`VectorIndex, batches of ${BATCH} (WebAssembly SIMD)`, 1000 / batch]);
rows.push(["  the same, per CPU-second of this process", (1000 * BATCH) / exactTimes.cpu]);
const quantized = CANDIDATES.map((candidates) => ({ candidates, ...timeBoth(() => index.searchVectors(queries, { k: K, candidates }), REPS) }));
const split = quantizedSplit();
for (const { candidates, wall, cpu } of quantized) {
  rows.push([`quantized, ${candidates} candidates, batches of ${BATCH}`, (1000 * BATCH) / wall]);
  rows.push(["  the same, per CPU-second of this process", (1000 * BATCH) / cpu]);
}

const single = median(Array.from({ length: REPS * 2 }, (_, r) => timeMs(() => index.searchVectors(oneQuery(r % BATCH), { k: K, threads: 1 }))));
rows.push(["VectorIndex, one query at a time", 1000 / single]);

process.env.MODEL2VEC_WASM = "off";
const jsIndex = VectorIndex.fromVectors(new Embeddings(vectors, ROWS, DIM));
const jsQueries = new Embeddings(queries.data.slice(0, 16 * DIM), 16, DIM);
const jsBatch = median(Array.from({ length: Math.max(1, REPS >> 1) }, () => timeMs(() => jsIndex.searchVectors(jsQueries, { k: K, threads: 1 })))) / 16;
rows.push(["VectorIndex, batches of 16 (JavaScript kernel)", 1000 / jsBatch]);
delete process.env.MODEL2VEC_WASM; // the recall part runs the WebAssembly kernels again

console.log("\nqueries/s over the whole matrix (median; ratio to the naive baseline):");
for (const [name, qps] of rows) console.log(`  ${name.padEnd(48)} ${qps.toFixed(1).padStart(8)} q/s   ${(qps * naive / 1000).toFixed(1).padStart(6)}×`);
const flops = 2 * ROWS * DIM;
const cpuPerQuery = exactTimes.cpu / BATCH;
console.log(`\nexact, batches of ${BATCH}: ${(flops / batch / 1e6).toFixed(1)} GFLOP/s wall, ${(flops / cpuPerQuery / 1e6).toFixed(1)} GFLOP/s per CPU-second (2 per multiply-add); goal at 1M rows: 50 q/s = ${((50 * 2 * 1e6 * DIM) / 1e9).toFixed(1)} GFLOP/s`);
for (const { candidates, wall, cpu } of quantized) {
  console.log(`quantized, ${candidates} candidates: ${(exactTimes.wall / wall).toFixed(1)}× exact wall, ${(exactTimes.cpu / cpu).toFixed(1)}× per CPU-second`);
}
for (const line of split) console.log(line);

// A single query reads the whole matrix once: memory bandwidth bounds it.
const bytes = ROWS * DIM * 4;
const copy = new Float32Array(ROWS * DIM);
const copyMs = median(Array.from({ length: REPS }, () => timeMs(() => copy.set(vectors))));
console.log(`single query: ${single.toFixed(1)} ms = ${(bytes / single / 1e6).toFixed(2)} GB/s of matrix read`);
console.log(`plain copy of the matrix (read + write): ${copyMs.toFixed(1)} ms = ${((2 * bytes) / copyMs / 1e6).toFixed(2)} GB/s; a scan at that rate would take ${(bytes / ((2 * bytes) / copyMs)).toFixed(1)} ms`);

if (RECALL_ROWS > 0) await recall();

/**
 * Where a quantized batch's time goes, in CPU milliseconds: the code scan alone, the shortlist
 * (scan and selection, as VectorIndex runs it), and the rest of the search (rescoring). Returns
 * the lines to print.
 */
function quantizedSplit(): string[] {
  const words = codeWords(DIM);
  const codes = openScanMemory(words, ROWS * words, HAMMING_KERNELS);
  const matrix = codes.matrix(ROWS * words);
  writeCodes(index.rows().vectors, DIM, 0, ROWS, matrix, 0);
  const scratch = codes.scratch(BATCH, words, blockRows(words));
  writeCodes(queries.data, DIM, 0, BATCH, scratch.queries, 0);
  const block = blockRows(words);
  // The kernel as the shortlist calls it (16 queries at a time), letting no row in.
  const group = 16;
  const scan = timeBoth(() => {
    scratch.thresholds.fill(Infinity);
    for (let start = 0; start < ROWS; start += block) {
      for (let q = 0; q < BATCH; q += group) {
        const groupQueries = scratch.queries.subarray(q * words, (q + group) * words);
        codes.kernel(groupQueries, group, matrix, start, Math.min(block, ROWS - start), words, scratch.scores, scratch.thresholds.subarray(q, q + group), scratch.hits);
      }
    }
  }, REPS).cpu;
  const lines = [
    `\nquantized batch of ${BATCH}, CPU ms (median of ${REPS}): code scan alone ${scan.toFixed(0)}; exact search ${exactTimes.cpu.toFixed(0)}`,
    "  candidates   shortlist (scan + select)   rescoring   whole search   × exact",
  ];
  for (const { candidates, cpu } of quantized) {
    const shortlist = timeBoth(() => shortlistCodes({ matrix, width: words, first: 0, end: ROWS, queryCount: BATCH, k: candidates, kernel: codes.kernel, scratch }), REPS).cpu;
    lines.push(`  ${String(candidates).padStart(10)}   ${shortlist.toFixed(0).padStart(9)} (select ${(shortlist - scan).toFixed(0).padStart(3)})   ${(cpu - shortlist).toFixed(0).padStart(9)}   ${cpu.toFixed(0).padStart(12)}   ${(exactTimes.cpu / cpu).toFixed(1).padStart(7)}`);
  }
  return lines;
}

/** recall@10 of the quantized search on real sentence embeddings, and its speed there. */
async function recall(): Promise<void> {
  const corpus = sharedPath("data/corpus/wikipedia-en-2015/wikipedia-en.txt.gz");
  if (!corpus.available) return;
  const QUERIES = 1000;
  const sentences: string[] = [];
  for await (const sentence of interleavedSentences([{ path: corpus.path }])) {
    sentences.push(sentence);
    if (sentences.length === RECALL_ROWS + QUERIES) break;
  }
  const model = await StaticModel.fromPretrained();
  const embedded = model.encode(sentences);
  const dim = embedded.dim;
  const index = VectorIndex.fromVectors(new Embeddings(embedded.data.subarray(0, RECALL_ROWS * dim), RECALL_ROWS, dim));
  const held = new Embeddings(embedded.data.slice(RECALL_ROWS * dim), QUERIES, dim);
  const exact = index.searchVectors(held, { k: K });
  const batches = Array.from({ length: QUERIES / BATCH | 0 }, (_, b) => new Embeddings(held.data.subarray(b * BATCH * dim, (b + 1) * BATCH * dim), BATCH, dim));
  const exactCpu = timeBoth(() => batches.forEach((b) => index.searchVectors(b, { k: K, threads: 1 })), 1).cpu;
  console.log(`\nrecall@${K} against exact search: ${RECALL_ROWS} Wikipedia sentences × ${dim} (bundled model), ${QUERIES} held-out sentences as queries`);
  console.log(`  (× exact at ${ROWS} rows: CPU-second ratio from the first part)`);
  for (const { candidates, cpu: atScale } of quantized) {
    const found = index.searchVectors(held, { k: K, candidates });
    let hits = 0;
    found.forEach((list, q) => {
      const truth = new Set(exact[q]!.map((hit) => hit.id));
      hits += list.filter((hit) => truth.has(hit.id)).length;
    });
    const cpu = timeBoth(() => batches.forEach((b) => index.searchVectors(b, { k: K, candidates })), 1).cpu;
    console.log(`  ${String(candidates).padStart(5)} candidates: recall@${K} ${(hits / (QUERIES * K)).toFixed(4)}, ${(exactCpu / cpu).toFixed(1)}× exact per CPU-second here, ${(exactTimes.cpu / atScale).toFixed(1)}× at ${ROWS} rows`);
  }
}
