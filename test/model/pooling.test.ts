import { describe, expect, it } from "vitest";
import { PoolScratch, gatherRows, meanPool } from "../../src/model/pooling.js";
import { mulberry32 } from "../../src/random.js";

/** The textbook mean: each column summed over the tokens in order, in float64. */
function reference(table: Float32Array, dim: number, ids: number[], mapping: Int32Array | null, weights: Float32Array | null, normalize: boolean) {
  const sums = new Float64Array(dim);
  for (const id of ids) {
    const row = (mapping ? mapping[id]! : id) * dim;
    for (let j = 0; j < dim; j++) sums[j]! += table[row + j]! * (weights ? weights[id]! : 1);
  }
  const mean = sums.map((s) => (ids.length ? s / ids.length : 0));
  const norm = Math.sqrt(mean.reduce((a, m) => a + m * m, 0));
  return Float32Array.from(mean, (m) => (normalize ? m * (1 / (norm + 1e-32)) : m));
}

describe("meanPool", () => {
  const random = mulberry32(3);
  it.each([1, 3, 7, 8, 13, 64, 256])("equals the textbook mean bit for bit at width %i, weighted, mapped or not", (dim) => {
    const vocab = 50;
    const rows = 20;
    const table = Float32Array.from({ length: vocab * dim }, () => random() * 2 - 1);
    const mapped = Float32Array.from({ length: rows * dim }, () => random() * 2 - 1);
    const mapping = Int32Array.from({ length: vocab }, () => Math.floor(random() * rows));
    const weights = Float32Array.from({ length: vocab }, () => random());
    const scratch = new PoolScratch(dim);
    for (const length of [0, 1, 2, 9, 700]) {
      const ids = Array.from({ length }, () => Math.floor(random() * vocab));
      for (const [source, map, w] of [
        [{ table, dim, mapping: null, weights: null }, null, null],
        [{ table, dim, mapping: null, weights }, null, weights],
        [{ table: mapped, dim, mapping, weights }, mapping, weights],
        [{ table: mapped, dim, mapping, weights: null }, mapping, null],
      ] as const) {
        for (const normalize of [true, false]) {
          const out = new Float32Array(dim + 3).fill(9);
          meanPool(source, Int32Array.from([5, ...ids, 5]), 1, 1 + length, out, 2, normalize, scratch);
          expect(out.subarray(2, 2 + dim)).toEqual(reference(source.table, dim, ids, map, w, normalize));
          expect([out[0], out[1], out[dim + 2]]).toEqual([9, 9, 9]);
        }
      }
    }
  });

  it("gathers weighted rows for encodeAsSequence", () => {
    const table = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const out = new Float32Array(6);
    gatherRows({ table, dim: 2, mapping: Int32Array.from([2, 0]), weights: Float32Array.from([0.5, 2]) }, Int32Array.from([1, 0, 1]), 0, 3, out, 0);
    expect(Array.from(out)).toEqual([2, 4, 2.5, 3, 2, 4]);
  });
});
