/**
 * A small pool of Node worker threads running {@link createKernels}, for the PCA kernels.
 *
 * Design (why the worker is source text, not a file):
 *
 * - The worker is started with `new Worker(source, { eval: true })`, where `source` is a short
 *   message loop plus `createKernels.toString()`. There is no worker file to locate, so the same
 *   code runs unchanged from the TypeScript sources under vitest or tsx (a `.ts` worker file
 *   would need a TypeScript loader inside the worker: Node 20 cannot run TypeScript, and vitest's
 *   transforms do not apply in worker threads), from tsup's ESM and CJS builds (the CJS build has
 *   no `import.meta.url` to resolve a worker file against, and tsup bundles only src/index.ts),
 *   and from an application bundle that inlined this package.
 * - `createKernels` is self-contained by contract, so its text means the same thing in the worker
 *   as on the calling thread, even after a minifier renamed its inner names. Its kernels are
 *   methods of an object literal rather than nested function declarations because esbuild's
 *   `keepNames` (on in tsx, and in some application bundles) wraps named functions in calls to a
 *   module-level `__name` helper, which a minifier renames and the worker would not have; methods
 *   are left alone. (Checked: esbuild `--bundle --minify [--keep-names]`, ESM and CJS.) The
 *   prelude still defines a no-op `__name` for unminified tsx output.
 * - Should a toolchain still break the text (a coverage instrumenter injecting counters, say),
 *   the failure surfaces as an error from the worker; {@link pca} then warns through
 *   `onWarning` and computes on the calling thread, so results never depend on the workers.
 * - Nothing here imports a `node:` module at the top level: `node:worker_threads` and `node:os`
 *   are reached through `process.getBuiltinModule` (Node ≥ 20.16) or, failing that, a dynamic
 *   `import()` of a computed specifier that bundlers leave alone. In a browser both are absent
 *   and {@link openWorkerPool} returns `null`: PCA then runs on the calling thread.
 *
 * The input matrix is shared with the workers through a SharedArrayBuffer (copied into one when
 * the caller's array is not already shared), so no worker receives its own copy of it.
 *
 * Messages are copied, never transferred: transferring an ArrayBuffer detaches it, and the
 * first detach in a thread invalidates V8's "array buffer detaching" protector, after which
 * optimised code checks for detached buffers on every typed-array access. Measured here, that
 * slows the projection kernel by 20% in the worker that had transferred its covariance (and would
 * tax every typed-array loop of the caller's thread if we detached there). The copies are at
 * most cols² Float64s, a few milliseconds.
 *
 * @module
 */

import { createKernels } from "./kernels.js";

/** A task for one worker; the shapes mirror the kernels' parameters. */
export type WorkerTask =
  | { type: "covariance"; rowStart: number; rowEnd: number; mean: Float64Array }
  | {
      type: "project";
      rowStart: number;
      rowEnd: number;
      mean: Float64Array;
      components: Float64Array;
      k: number;
      out: Float32Array;
    }
  | { type: "eigen"; matrix: Float64Array; n: number; count: number };

