import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { Embeddings } from "../../src/linalg/embeddings.js";
import { blockRows, scanTopK } from "../../src/search/exact-scan.js";
import { openScanMemory } from "../../src/search/scan-memory.js";
import { DOT_KERNELS } from "../../src/search/score-block.js";
import { SearchPool } from "../../src/search/search-pool.js";
import { TopK } from "../../src/search/top-k.js";
import type { SearchResult } from "../../src/search/types.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { thrown } from "../fixtures/errors.js";
import { randomMatrix } from "../fixtures/random.js";
import { bruteForceRanking, rowOf } from "./brute-force.js";

/**
 * Random rows where row `i` repeats row `i % 7` at every 500th position: exact ties, spread over
 * every chunk (and so over both threads), which must still rank by insertion order.
 */
function rowsWithTies(rows: number, dim: number, seed: number): Float32Array {
  const matrix = randomMatrix(rows, dim, seed);
  for (let i = 500; i < rows; i += 500) matrix.copyWithin(i * dim, (i % 7) * dim, (i % 7 + 1) * dim);
  return matrix;
}

/** Queries: rows 0..6 themselves (each tied with its repeats), then random ones. */
function queriesFor(matrix: Float32Array, count: number, dim: number, seed: number): Embeddings {
  const queries = randomMatrix(count, dim, seed);
  queries.set(matrix.subarray(0, 7 * dim));
  return new Embeddings(queries, count, dim);
}

/** Every result of every query, with its score's bits: equality is then bit for bit. */
function bits(results: SearchResult[][]): (string | number)[][] {
  return results.map((hits) => hits.flatMap((hit) => [hit.id, new Uint32Array(Float64Array.of(hit.score).buffer).join(".")]));
}

const indexes: VectorIndex[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  await Promise.all(indexes.splice(0).map((index) => index.close()));
});

function indexOf(matrix: Float32Array, rows: number, dim: number): VectorIndex {
  const index = VectorIndex.fromVectors(new Embeddings(matrix, rows, dim));
  indexes.push(index);
  return index;
}

/** How many `SearchPool.scan` calls ran on the workers (returned a top k rather than null). */
function parallelScans(scan: { mock: { results: { type: string; value: unknown }[] } }): number {
  return scan.mock.results.filter((result) => result.type === "return" && result.value instanceof TopK).length;
}

