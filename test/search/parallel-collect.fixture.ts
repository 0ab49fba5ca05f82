// Run by parallel-search.test.ts in a child process, with --expose-gc: an index that searched on
// worker threads and was dropped without close() stops its workers once it is collected.
import { readdirSync } from "node:fs";
import { Embeddings } from "../../src/linalg/embeddings.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { randomMatrix } from "../fixtures/random.js";

const threads = () => readdirSync("/proc/self/task").length;
const gc = (globalThis as { gc?: () => void }).gc!;

function searchOnWorkers(): VectorIndex {
  const index = VectorIndex.fromVectors(new Embeddings(randomMatrix(12_000, 64, 1), 12_000, 64));
  index.searchVectors(new Embeddings(randomMatrix(400, 64, 2), 400, 64), { threads: 2 });
  return index;
}

// A first pool, closed, so that threads Node starts once for the first worker are there before counting.
await searchOnWorkers().close();
const before = threads();
searchOnWorkers();
const during = threads();
// Collection, then the registry's callback, then the worker's exit: poll for up to 20 s.
let after = during;
for (let i = 0; i < 200 && after > before; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  after = threads();
}
console.log(`workers: ${during - before} while the index lived, ${after - before} after it was collected`);
