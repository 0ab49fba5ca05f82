/**
 * The JavaScript kernel of the exact scan: dot products of a batch of queries with a block of
 * rows. It is the fallback where WebAssembly SIMD is unavailable, and the reference the
 * WebAssembly kernel (dot-block.wat) is tested against.
 */
import { DOT_BLOCK_WASM } from "../linalg/wasm/dot-block-wasm.js";
import type { KernelPair, ScoreBlock } from "./scan-memory.js";

/**
 * {@link ScoreBlock} in plain JavaScript: 4 queries × 2 rows per register tile (8 accumulators
 * over 6 loads per step), scalar clean-up on the edges.
 */
export const scoreBlockJs: ScoreBlock = (queries, queryCount, matrix, first, count, dim, out) => {
  const q4 = queryCount - (queryCount % 4);
  const r2 = count - (count % 2);
  for (let r = 0; r < r2; r += 2) {
    const a = (first + r) * dim;
    const b = a + dim;
    for (let q = 0; q < q4; q += 4) {
      const q0 = q * dim;
      const q1 = q0 + dim;
      const q2 = q1 + dim;
      const q3 = q2 + dim;
      let s0a = 0, s0b = 0, s1a = 0, s1b = 0, s2a = 0, s2b = 0, s3a = 0, s3b = 0;
      for (let d = 0; d < dim; d++) {
        const x = matrix[a + d]!;
        const y = matrix[b + d]!;
        const v0 = queries[q0 + d]!;
        const v1 = queries[q1 + d]!;
        const v2 = queries[q2 + d]!;
        const v3 = queries[q3 + d]!;
        s0a += v0 * x; s0b += v0 * y;
        s1a += v1 * x; s1b += v1 * y;
        s2a += v2 * x; s2b += v2 * y;
        s3a += v3 * x; s3b += v3 * y;
      }
      const o = r * queryCount + q;
      out[o] = s0a; out[o + 1] = s1a; out[o + 2] = s2a; out[o + 3] = s3a;
      out[o + queryCount] = s0b; out[o + queryCount + 1] = s1b; out[o + queryCount + 2] = s2b; out[o + queryCount + 3] = s3b;
    }
    for (let q = q4; q < queryCount; q++) {
      out[r * queryCount + q] = dot(queries, q * dim, matrix, a, dim);
      out[(r + 1) * queryCount + q] = dot(queries, q * dim, matrix, b, dim);
    }
  }
  for (let r = r2; r < count; r++) {
    for (let q = 0; q < queryCount; q++) out[r * queryCount + q] = dot(queries, q * dim, matrix, (first + r) * dim, dim);
  }
};

function dot(x: Float32Array, xOff: number, y: Float32Array, yOff: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += x[xOff + d]! * y[yOff + d]!;
  return sum;
}

/** The exact kernel in both forms. */
export const DOT_KERNELS: KernelPair = { js: scoreBlockJs, wasm: DOT_BLOCK_WASM, wasmWidthMultiple: 4 };
