/**
 * Multi-core encode in Node: worker threads that share the model's embedding
 * table through SharedArrayBuffers (no copy per worker) and a synchronous
 * `encode`, so `StaticModel.encode` keeps its signature.
 *
 * How a call runs: the caller posts the job (the texts and a fresh control
 * block) to every worker, then claims chunks of texts itself with
 * `Atomics.add`, exactly as the workers do, so no chunk runs twice and the
 * caller never idles while a worker is still starting. Each thread writes its
 * rows straight into one shared output matrix; order is preserved because a
 * row's position is its text's index. When no chunk is left to claim, the
 * caller blocks in `Atomics.wait` (allowed on Node's main thread) until the
 * chunks in flight are done.
 *
 * A worker that dies unexpectedly marks its status slot from its `exit`
 * handler, and the caller fails the call instead of waiting forever. Workers
 * are `unref`ed, so an open pool never keeps a process alive; `close()` stops
 * them. Nothing here imports a `node:` module statically: the modules come from
 * `process.getBuiltinModule` (Node ≥ 20.16), and without it (browsers, Deno,
 * older Node) there is no pool and encoding stays on the calling thread.
 */
import { Model2VecError } from "../errors.js";
import { type EncodeCore, EncodeScratch, encodeRange } from "./encode-core.js";
import type { EncodeJob, PortLike, WorkerData, WorkerSetup } from "./encode-protocol.js";
import type { StoredTable } from "../linalg/stored-table.js";
import type { EmbeddingTable } from "./pooling.js";
import { builtinLoader, CONTROL, STATUS, workerScript } from "../linalg/worker-threads.js";

/** Chunks per thread and call: enough that fast threads take over from slow ones. */
const CHUNKS_PER_THREAD = 16;
const MAX_CHUNK = 256;
/** How often a waiting caller checks whether a worker died. */
const WAIT_SLICE_MS = 50;

