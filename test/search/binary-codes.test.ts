import { describe, expect, it } from "vitest";
import { wasmKernelsEnabled } from "../../src/linalg/wasm/wasm-runtime.js";
import { codeWords, HAMMING_KERNELS, rotationLength, rotationSigns, scoreCodesJs, writeCodes } from "../../src/search/binary-codes.js";
import { JsScanMemory, openScanMemory } from "../../src/search/scan-memory.js";
import { mulberry32, randomMatrix } from "../fixtures/random.js";

/** bits - 2 · (number of bits where two codes differ), the codes as 32-bit words. */
function referenceScore(a: Uint32Array, b: Uint32Array): number {
  let differ = 0;
  for (let w = 0; w < a.length; w++) for (let bit = 0; bit < 32; bit++) if (((a[w]! >>> bit) & 1) !== ((b[w]! >>> bit) & 1)) differ++;
  return a.length * 32 - 2 * differ;
}

/** Bit i of a code by definition: Σ_j H[i][j] · sign_j · x_j > 0, with H[i][j] = (-1)^popcount(i & j). */
function referenceBits(x: ArrayLike<number>): boolean[] {
  const signs = rotationSigns(rotationLength(x.length));
  return Array.from({ length: x.length }, (_, i) => {
    let sum = 0;
    for (let j = 0; j < x.length; j++) {
      let parity = 0;
      for (let v = i & j; v !== 0; v &= v - 1) parity ^= 1;
      sum += (parity ? -1 : 1) * signs[j]! * x[j]!;
    }
    return sum > 0;
  });
}

describe("binary codes", () => {
  it("have one bit per coordinate of the sign-flipped Walsh-Hadamard rotation, padded to 128-bit chunks", () => {
    expect([codeWords(1), codeWords(128), codeWords(129), codeWords(256)]).toEqual([4, 4, 8, 8]);
    expect([rotationLength(1), rotationLength(36), rotationLength(256), rotationLength(300)]).toEqual([1, 64, 256, 512]);
    expect(new Set(rotationSigns(64))).toEqual(new Set([-1, 1]));
    // Integer values, so every sum is exact and the reference's order of additions cannot flip a sign.
    const random = mulberry32(5);
    for (const dim of [36, 256, 300]) {
      const words = codeWords(dim);
      const vectors = Float32Array.from({ length: 3 * dim }, () => Math.floor(random() * 9) - 4);
      const codes = new Float32Array(4 * words).fill(-1);
      writeCodes(vectors, dim, 1, 2, codes, 1); // rows 1 and 2 into codes 1 and 2
      const all = new Uint32Array(codes.buffer);
      expect(new Float32Array(all.buffer, 0, words)).toEqual(new Float32Array(words).fill(-1)); // code 0 untouched
      expect(new Float32Array(all.buffer, 3 * words * 4, words)).toEqual(new Float32Array(words).fill(-1)); // code 3 untouched
      for (let r = 1; r <= 2; r++) {
        const bits = referenceBits(vectors.subarray(r * dim, (r + 1) * dim));
        const code = all.subarray(r * words, (r + 1) * words);
        expect(Array.from({ length: dim }, (_, i) => ((code[i >>> 5]! >>> (i & 31)) & 1) === 1), `dim ${dim}, row ${r}`).toEqual(bits);
        for (let i = dim; i < words * 32; i++) expect((code[i >>> 5]! >>> (i & 31)) & 1).toBe(0); // padding
        expect(bits.filter(Boolean).length).toBeGreaterThan(dim / 4); // not degenerate
      }
    }
  });

  for (const [name, enabled] of [["JavaScript", true], ["WebAssembly", wasmKernelsEnabled()]] as const) {
    it.runIf(enabled)(`the ${name} kernel scores bits - 2 · differing bits for every query and row (256-bit codes and other widths, whole and partial tiles of 4 queries)`, () => {
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
        const rowCodes = new Uint32Array(matrix.buffer, matrix.byteOffset, count * words);
        const queryCodes = new Uint32Array(scratch.queries.buffer, scratch.queries.byteOffset, queryCount * words);
        for (let r = 0; r < count; r++) {
          for (let q = 0; q < queryCount; q++) {
            const expected = referenceScore(queryCodes.subarray(q * words, (q + 1) * words), rowCodes.subarray(r * words, (r + 1) * words));
            expect(scratch.scores[r * queryCount + q]).toBe(expected);
          }
        }
      }
    });
  }
});
