/**
 * How the search pool (search-pool.ts) and its worker threads (search-worker.ts) share one
 * exact scan: the job message, where each thread's top k goes, and the loop by which every
 * thread, the caller included, claims chunks of rows.
 */
import { CONTROL } from "../linalg/worker-threads.js";
import { type ScanInput, scanTopK } from "./exact-scan.js";
import type { ScanScratch } from "./scan-memory.js";
import type { TopK } from "./top-k.js";

/** Byte offsets of one thread's {@link ScanScratch} parts in the shared memory. */
export interface ScratchOffsets {
  readonly queries: number;
  readonly scores: number;
  readonly thresholds: number;
  readonly hits: number;
}

/** A search worker's `workerData`. */
export interface SearchWorkerData {
  /** The index's memory: its rows from byte 0, then every thread's scratch. */
  readonly memory: WebAssembly.Memory;
  /** The block kernel's WebAssembly module (base64), which the worker binds to `memory`. */
  readonly module: string;
  /** One Int32 slot per worker, values from `STATUS`. */
  readonly status: SharedArrayBuffer;
  /** The worker's number, 0-based; its scratch is thread `index + 1`'s (the caller is thread 0). */
  readonly index: number;
}

/** One parallel scan of rows `[0, rows)` in `chunks` chunks of `chunkRows` rows. */
export interface SearchJob {
  readonly rows: number;
  readonly width: number;
  readonly queryCount: number;
  readonly k: number;
  readonly chunkRows: number;
  readonly chunks: number;
  /** Each thread's scratch, the caller's first; they share the queries. */
  readonly scratch: readonly ScratchOffsets[];
  /** Each worker's top k, at {@link resultViews}. */
  readonly results: SharedArrayBuffer;
  /** Int32 slots at the indices of `CONTROL`. */
  readonly control: SharedArrayBuffer;
}

/** A {@link TopK}'s arrays, as a worker leaves them in a job's results. */
export interface TopKArrays {
  readonly scores: Float64Array;
  readonly positions: Int32Array;
  readonly sizes: Int32Array;
}

/** Bytes of one worker's part of a job's results. */
export function resultBytes(queryCount: number, k: number): number {
  return queryCount * k * 12 + Math.ceil(queryCount / 2) * 8;
}

/** Worker `index`'s part of `results`. */
export function resultViews(results: SharedArrayBuffer, index: number, queryCount: number, k: number): TopKArrays {
  const at = index * resultBytes(queryCount, k);
  return {
    scores: new Float64Array(results, at, queryCount * k),
    positions: new Int32Array(results, at + queryCount * k * 8, queryCount * k),
    sizes: new Int32Array(results, at + queryCount * k * 12, queryCount),
  };
}

/**
 * Scans the chunks this thread claims into `top` until none is left. A thread claims chunks in
 * increasing order, so its rows come in increasing position, as {@link scanTopK} requires.
 * `chunkDone`, if given, runs after each chunk, before it counts as done. A chunk that throws
 * marks the job failed (and still counts as done) and stops this thread.
 */
export function scanClaimedChunks(job: SearchJob, scan: Omit<ScanInput, "first" | "end" | "top">, top: TopK, chunkDone?: () => void): void {
  const control = new Int32Array(job.control);
  for (;;) {
    const chunk = Atomics.add(control, CONTROL.next, 1);
    if (chunk >= job.chunks) return;
    const first = chunk * job.chunkRows;
    try {
      scanTopK({ ...scan, first, end: Math.min(first + job.chunkRows, job.rows), top });
      chunkDone?.();
    } catch (error) {
      // The other threads still scan every chunk left, so the caller's wait ends.
      Atomics.store(control, CONTROL.failed, 1);
      throw error;
    } finally {
      Atomics.add(control, CONTROL.done, 1);
      Atomics.notify(control, CONTROL.done);
    }
  }
}