interface NodeWorker {
  postMessage(value: unknown, transfer?: readonly unknown[]): void;
  on(event: "error" | "exit", listener: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface MessagePortLike extends PortLike {
  close(): void;
}

interface WorkerThreadsModule {
  Worker: new (script: URL, options: Record<string, unknown>) => NodeWorker;
  MessageChannel: new () => { port1: MessagePortLike; port2: MessagePortLike };
  receiveMessageOnPort(port: MessagePortLike): { message: { job: number; message: string } } | undefined;
}

/** A copy of `array` in a SharedArrayBuffer, or `array` itself when it already is one. */
function shared<T extends Float32Array | Int32Array | Uint16Array | Int8Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/**
 * `source` with every array in shared memory: the kernel memory as it is when it is shared
 * with a scratch region for each of `threads` threads, else the stored values copied into a
 * SharedArrayBuffer for the JavaScript kernel.
 */
function sharedSource(source: EmbeddingTable, threads: number): EmbeddingTable {
  const mapping = source.mapping && shared(source.mapping);
  const weights = source.weights && shared(source.weights);
  const { memory } = source;
  if (memory !== null && memory.layout.shared && memory.layout.regions >= threads) return { ...source, mapping, weights };
  const { table } = source;
  return { table: { ...table, values: shared(table.values) } as StoredTable, mapping, weights, memory: null };
}

/** A pool of encode worker threads for one model. */
export class EncodePool {
  /** The model's tables, moved into SharedArrayBuffers; the model should use these from now on. */
  readonly core: EncodeCore;
  readonly threads: number;
  readonly #workerThreads: WorkerThreadsModule;
  readonly #workers: NodeWorker[];
  readonly #status: Int32Array;
  readonly #errors: MessagePortLike[];
  readonly #scratch: EncodeScratch;
  #jobs = 0;
  #broken = false;

  private constructor(core: EncodeCore, threads: WorkerThreadsModule, workers: NodeWorker[], status: Int32Array, errors: MessagePortLike[]) {
    this.core = core;
    this.#workerThreads = threads;
    this.#workers = workers;
    this.#status = status;
    this.#errors = errors;
    this.threads = workers.length + 1;
    this.#scratch = new EncodeScratch(core.source);
  }

  /**
   * Starts `threads - 1` workers for `core` (the calling thread is the last one).
   * Returns null where worker threads or the worker file are unavailable.
   */
  static open(core: EncodeCore, tokenizerJson: string, threads: number): EncodePool | null {
    try {
      return EncodePool.#open(core, tokenizerJson, threads);
    } catch {
      // A runtime with partial worker support (e.g. Node compatibility layers): stay on one thread.
      return null;
    }
  }

  static #open(core: EncodeCore, tokenizerJson: string, threads: number): EncodePool | null {
    const load = builtinLoader();
    if (load === null || threads < 2 || typeof SharedArrayBuffer !== "function") return null;
    const script = workerScript(load, "encode-worker", import.meta.url);
    if (script === null) return null;
    const workerThreads = load("node:worker_threads") as WorkerThreadsModule;
    const source = sharedSource(core.source, threads);
    const sharedCore: EncodeCore = { ...core, source };
    const status = new Int32Array(new SharedArrayBuffer(4 * (threads - 1)));
    const setup: WorkerSetup = {
      tokenizerJson,
      unkId: core.unkId,
      medianTokenLength: core.medianTokenLength,
      table: source.memory === null ? { ...source.table, values: source.table.values.buffer as SharedArrayBuffer } : { memory: source.memory.memory, layout: source.memory.layout },
      mapping: (source.mapping?.buffer as SharedArrayBuffer | undefined) ?? null,
      weights: (source.weights?.buffer as SharedArrayBuffer | undefined) ?? null,
    };
    const workers: NodeWorker[] = [];
    const errors: MessagePortLike[] = [];
    for (let index = 0; index < threads - 1; index++) {
      const { port1, port2 } = new workerThreads.MessageChannel();
      const workerData: WorkerData = { setup, status: status.buffer as SharedArrayBuffer, index, errors: port2 };
      const worker = new workerThreads.Worker(script, { workerData, transferList: [port2] });
      worker.unref();
      workers.push(worker);
      errors.push(port1);
    }
    const pool = new EncodePool(sharedCore, workerThreads, workers, status, errors);
    for (const worker of workers) worker.on("error", () => (pool.#broken = true));
    return pool;
  }

  /** False once a worker failed to start or died, or after `close()`; the model then encodes on its own thread. */
  get usable(): boolean {
    return !this.#broken && !this.#statusIs(STATUS.exited) && !this.#statusIs(STATUS.diedBusy);
  }

  /** Workers that have loaded the tokenizer and wait for chunks. */
  get readyWorkers(): number {
    let ready = 0;
    for (let i = 0; i < this.#status.length; i++) if (Atomics.load(this.#status, i) === STATUS.ready) ready++;
    return ready;
  }

  /**
   * Encodes `texts` on every thread of the pool. Rows are in input order.
   *
   * @throws Model2VecError when a chunk fails in a worker (with its message) or a worker dies.
   */
  encode(texts: readonly string[], maxLength: number | null, normalize: boolean): Float32Array {
    const { dim } = this.core.source.table;
    const out = new Float32Array(new SharedArrayBuffer(texts.length * dim * 4));
    const chunkSize = Math.max(1, Math.min(MAX_CHUNK, Math.ceil(texts.length / (this.threads * CHUNKS_PER_THREAD))));
    const chunks = Math.ceil(texts.length / chunkSize);
    const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.length));
    const job: EncodeJob = { id: ++this.#jobs, texts, chunkSize, chunks, maxLength, normalize, out: out.buffer as SharedArrayBuffer, control: control.buffer as SharedArrayBuffer };
    for (const worker of this.#workers) worker.postMessage(job);
    for (;;) {
      const chunk = Atomics.add(control, CONTROL.next, 1);
      if (chunk >= chunks) break;
      const first = chunk * chunkSize;
      try {
        encodeRange(this.core, texts, first, Math.min(first + chunkSize, texts.length), maxLength, normalize, out, this.#scratch);
      } catch (error) {
        // Nothing is left for the workers to claim; their chunks in flight finish into the discarded output.
        Atomics.store(control, CONTROL.next, chunks);
        throw error;
      }
      Atomics.add(control, CONTROL.done, 1);
    }
    this.#awaitChunks(control, chunks);
    if (Atomics.load(control, CONTROL.failed) !== 0) throw new Model2VecError(`encode failed in a worker thread: ${this.#errorOf(job.id)}`);
    return out;
  }

  #awaitChunks(control: Int32Array, chunks: number): void {
    for (;;) {
      const done = Atomics.load(control, CONTROL.done);
      if (done >= chunks) return;
      // Only a worker that died holding a chunk can leave the call unfinished.
      if (Atomics.wait(control, CONTROL.done, done, WAIT_SLICE_MS) === "timed-out" && this.#statusIs(STATUS.diedBusy)) {
        this.#broken = true;
        throw new Model2VecError("an encode worker thread stopped unexpectedly; retry with { threads: 1 }");
      }
    }
  }

  #statusIs(value: number): boolean {
    for (let i = 0; i < this.#status.length; i++) if (Atomics.load(this.#status, i) === value) return true;
    return false;
  }

  /** The failure message a worker posted for job `id` (earlier jobs' messages are skipped). */
  #errorOf(id: number): string {
    for (const port of this.#errors) {
      for (let received = this.#workerThreads.receiveMessageOnPort(port); received; received = this.#workerThreads.receiveMessageOnPort(port)) {
        if (received.message.job === id) return received.message.message;
      }
    }
    return "unknown error";
  }

  /** Stops the workers. The model keeps working on its own thread. */
  async close(): Promise<void> {
    this.#broken = true;
    for (const port of this.#errors) port.close();
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
