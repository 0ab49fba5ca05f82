/**
 * PooledEncoder's "linear" weighting (tokenlearn v0.2): h = Σ w·E / n with w used
 * as is, and gradients that match finite differences.
 */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/random.js";
import { PooledEncoder } from "../../src/train/pooled-encoder.js";

function randomArray(n: number, seed: number): Float64Array {
  const next = mulberry32(seed);
  return Float64Array.from({ length: n }, () => next() * 2 - 1);
}

describe('PooledEncoder weighting "linear"', () => {
  it("pools as w-weighted means, skipping the pad id, and reports w as the token weights", () => {
    const table = Float64Array.from([0, 0, 1, 2, 3, 4]);
    const encoder = new PooledEncoder({ table, dim: 2, logits: Float64Array.from([0, 2, 0.5]), padId: 0, weighting: "linear" });
    const h = encoder.forward([Int32Array.from([1, 2, 0])]);
    // (2·[1,2] + 0.5·[3,4]) / 2
    expect(Array.from(h)).toEqual([(2 + 1.5) / 2, (4 + 2) / 2]);
    expect(Array.from(encoder.tokenWeights())).toEqual([0, 2, 0.5]);
  });

  it("has the gradients of finite differences, for the table and for w", () => {
    const dim = 4;
    const table = randomArray(6 * dim, 1);
    const logits = randomArray(6, 2);
    const encoder = new PooledEncoder({ table, dim, logits, padId: 0, weighting: "linear" });
    const batch = [Int32Array.from([1, 2, 2, 0]), Int32Array.from([3, 5]), Int32Array.from([4])];
    const projection = randomArray(batch.length * dim, 3);
    const loss = () => {
      const h = encoder.forward(batch);
      let sum = 0;
      for (let k = 0; k < h.length; k++) sum += h[k]! * projection[k]!;
      return sum;
    };
    encoder.forward(batch, { train: true });
    encoder.backward(projection);
    for (const [values, grad] of [
      [table, encoder.table.grad],
      [logits, encoder.logits.grad],
    ] as const) {
      for (let k = 0; k < values.length; k++) {
        const saved = values[k]!;
        values[k] = saved + 1e-6;
        const plus = loss();
        values[k] = saved - 1e-6;
        const minus = loss();
        values[k] = saved;
        expect(grad[k]).toBeCloseTo((plus - minus) / 2e-6, 6);
      }
    }
  });
});
