/**
 * Binary codes for the quantized search: one bit per dimension, set where the value is positive,
 * so two codes disagree in about (angle / π) of their bits. Codes are padded with zero bits to
 * whole 128-bit chunks (what the SIMD kernel reads) and stored as 32-bit words in the same
 * 32-bit storage as vectors (scan-memory.ts), read through Uint32Array views.
 */
import { HAMMING_BLOCK_WASM } from "../linalg/wasm/hamming-block-wasm.js";
import { type KernelPair, listHits, type ScoreBlock } from "./scan-memory.js";

/** 32-bit words per code of a `dim`-wide vector. */
export function codeWords(dim: number): number {
  return Math.ceil(dim / 128) * 4;
}

/** Writes the codes of `count` rows of `vectors` (from row `first`) into `codes` from code `at`. */
export function writeCodes(vectors: Float32Array, dim: number, first: number, count: number, codes: Float32Array, at: number): void {
  const words = codeWords(dim);
  const out = new Uint32Array(codes.buffer, codes.byteOffset + at * words * 4, count * words);
  out.fill(0);
  for (let r = 0; r < count; r++) {
    const row = (first + r) * dim;
    for (let start = 0; start < dim; start += 32) {
      // A word at a time, without branches: the signs are random, so a branch would mispredict half the time.
      let word = 0;
      const end = Math.min(32, dim - start);
      for (let bit = 0; bit < end; bit++) word |= (vectors[row + start + bit]! > 0 ? 1 : 0) << bit;
      out[r * words + (start >>> 5)] = word;
    }
  }
}

/** {@link ScoreBlock} on codes in plain JavaScript: `bits - 2 · popcount(query xor row)`. */
export const scoreCodesJs: ScoreBlock = (queries, queryCount, matrix, first, count, words, out, thresholds, hits) => {
  const q32 = new Uint32Array(queries.buffer, queries.byteOffset, queryCount * words);
  const m32 = new Uint32Array(matrix.buffer, matrix.byteOffset + first * words * 4, count * words);
  const bits = words * 32;
  for (let r = 0; r < count; r++) {
    for (let q = 0; q < queryCount; q++) {
      let distance = 0;
      for (let w = 0; w < words; w++) distance += popcount(q32[q * words + w]! ^ m32[r * words + w]!);
      out[r * queryCount + q] = bits - 2 * distance;
    }
  }
  return listHits(out, queryCount, count, thresholds, hits);
};

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** The binary kernel in both forms. */
export const HAMMING_KERNELS: KernelPair = { js: scoreCodesJs, wasm: HAMMING_BLOCK_WASM, wasmWidthMultiple: 4 };
