/**
 * Multi-core exact search in Node: worker threads that scan the index's rows in place, in its
 * shared WebAssembly memory (no copy, per call or ever), with a synchronous call, so
 * `searchVectors` keeps its signature. It works like the encode pool (src/model/encode-pool.ts).
 *
 * How a call runs: the rows are cut into chunks (whole blocks of the scan, so every row is
 * scored exactly as one thread scores it). The caller posts the job to the workers, then claims
 * chunks with `Atomics.add` as they do, each thread keeping one top k per query over the chunks
 * it claimed. When none is left, the caller waits in `Atomics.wait` for the chunks in flight and
 * merges the workers' top k into its own; ties compare by position there too, so the result is
 * the single-thread one, bit for bit.
 *
 * A worker that fails a chunk or dies holding one ends the pool's use: the call returns null
 * and the caller scans on its own thread. Workers are `unref`ed, so an open pool never keeps a
 * process alive; `close()` stops them. Without `process.getBuiltinModule` (browsers, Deno,
 * older Node) or without the worker's file, there is no pool.
 */
import { builtinLoader, CONTROL, STATUS, workerScript } from "../linalg/worker-threads.js";
import type { ScanInput } from "./exact-scan.js";
import { blockRows } from "./exact-scan.js";
import type { ScanScratch, SharedScanMemory } from "./scan-memory.js";
import { resultBytes, resultViews, scanClaimedChunks, type SearchJob, type SearchWorkerData } from "./search-protocol.js";
import { TopK } from "./top-k.js";

/** Chunks per thread and call: enough that a fast thread takes over from a slow one. */
const CHUNKS_PER_THREAD = 16;
/** How often a waiting caller checks whether a worker died. */
const WAIT_SLICE_MS = 50;

interface NodeWorker {
  postMessage(value: unknown): void;
  on(event: "error", listener: (error: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface WorkerThreadsModule {
  Worker: new (script: URL, options: { workerData: SearchWorkerData }) => NodeWorker;
}

/** A scan for the pool: {@link ScanInput} over rows `[0, end)`, with a scratch per thread. */
export interface ParallelScan extends Omit<ScanInput, "first" | "scratch" | "accept" | "top"> {
  /** One per thread, from `ScanMemory.threadScratch`, with the queries in place. */
  readonly scratch: readonly ScanScratch[];
}

/** Worker threads that scan one shared memory. */
export class SearchPool {
  /** The memory the workers scan. */
  readonly memory: SharedScanMemory;
  /** Threads of a call, the calling one included. */
  readonly threads: number;
  readonly #workers: NodeWorker[];
  readonly #status: Int32Array;
  #broken = false;

  private constructor(memory: SharedScanMemory, workers: NodeWorker[], status: Int32Array) {
    this.memory = memory;
    this.#workers = workers;
    this.#status = status;
    this.threads = workers.length + 1;
  }

  /** Starts `threads - 1` workers scanning `memory`. Null where worker threads or the worker file are unavailable. */
  static open(memory: SharedScanMemory, threads: number): SearchPool | null {
    const load = builtinLoader();
    if (load === null || threads < 2) return null;
    try {
      const script = workerScript(load, "search-worker", import.meta.url);
      if (script === null) return null;
      const { Worker } = load("node:worker_threads") as WorkerThreadsModule;
      const status = new Int32Array(new SharedArrayBuffer(4 * (threads - 1)));
      const workers: NodeWorker[] = [];
      for (let index = 0; index < threads - 1; index++) {
        const worker = new Worker(script, { workerData: { ...memory, status: status.buffer as SharedArrayBuffer, index } });
        worker.unref();
        workers.push(worker);
      }
      const pool = new SearchPool(memory, workers, status);
      for (const worker of workers) worker.on("error", () => (pool.#broken = true));
      return pool;
    } catch {
      // A runtime with partial worker support: stay on one thread.
      return null;
    }
  }

  /** False once a worker failed or died, or after `close()`: searches then run on the calling thread. */
  get usable(): boolean {
    return !this.#broken && !this.#statusIs(STATUS.exited) && !this.#statusIs(STATUS.diedBusy);
  }

  /**
   * The top k of rows `[0, scan.end)` for every query, on `scan.scratch.length` threads (at most
   * {@link threads}); null when a worker failed, and the caller should scan alone.
   */
  scan(scan: ParallelScan): TopK | null {
    const { end: rows, width, queryCount, k } = scan;
    const threads = Math.min(scan.scratch.length, this.threads);
    const block = blockRows(width);
    const chunkRows = Math.max(1, Math.ceil(rows / (threads * CHUNKS_PER_THREAD * block))) * block;
    const chunks = Math.ceil(rows / chunkRows);
    const [own, ...others] = scan.scratch.slice(0, threads) as [ScanScratch, ...ScanScratch[]];
    const job: SearchJob = {
      rows,
      width,
      queryCount,
      k,
      chunkRows,
      chunks,
      scratch: scan.scratch.slice(0, threads).map((s) => ({
        queries: s.queries.byteOffset,
        scores: s.scores.byteOffset,
        thresholds: s.thresholds.byteOffset,
        hits: s.hits.byteOffset,
      })),
      results: new SharedArrayBuffer(others.length * resultBytes(queryCount, k)),
      control: new SharedArrayBuffer(4 * CONTROL.length),
    };
    for (const worker of this.#workers.slice(0, others.length)) worker.postMessage(job);
    const top = new TopK(queryCount, k);
    scanClaimedChunks(job, { matrix: scan.matrix, width, queryCount, k, kernel: scan.kernel, scratch: own }, top);
    const control = new Int32Array(job.control);
    if (!this.#awaitChunks(control, chunks) || Atomics.load(control, CONTROL.failed) !== 0) {
      this.#broken = true;
      return null;
    }
    for (let index = 0; index < others.length; index++) {
      const theirs = resultViews(job.results, index, queryCount, k);
      for (let q = 0; q < queryCount; q++) {
        for (let i = 0; i < theirs.sizes[q]!; i++) top.push(q, theirs.scores[q * k + i]!, theirs.positions[q * k + i]!);
      }
    }
    return top;
  }

  /** Waits until `chunks` chunks are done; false when a worker died holding one. */
  #awaitChunks(control: Int32Array, chunks: number): boolean {
    for (;;) {
      const done = Atomics.load(control, CONTROL.done);
      if (done >= chunks) return true;
      if (Atomics.wait(control, CONTROL.done, done, WAIT_SLICE_MS) === "timed-out" && this.#statusIs(STATUS.diedBusy)) return false;
    }
  }

  #statusIs(value: number): boolean {
    for (let i = 0; i < this.#status.length; i++) if (Atomics.load(this.#status, i) === value) return true;
    return false;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.#broken = true;
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
