/**
 * The body of a search worker thread (see search-pool.ts). It binds its own instance of the
 * block kernel to the index's shared memory, and for each job scans the chunks of rows it
 * claims, leaving its top k in the job's results. Started only by the pool, in Node.
 */
import { STATUS } from "../linalg/worker-threads.js";
import { blockRows } from "./exact-scan.js";
import { type ScanScratch, sharedKernel } from "./scan-memory.js";
import { resultViews, type ScratchOffsets, scanClaimedChunks, type SearchJob, type SearchWorkerData } from "./search-protocol.js";
import { TopK } from "./top-k.js";

interface WorkerThreads {
  workerData: SearchWorkerData;
  parentPort: { on(event: "message", listener: (job: SearchJob) => void): void };
}

const { workerData, parentPort } = process.getBuiltinModule("node:worker_threads") as WorkerThreads;
const { memory, index } = workerData;
const status = new Int32Array(workerData.status);
// A worker that dies holding a chunk marks it, so the caller waiting for that chunk stops waiting.
process.on("exit", () => {
  Atomics.store(status, index, Atomics.load(status, index) === STATUS.busy ? STATUS.diedBusy : STATUS.exited);
});
const kernel = sharedKernel(workerData.module, memory);
Atomics.store(status, index, STATUS.ready);

parentPort.on("message", (job: SearchJob) => {
  Atomics.store(status, index, STATUS.busy);
  // Views made per job: the memory may have grown since the last one.
  const buffer = memory.buffer;
  const scratch = scratchViews(buffer, job.scratch[index + 1]!, job);
  const matrix = new Float32Array(buffer, 0, job.rows * job.width);
  const top = new TopK(job.queryCount, job.k);
  const out = resultViews(job.results, index, job.queryCount, job.k);
  try {
    scanClaimedChunks(job, { matrix, width: job.width, queryCount: job.queryCount, k: job.k, kernel, scratch }, top, () => {
      out.scores.set(top.scores);
      out.positions.set(top.positions);
      out.sizes.set(top.sizes);
    });
  } catch {
    // The job is marked failed; the caller scans on its own thread instead.
  }
  Atomics.store(status, index, STATUS.ready);
});

/** This thread's scratch, sized as `ScanMemory.threadScratch` made it for the job. */
function scratchViews(buffer: ArrayBufferLike, at: ScratchOffsets, job: SearchJob): ScanScratch {
  const rows = blockRows(job.width);
  return {
    queries: new Float32Array(buffer, at.queries, job.queryCount * job.width),
    scores: new Float32Array(buffer, at.scores, job.queryCount * rows),
    thresholds: new Float32Array(buffer, at.thresholds, job.queryCount),
    hits: new Int32Array(buffer, at.hits, rows),
  };
}
