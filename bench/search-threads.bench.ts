/**
 * Multi-core exact search: `VectorIndex.searchVectors` on 1 thread and on every core
 * (`threads`), over ROWS × 256 float32 vectors (default 1,000,000), for batches of 1, 64, 256
 * and 1,024 queries. The two are measured alternately in the same run (1 thread, then 2, each
 * repetition), and the ratio is of their medians; the results are checked identical first.
 * Encode's bar for its pool is 1.8× on 2 cores for large inputs.
 *
 * Then where the pool pays: a 16,384-row index searched with growing batches (2^22 to 2^28
 * multiply-adds per call), the pool already running, and what starting the pool costs once.
 * Besides wall time, CPU time: on a machine shared with other jobs, the threads compete with
 * those jobs for the cores, and the wall-time ratio says little about the search. So each call
 * also gets its critical path in CPU time, the CPU time of its busiest thread (from
 * /proc/self/task, Linux only): waiting for memory or cache counts there, waiting for a core
 * does not. "CPU path ratio" is 1 thread's over `THREADS` threads': the speed-up on idle cores.
 *
 * The pool splits the rows among the threads, each scanning its share with every query. The
 * other design splits the queries, each thread scanning the whole matrix with its share of
 * them: its critical path would be one thread's search of `count / THREADS` queries, which the
 * last column measures (on the calling thread) as a ratio to the same 1-thread baseline.
 *
 * Run with `node --import tsx bench/search-threads.bench.ts`. Environment: SEARCH_ROWS (default
 * 1,000,000), SEARCH_REPS (timed repetitions, default 5; medians are printed).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
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

/** CPU milliseconds of each thread of this process so far, by thread id (empty off Linux). */
function threadCpu(): Map<string, number> {
  const times = new Map<string, number>();
  if (!existsSync("/proc/self/task")) return times;
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in 10 ms ticks.
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      times.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return times;
}

interface Timing {
  wall: number;
  /** CPU time of the whole process. */
  cpu: number;
  /** CPU time of the busiest thread: the critical path on idle cores. */
  path: number;
}

/** Wall, CPU and critical-path milliseconds of `repeat` runs. */
function time(run: () => void, repeat = 1): Timing {
  const threads = threadCpu();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let r = 0; r < repeat; r++) run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  let path = 0;
  for (const [tid, after] of threadCpu()) path = Math.max(path, after - (threads.get(tid) ?? 0));
  return { wall, cpu: (used.user + used.system) / 1000, path };
}

/** Medians of `reps` alternating timings (of `repeat` calls each) of one thread and of `THREADS` threads. */
function compare(index: VectorIndex, queries: Embeddings, reps: number, repeat = 1): { one: Timing; all: Timing } {
  const one: Timing[] = [];
  const all: Timing[] = [];
  for (let r = 0; r < reps; r++) {
    one.push(time(() => index.searchVectors(queries, { k: K, threads: 1 }), repeat));
    all.push(time(() => index.searchVectors(queries, { k: K, threads: THREADS }), repeat));
  }
  const summary = (runs: Timing[]): Timing => ({
    wall: median(runs.map((r) => r.wall)) / repeat,
    cpu: median(runs.map((r) => r.cpu)) / repeat,
    path: median(runs.map((r) => r.path)) / repeat,
  });
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

console.log(`\nbatch   1 thread q/s   ${THREADS} threads q/s   ratio (wall)   CPU path ratio   CPU ms 1 / ${THREADS} threads   queries split: CPU path ratio`);
for (const count of BATCHES) {
  const queries = batchOf(count, 3);
  const one = JSON.stringify(index.searchVectors(queries, { k: K, threads: 1 }));
  if (one !== JSON.stringify(index.searchVectors(queries, { k: K, threads: THREADS }))) throw new Error(`batch ${count}: ${THREADS} threads disagree with 1`);
  const reps = count === 1 ? REPS * 4 : REPS;
  const { one: single, all } = compare(index, queries, reps);
  const share = new Embeddings(queries.data.subarray(0, Math.ceil(count / THREADS) * DIM), Math.ceil(count / THREADS), DIM);
  const split = count < THREADS ? "-" : `${(single.path / median(Array.from({ length: reps }, () => time(() => index.searchVectors(share, { k: K, threads: 1 })).path))).toFixed(2)}×`;
  console.log(
    `${String(count).padStart(5)}   ${((1000 * count) / single.wall).toFixed(1).padStart(12)}   ${((1000 * count) / all.wall).toFixed(1).padStart(14)}   ${(single.wall / all.wall).toFixed(2).padStart(11)}×   ${(single.path / all.path).toFixed(2).padStart(13)}×   ${`${single.cpu.toFixed(0)} / ${all.cpu.toFixed(0)}`.padStart(19)}   ${split.padStart(28)}`,
  );
}
await index.close();

// Where the pool pays, once running: growing work per call on a small index.
const SMALL = 16_384;
const small = VectorIndex.fromVectors(new Embeddings(randomMatrix(SMALL, DIM, 4), SMALL, DIM));
small.searchVectors(batchOf(64, 5), { k: K, threads: THREADS }); // 2^28 multiply-adds: starts the pool
console.log(`\n${SMALL} × ${DIM}, the pool running: per call, 1 thread vs ${THREADS} (timings of 2^30 multiply-adds' worth of calls, median of ${REPS})`);
for (const count of [1, 4, 16, 64]) {
  const queries = batchOf(count, 6);
  const work = count * SMALL * DIM;
  const { one, all } = compare(small, queries, REPS, 2 ** 30 / work);
  console.log(
    `  ${String(count).padStart(3)} queries (2^${Math.log2(work)} multiply-adds): wall ${one.wall.toFixed(2)} vs ${all.wall.toFixed(2)} ms (${(one.wall / all.wall).toFixed(2)}×), CPU path ${one.path.toFixed(2)} vs ${all.path.toFixed(2)} ms (${(one.path / all.path).toFixed(2)}×)`,
  );
}
await small.close();
