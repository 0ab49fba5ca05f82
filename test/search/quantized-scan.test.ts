import { afterEach, describe, expect, it } from "vitest";
import { Embeddings } from "../../src/linalg/embeddings.js";
import { wasmKernelsEnabled } from "../../src/linalg/wasm/wasm-runtime.js";
import { codeWords, HAMMING_KERNELS, scoreCodesJs, writeCodes } from "../../src/search/binary-codes.js";
import { blockRows } from "../../src/search/exact-scan.js";
import { shortlistCodes } from "../../src/search/quantized-scan.js";
import { JsScanMemory, openScanMemory } from "../../src/search/scan-memory.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { writeUnitRows } from "../../src/search/vectors-input.js";
import { mulberry32, randomMatrix } from "../fixtures/random.js";
import { bruteForceRanking, rowOf } from "./brute-force.js";

/** The codes of `rows` rows of `matrix` (writeCodes has its own test), `codeWords(dim)` words each. */
function codesOf(matrix: Float32Array, dim: number, rows: number): Uint32Array {
  const codes = new Float32Array(rows * codeWords(dim));
  writeCodes(matrix, dim, 0, rows, codes, 0);
  return new Uint32Array(codes.buffer);
}

/** Bits where code `a` of `codesA` and code `b` of `codesB` differ. */
function codeDistance(codesA: Uint32Array, a: number, codesB: Uint32Array, b: number, words: number): number {
  let differ = 0;
  for (let w = 0; w < words; w++) for (let x = codesA[a * words + w]! ^ codesB[b * words + w]!; x !== 0; x &= x - 1) differ++;
  return differ;
}

/**
 * The reference shortlist of query `q`: accepted rows by code distance, ties to the earlier row;
 * the first `candidates`, in row order.
 */
function referenceShortlist(rowCodes: Uint32Array, queryCodes: Uint32Array, q: number, words: number, candidates: number, accept: (row: number) => boolean = () => true): number[] {
  const rows = Array.from({ length: rowCodes.length / words }, (_, row) => ({ row, distance: codeDistance(rowCodes, row, queryCodes, q, words) }));
  return rows
    .filter(({ row }) => accept(row))
    .sort((a, b) => a.distance - b.distance || a.row - b.row)
    .slice(0, candidates)
    .map(({ row }) => row)
    .sort((a, b) => a - b);
}

/** Rows whose values are -1, 0 or 1 in few dimensions: sign distances tie a lot. */
function tiedMatrix(rows: number, dim: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: rows * dim }, () => Math.floor(random() * 3) - 1);
}

afterEach(() => {
  delete process.env.MODEL2VEC_WASM;
});

describe("shortlistCodes", () => {
  const dim = 12; // 12 bits of sign in 128-bit codes: distances 0..12, ties everywhere
  const words = codeWords(dim);
  const rows = 2 * blockRows(words) + 123; // three blocks, the last partial
  const matrix = tiedMatrix(rows, dim, 11);
  const queries = tiedMatrix(70, dim, 12);
  const rowCodes = codesOf(matrix, dim, rows);
  const queryCodes = codesOf(queries, dim, 70);

  for (const [name, enabled] of [["JavaScript", true], ["WebAssembly", wasmKernelsEnabled()]] as const) {
    const open = () => (name === "JavaScript" ? new JsScanMemory(rows * words, scoreCodesJs) : openScanMemory(words, rows * words, HAMMING_KERNELS));

    function shortlist(queryCount: number, candidates: number, accept?: (position: number) => boolean): number[][] {
      const memory = open();
      expect(memory.wasm).toBe(name === "WebAssembly");
      const codes = memory.matrix(rows * words);
      writeCodes(matrix, dim, 0, rows, codes, 0);
      const scratch = memory.scratch(queryCount, words, blockRows(words));
      writeCodes(queries, dim, 0, queryCount, scratch.queries, 0);
      const found = shortlistCodes({ matrix: codes, width: words, first: 0, end: rows, queryCount, k: candidates, kernel: memory.kernel, scratch, accept });
      return Array.from({ length: queryCount }, (_, q) => Array.from(found.positions.subarray(q * found.stride, q * found.stride + found.sizes[q]!)));
    }

    it.runIf(enabled)(`with the ${name} kernel, keeps each query's best rows by code distance, ties to the earlier row, in row order`, () => {
      // 1 and 17 queries: a partial group of 16 and a group of one; 70: several groups.
      for (const queryCount of [1, 17, 70]) {
        for (const candidates of [1, 5, 300, rows - 1, rows]) {
          const found = shortlist(queryCount, candidates);
          for (let q = 0; q < queryCount; q++) {
            expect(found[q], `query ${q} of ${queryCount}, ${candidates} candidates`).toEqual(referenceShortlist(rowCodes, queryCodes, q, words, candidates));
          }
        }
      }
    });

    it.runIf(enabled)(`with the ${name} kernel, leaves filtered rows out and asks only about rows that would get in`, () => {
      const asked = new Set<number>();
      const accept = (position: number) => {
        asked.add(position);
        return position % 3 !== 0;
      };
      const found = shortlist(20, 40, accept);
      for (let q = 0; q < 20; q++) expect(found[q]).toEqual(referenceShortlist(rowCodes, queryCodes, q, words, 40, (row) => row % 3 !== 0));
      // Past the first rows, few rows beat a query's 40th best: most are never asked about.
      expect(asked.size).toBeGreaterThan(40);
      expect(asked.size).toBeLessThan(rows / 2);
    });
  }
});

