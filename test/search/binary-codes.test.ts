import { describe, expect, it } from "vitest";
import { wasmKernelsEnabled } from "../../src/linalg/wasm/wasm-runtime.js";
import { codeWords, HAMMING_KERNELS, scoreCodesJs, writeCodes } from "../../src/search/binary-codes.js";
import { JsScanMemory, openScanMemory } from "../../src/search/scan-memory.js";
import { randomMatrix } from "../fixtures/random.js";

/** bits - 2 · (number of dimensions whose signs differ), padded to whole 128-bit chunks. */
function referenceScore(a: Float32Array, b: Float32Array): number {
  let differ = 0;
  for (let d = 0; d < a.length; d++) if (a[d]! > 0 !== b[d]! > 0) differ++;
  return codeWords(a.length) * 32 - 2 * differ;
}

describe("binary codes", () => {
  it("have one bit per positive value, padded to 128-bit chunks", () => {
    expect([codeWords(1), codeWords(128), codeWords(129), codeWords(256)]).toEqual([4, 4, 8, 8]);
    const codes = new Float32Array(2 * 4);
    writeCodes(Float32Array.from([0.5, -1, 0, 2, ...new Array(32).fill(1)]), 36, 0, 1, codes, 1);
    expect(Array.from(new Uint32Array(codes.buffer))).toEqual([0, 0, 0, 0, 0xfffffff9, 0b1111, 0, 0]);
  });

  for (const [name, enabled] of [["JavaScript", true], ["WebAssembly", wasmKernelsEnabled()]] as const) {
    it.runIf(enabled)(`the ${name} kernel scores bits - 2 · differing signs for every query and row (256-bit codes and other widths, whole and partial tiles of 4 queries)`, () => {
      for (const { queryCount, count, dim } of [{ queryCount: 1, count: 3, dim: 10 }, { queryCount: 7, count: 5, dim: 256 }, { queryCount: 8, count: 40, dim: 300 }, { queryCount: 66, count: 33, dim: 200 }, { queryCount: 4, count: 9, dim: 512 }]) {
        const words = codeWords(dim);
        const vectors = randomMatrix(count, dim, dim);
        const queries = randomMatrix(queryCount, dim, dim + 1);
        const memory = name === "JavaScript" ? new JsScanMemory(count * words, scoreCodesJs) : openScanMemory(words, count * words, HAMMING_KERNELS);
        expect(memory.wasm).toBe(name === "WebAssembly");
        const scratch = memory.scratch(queryCount, words, count);
        const matrix = memory.matrix(count * words);
        writeCodes(vectors, dim, 0, count, matrix, 0);
        writeCodes(queries, dim, 0, queryCount, scratch.queries, 0);
        // Rows must agree with query 0 on more than half of the real dimensions to be hits.
        scratch.thresholds.fill(Infinity);
        scratch.thresholds[0] = codeWords(dim) * 32 - 2 * Math.floor(0.5 * dim);
        const hitCount = memory.kernel(scratch.queries, queryCount, matrix, 0, count, words, scratch.scores, scratch.thresholds, scratch.hits);
        const beaten = Array.from({ length: count }, (_, r) => r).filter((r) => scratch.scores[r * queryCount]! > scratch.thresholds[0]!);
        expect(Array.from(scratch.hits.subarray(0, hitCount))).toEqual(beaten);
        if (count >= 5) expect(beaten.length).toBeGreaterThan(0);
        for (let r = 0; r < count; r++) {
          for (let q = 0; q < queryCount; q++) {
            const expected = referenceScore(queries.subarray(q * dim, (q + 1) * dim), vectors.subarray(r * dim, (r + 1) * dim));
            expect(scratch.scores[r * queryCount + q]).toBe(expected);
          }
        }
      }
    });
  }
});
