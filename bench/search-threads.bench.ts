/**
 * Multi-core exact search: `VectorIndex.searchVectors` on 1 thread and on every core
 * (`threads`), over ROWS × 256 float32 vectors (default 1,000,000), for batches of 1, 64, 256
 * and 1,024 queries. The two are measured alternately in the same run (1 thread, then 2, each
 * repetition), and the ratio is of their medians; the results are checked identical first.
 * Encode's bar for its pool is 1.8× on 2 cores for large inputs.
 *
 * Then where the pool pays: a 16,384-row index searched with growing batches (2^22 to 2^28
 * multiply-adds per call), the pool already running, and what starting the pool costs once.
 * Besides wall time, CPU time of this process: on a machine shared with other jobs, the
 * wall-time ratio is what the threads gained against everything else running.
 *
 * Run with `node --import tsx bench/search-threads.bench.ts`. Environment: SEARCH_ROWS (default
 * 1,000,000), SEARCH_REPS (timed repetitions, default 5; medians are printed).
 */
import { availableParallelism, loadavg } from "node:os";
import { Embeddings } from "../src/linalg/embeddings.js";
import { VectorIndex } from "../src/search/vector-index.js";
import { randomMatrix } from "../test/fixtures/random.js";

const ROWS = Number(process.env.SEARCH_ROWS ?? 1_000_000);
const REPS = Number(process.env.SEARCH_REPS ?? 5);
const DIM = 256;
const K = 10;
const BATCHES = [1, 64, 256, 1024];
const THREADS = availableParallelism();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall and CPU milliseconds of one run. */
function time(run: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** Medians of `reps` alternating runs of one thread and of `THREADS` threads. */
function compare(index: VectorIndex, queries: Embeddings, reps: number) {
  const one: { wall: number; cpu: number }[] = [];
  const all: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < reps; r++) {
    one.push(time(() => index.searchVectors(queries, { k: K, threads: 1 })));
    all.push(time(() => index.searchVectors(queries, { k: K, threads: THREADS })));
  }
  const summary = (runs: { wall: number; cpu: number }[]) => ({ wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) });
  return { one: summary(one), all: summary(all) };
}

function batchOf(count: number, seed: number): Embeddings {
  return new Embeddings(randomMatrix(count, DIM, seed), count, DIM);
}

console.log(`search threads bench: ${ROWS} × ${DIM} float32, k = ${K}, 1 vs ${THREADS} threads, ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`);
const index = VectorIndex.fromVectors(new Embeddings(randomMatrix(ROWS, DIM, 1), ROWS, DIM));

// Starting the pool: the first large search, against the next one (the pool then running).
const start = batchOf(64, 2);
const first = time(() => index.searchVectors(start, { k: K, threads: THREADS }));
const second = time(() => index.searchVectors(start, { k: K, threads: THREADS }));
console.log(`first ${THREADS}-thread search (starts the pool): ${first.wall.toFixed(0)} ms; the next: ${second.wall.toFixed(0)} ms`);

console.log(`\nbatch   1 thread q/s   ${THREADS} threads q/s   ratio (wall)   CPU ms 1 / ${THREADS} threads`);
for (const count of BATCHES) {
  const queries = batchOf(count, 3);
  const one = JSON.stringify(index.searchVectors(queries, { k: K, threads: 1 }));
  if (one !== JSON.stringify(index.searchVectors(queries, { k: K, threads: THREADS }))) throw new Error(`batch ${count}: ${THREADS} threads disagree with 1`);
  const reps = count === 1 ? REPS * 4 : REPS;
  const { one: single, all } = compare(index, queries, reps);
  console.log(
    `${String(count).padStart(5)}   ${((1000 * count) / single.wall).toFixed(1).padStart(12)}   ${((1000 * count) / all.wall).toFixed(1).padStart(14)}   ${(single.wall / all.wall).toFixed(2).padStart(11)}×   ${single.cpu.toFixed(0)} / ${all.cpu.toFixed(0)}`,
  );
}
await index.close();

// Where the pool pays, once running: growing work per call on a small index.
const SMALL = 16_384;
const small = VectorIndex.fromVectors(new Embeddings(randomMatrix(SMALL, DIM, 4), SMALL, DIM));
small.searchVectors(batchOf(64, 5), { k: K, threads: THREADS }); // 2^28 multiply-adds: starts the pool
console.log(`\n${SMALL} × ${DIM}, the pool running: per call, 1 thread vs ${THREADS} (median of ${REPS * 4})`);
for (const count of [1, 4, 16, 64]) {
  const queries = batchOf(count, 6);
  const { one, all } = compare(small, queries, REPS * 4);
  const work = Math.log2(count * SMALL * DIM);
  console.log(`  ${String(count).padStart(3)} queries (2^${work} multiply-adds): ${one.wall.toFixed(2)} ms vs ${all.wall.toFixed(2)} ms, ${(one.wall / all.wall).toFixed(2)}×`);
}
await small.close();