describe("quantized search against brute force", () => {
  const dim = 24;
  // Random rows, then every 7th row repeated later: equal codes and equal exact scores.
  const base = randomMatrix(1500, dim, 21);
  const repeats = Array.from({ length: 1500 / 7 | 0 }, (_, i) => rowOf(base, dim, 7 * i));
  const rows = 1500 + repeats.length;
  const matrix = new Float32Array(rows * dim);
  matrix.set(base);
  repeats.forEach((row, i) => matrix.set(row, (1500 + i) * dim));
  const queryRows = 9;
  const queries = randomMatrix(queryRows, dim, 22);

  const words = codeWords(dim);
  // Codes of the rows and queries as the index holds them: normalised to unit length.
  const rowCodes = codesOf(VectorIndex.fromVectors(new Embeddings(matrix, rows, dim)).rows().vectors, dim, rows);
  const unitQueries = new Float32Array(queryRows * dim);
  writeUnitRows(new Embeddings(queries, queryRows, dim), dim, unitQueries, 0, "test");
  const queryCodes = codesOf(unitQueries, dim, queryRows);

  /** Exact top k (brute force) among the reference shortlist of max(k, candidates) rows. */
  function reference(q: number, k: number, candidates: number, accept?: (row: number) => boolean) {
    const query = rowOf(queries, dim, q);
    const shortlist = new Set(referenceShortlist(rowCodes, queryCodes, q, words, Math.max(k, candidates), accept));
    return bruteForceRanking(matrix, dim, query)
      .filter(({ position }) => shortlist.has(position))
      .slice(0, k);
  }

  for (const [name, wasm] of [["JavaScript", false], ["WebAssembly", true]] as const) {
    it.runIf(!wasm || wasmKernelsEnabled())(`(${name} kernels) returns the exact top k of the code shortlist, repeated rows in insertion order, with a filter, and for k past the rows`, () => {
      if (!wasm) process.env.MODEL2VEC_WASM = "off";
      const index = VectorIndex.fromVectors(new Embeddings(matrix, rows, dim));
      const filter = (entry: { id: unknown }) => (entry.id as number) % 4 !== 1;
      const cases = [
        { k: 10, candidates: 40 },
        { k: 10, candidates: 1 }, // fewer candidates than k: k of them
        { k: 25, candidates: 200, filter },
        { k: rows + 5, candidates: 3 }, // every row, exactly ranked
      ];
      for (const { k, candidates, filter: keep } of cases) {
        const results = index.searchVectors(new Embeddings(queries, queryRows, dim), { k, candidates, filter: keep });
        for (let q = 0; q < queryRows; q++) {
          const expected = reference(q, Math.min(k, rows), candidates, keep === undefined ? undefined : (row) => row % 4 !== 1);
          expect(results[q]!.map((hit) => hit.id), `query ${q}, k ${k}, ${candidates} candidates`).toEqual(expected.map((hit) => hit.position));
          results[q]!.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
        }
      }
    });
  }
});
