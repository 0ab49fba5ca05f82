/** Messages between the encode pool and its worker threads (their shared counters: linalg/worker-threads.ts). */
import type { StoredDtype } from "../linalg/stored-table.js";
import type { PoolMemoryLayout } from "../linalg/wasm/pool-memory.js";

/** Posts a structured-cloneable value; a MessagePort in Node. */
export interface PortLike {
  postMessage(value: unknown): void;
}

/**
 * Where a worker finds the embedding table: the kernel's shared memory (the worker binds
 * its own kernel instance to it), or, for the JavaScript kernel, the stored values.
 */
export type SharedTable =
  | { memory: WebAssembly.Memory; layout: PoolMemoryLayout }
  | { dtype: StoredDtype; rows: number; dim: number; values: SharedArrayBuffer };

/** The model a worker encodes with, with its tables in shared memory. */
export interface WorkerSetup {
  tokenizerJson: string;
  unkId: number | null;
  medianTokenLength: number;
  table: SharedTable;
  mapping: SharedArrayBuffer | null;
  weights: SharedArrayBuffer | null;
}

/** A worker's `workerData`. */
export interface WorkerData {
  setup: WorkerSetup;
  /** One Int32 slot per worker, values from {@link STATUS}. */
  status: SharedArrayBuffer;
  /** The worker's number, 0-based; it pools in scratch region `index + 1` (the calling thread has 0). */
  index: number;
  /** Where the worker reports a failed chunk: `{ job, message }`. */
  errors: PortLike;
}

/** One encode call. Each job has its own control block, so a late worker can never claim chunks of a later job. */
export interface EncodeJob {
  id: number;
  texts: readonly string[];
  chunkSize: number;
  chunks: number;
  maxLength: number | null;
  normalize: boolean;
  /** Float32 rows, `texts.length × dim`. */
  out: SharedArrayBuffer;
  control: SharedArrayBuffer;
}