/** The part of `node:worker_threads`' Worker that the pool uses. */
interface NodeWorker {
  postMessage(value: unknown): void;
  on(event: "message", listener: (value: unknown) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  terminate(): Promise<number>;
}

type WorkerConstructor = new (
  source: string,
  options: { eval: true; workerData: unknown },
) => NodeWorker;

/** Worker threads that share one input matrix and run {@link WorkerTask}s, one at a time each. */
export interface WorkerPool {
  /** Number of workers. */
  readonly size: number;
  /** Runs `task` on worker `index` and resolves with its reply. */
  run(index: number, task: WorkerTask): Promise<unknown>;
  /** Terminates every worker. */
  close(): Promise<void>;
}

/** The message loop each worker runs, around the kernels' source text. */
function workerSource(): string {
  return `"use strict";
var __name = function (target) { return target; };
const { parentPort, workerData } = require("node:worker_threads");
const kernels = (${createKernels.toString()})();
const data = new Float32Array(workerData.buffer, workerData.byteOffset, workerData.rows * workerData.cols);
const cols = workerData.cols;
parentPort.on("message", (task) => {
  try {
    if (task.type === "covariance") {
      const out = new Float64Array(cols * cols);
      kernels.covarianceRows(data, cols, task.rowStart, task.rowEnd, task.mean, out);
      parentPort.postMessage({ ok: true, value: out });
    } else if (task.type === "project") {
      kernels.projectRows(data, cols, task.rowStart, task.rowEnd, task.mean, task.components, task.k, task.out);
      parentPort.postMessage({ ok: true, value: null });
    } else if (task.type === "eigen") {
      const result = kernels.eigenSymmetric(task.matrix, task.n, task.count);
      parentPort.postMessage({ ok: true, value: result });
    } else {
      throw new Error("unknown task " + String(task.type));
    }
  } catch (error) {
    parentPort.postMessage({ ok: false, error: error instanceof Error ? (error.stack || error.message) : String(error) });
  }
});
`;
}

interface NodeBuiltins {
  Worker: WorkerConstructor;
  availableParallelism: () => number;
}

let builtins: Promise<NodeBuiltins | null> | undefined;

/** `node:worker_threads` and `node:os`, or null where they do not exist (browsers). */
function loadBuiltins(): Promise<NodeBuiltins | null> {
  builtins ??= (async (): Promise<NodeBuiltins | null> => {
    try {
      const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } })
        .process;
      if (typeof proc?.versions?.node !== "string") return null;
      let threads: { Worker?: WorkerConstructor } | undefined;
      let os: { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
      if (typeof proc.getBuiltinModule === "function") {
        threads = proc.getBuiltinModule("node:worker_threads") as typeof threads;
        os = proc.getBuiltinModule("node:os") as typeof os;
      } else {
        // A computed specifier, so that bundlers targeting browsers do not try to resolve it.
        const load = (id: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ id);
        threads = (await load(["node", "worker_threads"].join(":"))) as typeof threads;
        os = (await load(["node", "os"].join(":"))) as typeof os;
      }
      if (typeof threads?.Worker !== "function") return null;
      const availableParallelism = (): number =>
        os?.availableParallelism?.() ?? os?.cpus?.().length ?? 1;
      return { Worker: threads.Worker, availableParallelism };
    } catch {
      return null;
    }
  })();
  return builtins;
}

/** Number of hardware threads, or 1 where it cannot be known (and where workers are unavailable). */
export async function hardwareConcurrency(): Promise<number> {
  const node = await loadBuiltins();
  if (node === null) return 1;
  return Math.max(1, node.availableParallelism());
}

/**
 * Starts `size` workers sharing `data` (rows × cols). Returns null when worker threads are not
 * available in this runtime or could not be started; the caller then computes on its own thread.
 */
export async function openWorkerPool(
  data: Float32Array,
  rows: number,
  cols: number,
  size: number,
): Promise<WorkerPool | null> {
  const node = await loadBuiltins();
  if (node === null || typeof SharedArrayBuffer !== "function") return null;

  let shared: Float32Array;
  if (data.buffer instanceof SharedArrayBuffer) {
    shared = data;
  } else {
    shared = new Float32Array(new SharedArrayBuffer(rows * cols * Float32Array.BYTES_PER_ELEMENT));
    shared.set(data.subarray(0, rows * cols));
  }
  const workerData = { buffer: shared.buffer, byteOffset: shared.byteOffset, rows, cols };
  const source = workerSource();

  const workers: NodeWorker[] = [];
  const pending: Array<{ resolve: (value: unknown) => void; reject: (error: Error) => void } | null> = [];
  // Why each worker stopped, once it has: later tasks for it fail at once instead of waiting forever.
  const dead: Array<Error | null> = [];
  const fail = (index: number, error: Error): void => {
    dead[index] ??= error;
    const waiter = pending[index];
    pending[index] = null;
    waiter?.reject(error);
  };
  try {
    for (let index = 0; index < size; index++) {
      const worker = new node.Worker(source, { eval: true, workerData });
      pending.push(null);
      dead.push(null);
      worker.on("message", (reply) => {
        const waiter = pending[index];
        pending[index] = null;
        if (waiter === null || waiter === undefined) return;
        const message = reply as { ok: boolean; value?: unknown; error?: string };
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(new Error(`PCA worker ${index} failed: ${message.error ?? "unknown error"}`));
      });
      worker.on("error", (error) => fail(index, error));
      worker.on("exit", (code) => fail(index, new Error(`PCA worker ${index} exited with code ${code}`)));
      workers.push(worker);
    }
  } catch {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return null;
  }

  return {
    size,
    run(index: number, task: WorkerTask): Promise<unknown> {
      const worker = workers[index];
      if (worker === undefined) return Promise.reject(new Error(`no PCA worker ${index}`));
      const stopped = dead[index];
      if (stopped) return Promise.reject(stopped);
      if (pending[index]) return Promise.reject(new Error(`PCA worker ${index} is busy`));
      return new Promise((resolve, reject) => {
        pending[index] = { resolve, reject };
        worker.postMessage(task);
      });
    },
    async close(): Promise<void> {
      for (let index = 0; index < pending.length; index++) {
        pending[index] = null;
        dead[index] ??= new Error(`PCA worker ${index} was closed`);
      }
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
