/**
 * The body of an encode worker thread (see encode-pool.ts). It rebuilds the
 * model's tokenizer from its JSON, pools over the embedding table the pool
 * shares with it (no copy), and claims chunks of each job until none are left.
 * Started only by the pool, in Node.
 */
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { StoredTable } from "../linalg/stored-table.js";
import { PoolMemory } from "../linalg/wasm/pool-memory.js";
import { type EncodeCore, EncodeScratch, encodeRange } from "./encode-core.js";
import { CONTROL, STATUS } from "../linalg/worker-threads.js";
import type { EncodeJob, SharedTable, WorkerData } from "./encode-protocol.js";
import type { EmbeddingTable } from "./pooling.js";

interface WorkerThreads {
  workerData: WorkerData;
  parentPort: { on(event: "message", listener: (job: EncodeJob) => void): void };
}

const { workerData, parentPort } = process.getBuiltinModule("node:worker_threads") as WorkerThreads;

const { setup, index, errors } = workerData;
const status = new Int32Array(workerData.status);
// A worker that dies holding a chunk marks it, so the caller waiting for that chunk fails instead of hanging.
process.on("exit", () => {
  Atomics.store(status, index, Atomics.load(status, index) === STATUS.busy ? STATUS.diedBusy : STATUS.exited);
});
const core: EncodeCore = {
  tokenizer: loadTokenizer(setup.tokenizerJson),
  unkId: setup.unkId,
  medianTokenLength: setup.medianTokenLength,
  source: sourceOf(setup.table, setup.mapping && new Int32Array(setup.mapping), setup.weights && new Float32Array(setup.weights)),
};
const scratch = new EncodeScratch(core.source, index + 1);
Atomics.store(status, index, STATUS.ready);

parentPort.on("message", (job: EncodeJob) => {
  const control = new Int32Array(job.control);
  const out = new Float32Array(job.out);
  for (;;) {
    Atomics.store(status, index, STATUS.busy);
    const chunk = Atomics.add(control, CONTROL.next, 1);
    if (chunk >= job.chunks) break;
    const first = chunk * job.chunkSize;
    try {
      encodeRange(core, job.texts, first, Math.min(first + job.chunkSize, job.texts.length), job.maxLength, job.normalize, out, scratch);
    } catch (error) {
      // Posted before the chunk counts as done, so the caller finds the message when it wakes.
      if (Atomics.compareExchange(control, CONTROL.failed, 0, 1) === 0) {
        errors.postMessage({ job: job.id, message: error instanceof Error ? error.message : String(error) });
      }
    }
    Atomics.add(control, CONTROL.done, 1);
    Atomics.notify(control, CONTROL.done);
  }
  Atomics.store(status, index, STATUS.ready);
});

/** The pool's table as this thread sees it: its own kernel instance on the shared memory, or views of the shared values. */
function sourceOf(table: SharedTable, mapping: Int32Array | null, weights: Float32Array | null): EmbeddingTable {
  if ("memory" in table) {
    const memory = PoolMemory.attach(table.memory, table.layout);
    return { table: memory.table, mapping, weights, memory };
  }
  const { dtype, rows, dim, values } = table;
  const view = dtype === "float32" ? new Float32Array(values) : dtype === "float16" ? new Uint16Array(values) : new Int8Array(values);
  return { table: { dtype, rows, dim, values: view } as StoredTable, mapping, weights, memory: null };
}
