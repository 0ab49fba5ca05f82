import { describe, expect, it } from "vitest";
import { wasmKernelsEnabled } from "../../src/linalg/wasm/wasm-runtime.js";
import { JsScanMemory, openScanMemory } from "../../src/search/scan-memory.js";
import { DOT_KERNELS, scoreBlockJs } from "../../src/search/score-block.js";
import { randomMatrix } from "../fixtures/random.js";

/** `out[r * queryCount + q]` by a plain float64 loop. */
function referenceScores(queries: Float32Array, queryCount: number, matrix: Float32Array, first: number, count: number, dim: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < count; r++) {
    for (let q = 0; q < queryCount; q++) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += queries[q * dim + d]! * matrix[(first + r) * dim + d]!;
      out.push(sum);
    }
  }
  return out;
}

// Query counts around the 4-query tile, row counts around the 2-row tile, widths from one SIMD step up.
const SHAPES = [
  { queryCount: 1, count: 1, dim: 4 },
  { queryCount: 3, count: 5, dim: 8 },
  { queryCount: 4, count: 2, dim: 12 },
  { queryCount: 9, count: 7, dim: 256 },
  { queryCount: 64, count: 64, dim: 100 },
];

describe("score kernels", () => {
  for (const [name, enabled] of [["JavaScript", true], ["WebAssembly", wasmKernelsEnabled()]] as const) {
    it.runIf(enabled)(`the ${name} kernel matches a float64 reference on every tile edge, and lists the rows that beat a threshold`, () => {
      const shapes = name === "JavaScript" ? [...SHAPES, { queryCount: 6, count: 3, dim: 37 }] : SHAPES;
      for (const { queryCount, count, dim } of shapes) {
        const memory = name === "JavaScript" ? new JsScanMemory((count + 3) * dim, scoreBlockJs) : openScanMemory(dim, (count + 3) * dim, DOT_KERNELS);
        expect(memory.wasm).toBe(name === "WebAssembly");
        const { queries, scores, thresholds, hits } = memory.scratch(queryCount, dim, count);
        queries.set(randomMatrix(queryCount, dim, dim));
        // Thresholds that some rows beat and most do not; the last query's is never beaten.
        for (let q = 0; q < queryCount; q++) thresholds[q] = q === queryCount - 1 ? Infinity : 0.15 * Math.sqrt(dim);
        const matrix = memory.matrix((count + 3) * dim);
        matrix.set(randomMatrix(count + 3, dim, dim + 1));
        const hitCount = memory.kernel(queries, queryCount, matrix, 3, count, dim, scores, thresholds, hits);
        const expected = referenceScores(queries, queryCount, matrix, 3, count, dim);
        Array.from(scores.subarray(0, queryCount * count)).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 4));
        const beaten = Array.from({ length: count }, (_, r) => r).filter((r) =>
          Array.from({ length: queryCount }, (_, q) => scores[r * queryCount + q]! > thresholds[q]!).some(Boolean),
        );
        expect(Array.from(hits.subarray(0, hitCount))).toEqual(beaten);
        if (queryCount * count > 20) expect(beaten.length).toBeGreaterThan(0);
      }
    });
  }

  it("falls back to the JavaScript kernel for widths that are not a multiple of 4, and when MODEL2VEC_WASM=off", () => {
    expect(openScanMemory(37, 37, DOT_KERNELS).wasm).toBe(false);
    const previous = process.env.MODEL2VEC_WASM;
    process.env.MODEL2VEC_WASM = "off";
    try {
      expect(openScanMemory(256, 256, DOT_KERNELS).wasm).toBe(false);
    } finally {
      if (previous === undefined) delete process.env.MODEL2VEC_WASM;
      else process.env.MODEL2VEC_WASM = previous;
    }
  });
});
