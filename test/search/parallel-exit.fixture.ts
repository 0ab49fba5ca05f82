// Run by parallel-search.test.ts in a child process: searches on worker threads and never
// closes the index. The process must still exit as soon as its work is done.
import { Embeddings } from "../../src/linalg/embeddings.js";
import { SearchPool } from "../../src/search/search-pool.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { randomMatrix } from "../fixtures/random.js";

let threads = 1;
const scan = SearchPool.prototype.scan;
SearchPool.prototype.scan = function (this: SearchPool, input) {
  const top = scan.call(this, input);
  if (top !== null) threads = Math.min(input.scratch.length, this.threads);
  return top;
};
const index = VectorIndex.fromVectors(new Embeddings(randomMatrix(12_000, 64, 1), 12_000, 64));
const queries = new Embeddings(randomMatrix(400, 64, 2), 400, 64);
const parallel = JSON.stringify(index.searchVectors(queries, { threads: 2 }));
const single = JSON.stringify(index.searchVectors(queries, { threads: 1 }));
console.log(`searched 400 queries on ${threads} threads: ${parallel === single ? "same as" : "unlike"} 1 thread`);