describe("VectorIndex multi-core search", () => {
  // Sizes whose work (queries × rows × dim) starts the pool; 20,011 rows and 36 dims leave a partial last block and chunk.
  const shapes = [
    { rows: 12_000, dim: 64, queries: 400 },
    { rows: 20_011, dim: 36, queries: 400 },
  ];

  for (const { rows, dim, queries: count } of shapes) {
    it(`gives the single-thread results bit for bit, and the brute-force top k, on 2 threads (${rows} × ${dim})`, () => {
      const scan = vi.spyOn(SearchPool.prototype, "scan");
      const matrix = rowsWithTies(rows, dim, 3);
      const index = indexOf(matrix, rows, dim);
      const queries = queriesFor(matrix, count, dim, 4);
      const single = index.searchVectors(queries, { k: 25, threads: 1 });
      expect(parallelScans(scan)).toBe(0);
      const parallel = index.searchVectors(queries, { k: 25, threads: 2 });
      expect(parallelScans(scan)).toBe(1);
      expect(bits(parallel)).toEqual(bits(single));
      // Query 3 is row 3, repeated at rows 1503, 2503, …: the ties come in insertion order, best first.
      const repeats = Array.from({ length: Math.floor(rows / 500) }, (_, i) => 500 * (i + 1)).filter((i) => i % 7 === 3);
      expect(parallel[3]!.slice(0, repeats.length + 1).map((hit) => hit.id)).toEqual([3, ...repeats].slice(0, 25));
      for (const q of [0, 3, 6, 7, 100, count - 1]) {
        const expected = bruteForceRanking(matrix, dim, rowOf(queries.data, dim, q)).slice(0, 25);
        expect(parallel[q]!.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.position));
        parallel[q]!.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
      }
    });
  }

  it("keeps small searches on the calling thread, and starts the pool on the first large one", () => {
    const scan = vi.spyOn(SearchPool.prototype, "scan");
    const index = indexOf(randomMatrix(12_000, 64, 5), 12_000, 64);
    const small = new Embeddings(randomMatrix(8, 64, 6), 8, 64);
    const large = new Embeddings(randomMatrix(400, 64, 7), 400, 64);
    index.searchVectors(small, { threads: 2 });
    expect(scan).not.toHaveBeenCalled();
    index.searchVectors(large, { threads: 2 });
    expect(parallelScans(scan)).toBe(1);
    // Once running, the pool takes medium searches too (32 queries: 2^24.5 multiply-adds).
    const medium = new Embeddings(randomMatrix(32, 64, 8), 32, 64);
    expect(bits(index.searchVectors(medium, { threads: 2 }))).toEqual(bits(index.searchVectors(medium, { threads: 1 })));
    expect(parallelScans(scan)).toBe(2);
  });

  it("sees rows added and removed between parallel searches, though the shared memory grew", () => {
    const dim = 64;
    const scan = vi.spyOn(SearchPool.prototype, "scan");
    const matrix = rowsWithTies(30_000, dim, 9);
    const index = indexOf(matrix.slice(0, 10_000 * dim), 10_000, dim);
    const queries = queriesFor(matrix, 500, dim, 10);
    index.searchVectors(queries, { k: 10, threads: 2 });
    index.addVectors(new Embeddings(matrix.slice(10_000 * dim), 20_000, dim));
    index.remove([0, 1, 2, 15_003, 29_999]);
    const parallel = index.searchVectors(queries, { k: 10, threads: 2 });
    expect(parallelScans(scan)).toBe(2);
    expect(bits(parallel)).toEqual(bits(index.searchVectors(queries, { k: 10, threads: 1 })));
    const kept = Array.from({ length: 30_000 }, (_, i) => i).filter((i) => ![0, 1, 2, 15_003, 29_999].includes(i));
    const keptRows = new Float32Array(kept.length * dim);
    kept.forEach((row, i) => keptRows.set(rowOf(matrix, dim, row), i * dim));
    for (const q of [0, 3, 42]) {
      const expected = bruteForceRanking(keptRows, dim, rowOf(queries.data, dim, q)).slice(0, 10);
      expect(parallel[q]!.map((hit) => hit.id)).toEqual(expected.map((hit) => kept[hit.position]));
    }
  });

  it("runs searches with a filter or quantized candidates on the calling thread, with their usual results", () => {
    const scan = vi.spyOn(SearchPool.prototype, "scan");
    const index = indexOf(randomMatrix(12_000, 64, 11), 12_000, 64);
    const queries = new Embeddings(randomMatrix(400, 64, 12), 400, 64);
    const even = (entry: { id: string | number }) => (entry.id as number) % 2 === 0;
    const filtered = index.searchVectors(queries, { k: 5, filter: even, threads: 2 });
    expect(filtered.every((hits) => hits.every((hit) => (hit.id as number) % 2 === 0))).toBe(true);
    expect(filtered).toEqual(index.searchVectors(queries, { k: 5, filter: even, threads: 1 }));
    index.searchVectors(queries, { k: 5, candidates: 50, threads: 2 });
    expect(scan).not.toHaveBeenCalled();
  });

  it("searches on the calling thread where there is no shared memory (no SharedArrayBuffer), with the same results", () => {
    const scan = vi.spyOn(SearchPool.prototype, "scan");
    const matrix = rowsWithTies(12_000, 64, 13);
    const queries = queriesFor(matrix, 400, 64, 14);
    const expected = bits(indexOf(matrix, 12_000, 64).searchVectors(queries, { k: 10, threads: 1 }));
    vi.stubGlobal("SharedArrayBuffer", undefined);
    const unshared = indexOf(matrix, 12_000, 64);
    vi.unstubAllGlobals();
    expect(bits(unshared.searchVectors(queries, { k: 10, threads: 2 }))).toEqual(expected);
    expect(scan).not.toHaveBeenCalled();
  });

  it("searches on the calling thread with the JavaScript kernel (MODEL2VEC_WASM=off)", () => {
    const scan = vi.spyOn(SearchPool.prototype, "scan");
    const matrix = rowsWithTies(12_000, 64, 15);
    const queries = queriesFor(matrix, 400, 64, 16);
    vi.stubEnv("MODEL2VEC_WASM", "off");
    const index = indexOf(matrix, 12_000, 64);
    vi.unstubAllEnvs();
    const results = index.searchVectors(queries, { k: 10, threads: 2 });
    expect(scan).not.toHaveBeenCalled();
    const expected = bruteForceRanking(matrix, 64, rowOf(queries.data, 64, 3)).slice(0, 10);
    expect(results[3]!.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.position));
  });

  it("scans on its own thread when the workers fail, with the same results", () => {
    const index = indexOf(rowsWithTies(12_000, 64, 17), 12_000, 64);
    const queries = new Embeddings(randomMatrix(400, 64, 18), 400, 64);
    const expected = bits(index.searchVectors(queries, { k: 10, threads: 1 }));
    const scan = vi.spyOn(SearchPool.prototype, "scan").mockReturnValueOnce(null);
    expect(bits(index.searchVectors(queries, { k: 10, threads: 2 }))).toEqual(expected);
    expect(scan).toHaveBeenCalledTimes(1);
  });

  it("keeps results whole when a worker cannot start, and then reports the pool unusable", async () => {
    const dim = 64;
    const rows = 12_000;
    const memory = openScanMemory(dim, rows * dim, DOT_KERNELS, true);
    const matrix = memory.matrix(rows * dim);
    matrix.set(randomMatrix(rows, dim, 22));
    // A kernel module that does not compile: the worker throws while it starts, and exits.
    const pool = SearchPool.open({ memory: memory.shared!.memory, module: "AAAA" }, 2)!;
    try {
      const scan = () => {
        const scratch = memory.threadScratch(40, dim, blockRows(dim), 2);
        scratch[0]!.queries.set(randomMatrix(40, dim, 23));
        return { top: pool.scan({ matrix: memory.matrix(rows * dim), width: dim, end: rows, queryCount: 40, k: 7, kernel: memory.kernel, scratch }), scratch };
      };
      const { top, scratch } = scan();
      const reference = scanTopK({ matrix, width: dim, first: 0, end: rows, queryCount: 40, k: 7, kernel: memory.kernel, scratch: scratch[0]! });
      expect(top).not.toBeNull();
      for (let q = 0; q < 40; q++) expect(top!.sorted(q)).toEqual(reference.sorted(q));
      while (pool.usable) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(pool.usable).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it("rejects a bad threads option, naming it", () => {
    const index = indexOf(randomMatrix(10, 8, 19), 10, 8);
    for (const threads of [0, -1, 1.5, Number.NaN, "2"]) {
      const error = thrown(() => index.searchVectors([new Float32Array(8)], { threads: threads as number }));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toContain("VectorIndex.search: threads must be a positive integer, got");
    }
  });

  it("keeps searching on one thread after close(), with the same results", async () => {
    const scan = vi.spyOn(SearchPool.prototype, "scan");
    const close = vi.spyOn(SearchPool.prototype, "close");
    const index = indexOf(rowsWithTies(12_000, 64, 20), 12_000, 64);
    const queries = new Embeddings(randomMatrix(400, 64, 21), 400, 64);
    const parallel = bits(index.searchVectors(queries, { k: 10, threads: 2 }));
    expect(parallelScans(scan)).toBe(1);
    await index.close();
    expect(close).toHaveBeenCalledTimes(1);
    expect(bits(index.searchVectors(queries, { k: 10, threads: 2 }))).toEqual(parallel);
    expect(scan).toHaveBeenCalledTimes(1);
    await index.close(); // idempotent
    expect(close).toHaveBeenCalledTimes(1);
  });

  it("never keeps a process alive", async () => {
    const script = fileURLToPath(new URL("./parallel-exit.fixture.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { timeout: 60_000 });
    expect(stdout.trim()).toBe("searched 400 queries on 2 threads: same as 1 thread");
  });

  it("stops the workers of an index collected without close()", async () => {
    const script = fileURLToPath(new URL("./parallel-collect.fixture.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", script], { timeout: 60_000 });
    expect(stdout.trim()).toBe("workers: 1 while the index lived, 0 after it was collected");
  });
});
