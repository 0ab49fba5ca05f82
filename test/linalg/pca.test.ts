/**
 * pca: sklearn `PCA(svd_solver="full")` semantics, checked against a numpy SVD reference, a
 * hand-computed example and brute-force statistics; every `pcaDims` form; and the worker path
 * against the calling-thread path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import {
  componentsForFraction,
  flipSigns,
  pca,
  resolvePcaDims,
  type PcaDims,
  type PcaResult,
} from "../../src/linalg/pca.js";
import { openWorkerPool, type WorkerTask } from "../../src/linalg/worker-pool.js";
import { mulberry32 } from "../fixtures/random.js";

/** rows × cols: a rank-`rank` signal with decaying strength plus a little noise, and an offset. */
function correlated(rows: number, cols: number, rank: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const basis = Array.from({ length: rank }, (_, q) =>
    Array.from({ length: cols }, () => (random() * 2 - 1) / (1 + q)),
  );
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const u = basis.map(() => random() * 2 - 1);
    for (let c = 0; c < cols; c++) {
      let s = 0.5 + 0.05 * (random() * 2 - 1);
      for (let q = 0; q < rank; q++) s += u[q]! * basis[q]![c]!;
      out[r * cols + c] = s;
    }
  }
  return out;
}

async function fitted(data: Float32Array, rows: number, cols: number, dims: PcaDims, threads = 1): Promise<PcaResult> {
  const result = await pca(data, rows, cols, dims, { threads });
  if (result === null) throw new Error("PCA unexpectedly skipped");
  return result;
}

/** Column means and the (ddof = 1) covariance, brute force in Float64. */
function bruteCovariance(data: Float32Array, rows: number, cols: number): { mean: number[]; cov: number[][] } {
  const mean = Array.from({ length: cols }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += data[r * cols + c]!;
    return s / rows;
  });
  const cov = Array.from({ length: cols }, (_, i) =>
    Array.from({ length: cols }, (_, j) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (data[r * cols + i]! - mean[i]!) * (data[r * cols + j]! - mean[j]!);
      return s / (rows - 1);
    }),
  );
  return { mean, cov };
}

// numpy 2.4 reference: X centred, U, S, Vt = np.linalg.svd(Xc, full_matrices=False), then
// sklearn.utils.extmath.svd_flip(U, Vt, u_based_decision=False), as PCA._fit_full does in
// scikit-learn ≥ 1.5; projected = U[:, :3] * S[:3]. The inputs are multiples of 1/8, exact in Float32.
const REFERENCE_X = [
  [1.0, 2.5, -0.5, 3.0],
  [0.5, -1.0, 2.0, 1.25],
  [2.0, 0.75, 1.5, -2.0],
  [-1.5, 1.0, 0.0, 0.5],
  [3.0, -2.25, 1.0, 1.0],
  [0.0, 0.5, -1.75, 2.5],
  [-2.5, 3.0, 0.25, -1.0],
  [1.25, -0.5, 2.5, 0.0],
];
const REFERENCE = {
  mean: [0.46875, 0.5, 0.625, 0.65625],
  components: [
    [0.6555488423878552, -0.6514414920631069, 0.3776575514037377, -0.05704797568949889],
    [0.20804606601700001, -0.13020148132909815, -0.45654243400053185, 0.8551803404144819],
    [0.7257394845028412, 0.6347744084076345, -0.19238955541467959, -0.18261957735037657],
  ],
  explainedVariance: [5.840046699739913, 3.5781181941316222, 1.0581850073813235],
  explainedVarianceRatio: [0.5288742513611242, 0.32403415220759385, 0.0958291658190485],
  projected: [
    [-1.5131935999591333, 2.3680606710103755, 1.4435215333839724],
    [1.4830550370337798, 0.08182114192704498, -1.3024482664677088],
    [1.322932834794128, -2.385027240720175, 1.586724579095977],
    [-1.8434547529084946, -0.32297434007494863, -0.9626346248159801],
    [3.572833450600938, 1.0074355075278292, -0.04352311596787473],
    [-1.3094074096306971, 2.5635054399449935, -0.21997003499059886],
    [-3.621900228037381, -2.1883294878719997, -0.19299331533165767],
    [1.9091346681068602, -1.1244916917431211, -0.30867675490613006],
  ],
  cumulativeRatio: [0.5288742513611242, 0.852908403568718, 0.9487375693877665, 0.9999999999999999],
};

describe("pca against references", () => {
  it("matches numpy's SVD with sklearn's svd_flip on an 8 × 4 matrix", async () => {
    const data = Float32Array.from(REFERENCE_X.flat());
    const result = await fitted(data, 8, 4, 3);
    expect(result.rows).toBe(8);
    expect(result.dim).toBe(3);
    expect(result.threads).toBe(1);
    expect(Array.from(result.mean)).toEqual(REFERENCE.mean);
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 4; i++) expect(result.components[j * 4 + i]).toBeCloseTo(REFERENCE.components[j]![i]!, 12);
      expect(result.explainedVariance[j]).toBeCloseTo(REFERENCE.explainedVariance[j]!, 12);
      expect(result.explainedVarianceRatio[j]).toBeCloseTo(REFERENCE.explainedVarianceRatio[j]!, 12);
    }
    for (let r = 0; r < 8; r++) {
      for (let j = 0; j < 3; j++) expect(result.projected[r * 3 + j]).toBeCloseTo(REFERENCE.projected[r]![j]!, 5);
    }
  });

  it("computes a hand-worked example exactly: points on the line y = 2x", async () => {
    // Mean (1.5, 3); the only direction of variance is (1, 2)/√5, its largest entry positive;
    // projections (x − 1.5)·√5; variance 5 · (2.25 + 0.25 + 0.25 + 2.25) / 3 = 25/3.
    const data = Float32Array.of(0, 0, 1, 2, 2, 4, 3, 6);
    const result = await fitted(data, 4, 2, 1);
    expect(Array.from(result.mean)).toEqual([1.5, 3]);
    expect(result.components[0]).toBeCloseTo(1 / Math.sqrt(5), 15);
    expect(result.components[1]).toBeCloseTo(2 / Math.sqrt(5), 15);
    const s5 = Math.sqrt(5);
    [-1.5 * s5, -0.5 * s5, 0.5 * s5, 1.5 * s5].forEach((x, r) => expect(result.projected[r]).toBeCloseTo(x, 6));
    expect(result.explainedVariance[0]).toBeCloseTo(25 / 3, 13);
    expect(result.explainedVarianceRatio[0]).toBeCloseTo(1, 15);
  });

  it("makes the largest-magnitude entry of each component positive (svd_flip, u_based_decision=False)", async () => {
    // On the line y = −2x the axis is ±(1, −2)/√5: the rule picks (−1, 2)/√5.
    const line = await fitted(Float32Array.of(0, 0, 1, -2, 2, -4, 3, -6), 4, 2, 1);
    expect(line.components[0]).toBeCloseTo(-1 / Math.sqrt(5), 15);
    expect(line.components[1]).toBeCloseTo(2 / Math.sqrt(5), 15);
    expect(line.projected[0]).toBeCloseTo(1.5 * Math.sqrt(5), 6); // ((0,0) − (1.5,−3)) · (−1, 2)/√5 = 7.5/√5

    const cols = 9;
    const result = await fitted(correlated(300, cols, 4, 3), 300, cols, "auto");
    for (let j = 0; j < cols; j++) {
      const row = Array.from(result.components.subarray(j * cols, j * cols + cols));
      const largest = row.reduce((best, x, i) => (Math.abs(x) > Math.abs(row[best]!) ? i : best), 0);
      expect(row[largest]!).toBeGreaterThan(0);
    }
  });

  it("flipSigns breaks ties between equal magnitudes on the first entry, as numpy's argmax", () => {
    const components = Float64Array.of(-0.5, 0.5, 0.5, -0.5, /* row 2 */ 0.5, -0.5, -0.5, 0.5, /* row 3 */ 0.1, -0.9, 0.3, 0.3);
    flipSigns(components, 3, 4);
    expect(Array.from(components)).toEqual([0.5, -0.5, -0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.1, 0.9, -0.3, -0.3]);
  });
});

describe("pca statistics, brute force", () => {
  const rows = 240;
  const cols = 13; // not a multiple of the 4 × 2 register tile
  const data = correlated(rows, cols, 5, 17);
  const { mean, cov } = bruteCovariance(data, rows, cols);

  it("has the brute-force mean, orthonormal components, and C·Σ·Cᵀ = diag(explained variance)", async () => {
    const k = 7;
    const result = await fitted(data, rows, cols, k);
    expect(result.components).toHaveLength(k * cols);
    mean.forEach((m, c) => expect(result.mean[c]).toBeCloseTo(m, 12));
    let trace = 0;
    for (let i = 0; i < cols; i++) trace += cov[i]![i]!;
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < k; q++) {
        let dot = 0;
        let quadratic = 0;
        for (let i = 0; i < cols; i++) {
          dot += result.components[p * cols + i]! * result.components[q * cols + i]!;
          for (let j = 0; j < cols; j++) {
            quadratic += result.components[p * cols + i]! * cov[i]![j]! * result.components[q * cols + j]!;
          }
        }
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 12);
        expect(quadratic).toBeCloseTo(p === q ? result.explainedVariance[p]! : 0, 10);
      }
      expect(result.explainedVarianceRatio[p]).toBeCloseTo(result.explainedVariance[p]! / trace, 13);
    }
    for (let p = 1; p < k; p++) expect(result.explainedVariance[p]).toBeLessThanOrEqual(result.explainedVariance[p - 1]!);
  });

  it("projects to (X − μ)·Cᵀ, whose columns have zero mean, the explained variances, and no correlation", async () => {
    const k = 5;
    const result = await fitted(data, rows, cols, k);
    const y = result.projected;
    expect(y).toHaveLength(rows * k);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < cols; i++) s += (data[r * cols + i]! - mean[i]!) * result.components[j * cols + i]!;
        expect(y[r * k + j]).toBeCloseTo(s, 5);
      }
    }
    for (let p = 0; p < k; p++) {
      let m = 0;
      for (let r = 0; r < rows; r++) m += y[r * k + p]!;
      expect(m / rows).toBeCloseTo(0, 5);
      for (let q = 0; q < k; q++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += y[r * k + p]! * y[r * k + q]!;
        const expected = p === q ? result.explainedVariance[p]! : 0;
        expect(Math.abs(s / (rows - 1) - expected)).toBeLessThan(1e-5 * (1 + result.explainedVariance[0]!));
      }
    }
  });

  it('"auto" is a rotation: projected · C + μ gives the data back', async () => {
    const result = await fitted(data, rows, cols, "auto");
    expect(result.dim).toBe(cols);
    let total = 0;
    for (const ratio of result.explainedVarianceRatio) total += ratio;
    expect(total).toBeCloseTo(1, 12);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < cols; i++) {
        let s = result.mean[i]!;
        for (let j = 0; j < cols; j++) s += result.projected[r * cols + j]! * result.components[j * cols + i]!;
        expect(s).toBeCloseTo(data[r * cols + i]!, 5);
      }
    }
  });

  it("is orthonormal and reconstructs on random shapes (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 11 }), fc.integer(), async (rows, cols, seed) => {
        const x = correlated(rows, cols, Math.min(3, cols), seed);
        const result = await pca(x, rows, cols, "auto", { threads: 1 });
        if (cols >= rows) {
          expect(result).toBeNull();
          return;
        }
        expect(result!.dim).toBe(cols);
        const c = result!.components;
        for (let p = 0; p < cols; p++) {
          for (let q = 0; q < cols; q++) {
            let dot = 0;
            for (let i = 0; i < cols; i++) dot += c[p * cols + i]! * c[q * cols + i]!;
            expect(Math.abs(dot - (p === q ? 1 : 0))).toBeLessThan(1e-12);
          }
        }
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < cols; i++) {
            let s = result!.mean[i]!;
            for (let j = 0; j < cols; j++) s += result!.projected[r * cols + j]! * c[j * cols + i]!;
            expect(Math.abs(s - x[r * cols + i]!)).toBeLessThan(1e-5);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("pcaDims forms", () => {
  const rows = 50;
  const cols = 8;
  const data = correlated(rows, cols, 3, 5);

  it("null and undefined skip PCA without a warning", async () => {
    const warnings: string[] = [];
    expect(await pca(data, rows, cols, null, { onWarning: (m) => warnings.push(m) })).toBeNull();
    expect(await pca(data, rows, cols, undefined, { onWarning: (m) => warnings.push(m) })).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('"auto" keeps every dimension', async () => {
    const result = await fitted(data, rows, cols, "auto");
    expect(result.dim).toBe(cols);
    expect(result.projected).toHaveLength(rows * cols);
  });

  it("an integer keeps that many components", async () => {
    const result = await fitted(data, rows, cols, 3);
    expect(result.dim).toBe(3);
    expect(result.components).toHaveLength(3 * cols);
    expect(result.explainedVariance).toHaveLength(3);
    expect(result.explainedVarianceRatio).toHaveLength(3);
    const auto = await fitted(data, rows, cols, "auto");
    expect(result.components).toEqual(auto.components.subarray(0, 3 * cols));
  });

  it("an integer above the width is clamped to it, with a warning", async () => {
    const warnings: string[] = [];
    const result = await pca(data, rows, cols, 20, { onWarning: (m) => warnings.push(m) });
    expect(result?.dim).toBe(cols);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/PCA dimension \(20\) is larger than the number of dimensions in the embeddings \(8\)/);
  });

  it("a count ≥ the number of rows skips PCA, with a warning", async () => {
    for (const [dims, r] of [
      [10, 10],
      [12, 10],
      ["auto", 8],
    ] as const) {
      const warnings: string[] = [];
      const x = correlated(r, 12, 3, 1);
      expect(await pca(x, r, 12, dims, { onWarning: (m) => warnings.push(m) })).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/number of rows \(\d+\)\. Not applying PCA/);
    }
    // Clamped to the width first (as Python), then compared with the rows.
    const warnings: string[] = [];
    expect(await pca(correlated(8, 12, 3, 1), 8, 12, 100, { onWarning: (m) => warnings.push(m) })).toBeNull();
    expect(warnings).toHaveLength(2);
  });

  it("a fraction keeps the fewest components whose cumulative ratio exceeds it (searchsorted side=right + 1)", async () => {
    const data8 = Float32Array.from(REFERENCE_X.flat());
    // cumulative ratios: 0.5289, 0.8529, 0.9487, 1.0
    for (const [fraction, expected] of [
      [0.5, 1],
      [0.52887, 1],
      [0.53, 2],
      [0.85, 2],
      [0.86, 3],
      [0.9487, 3],
      [0.95, 4],
      [0.999999, 4],
    ] as const) {
      const result = await fitted(data8, 8, 4, fraction);
      expect(result.dim, `fraction ${fraction}`).toBe(expected);
      expect(result.explainedVarianceRatio[expected - 1]).toBeCloseTo(
        REFERENCE.explainedVarianceRatio[expected - 1] ?? 1 - REFERENCE.cumulativeRatio[2]!,
        12,
      );
    }
  });

  it("componentsForFraction follows numpy's searchsorted(side='right') + 1 on exact ties", () => {
    const ratio = Float64Array.of(0.5, 0.25, 0.125, 0.125);
    expect(componentsForFraction(ratio, 0.25)).toBe(1);
    expect(componentsForFraction(ratio, 0.5)).toBe(2); // cumsum 0.5 is not > 0.5
    expect(componentsForFraction(ratio, 0.75)).toBe(3);
    expect(componentsForFraction(ratio, 0.875)).toBe(4);
    expect(componentsForFraction(ratio, 0.9)).toBe(4);
    expect(componentsForFraction(ratio, 0.999)).toBe(4);
    expect(componentsForFraction(Float64Array.of(Number.NaN, Number.NaN), 0.5)).toBe(1); // zero variance, as numpy
  });

  it("rejects every other value, naming pcaDims", async () => {
    for (const bad of [0, -1, -0.5, 1.5, 256.5, Number.NaN, Infinity, -Infinity, "full", true, {}, 2 ** 60]) {
      await expect(pca(data, rows, cols, bad as PcaDims), String(bad)).rejects.toThrow(InvalidInputError);
      await expect(pca(data, rows, cols, bad as PcaDims)).rejects.toThrow(/pcaDims/);
    }
  });

  it("resolvePcaDims validates before looking at the data", () => {
    expect(resolvePcaDims(null, 0, 0)).toEqual({ kind: "skip" });
    expect(resolvePcaDims(0.9, 100, 4)).toEqual({ kind: "fraction", fraction: 0.9 });
    expect(resolvePcaDims(4, 100, 8)).toEqual({ kind: "count", components: 4 });
    expect(() => resolvePcaDims(0, 100, 8)).toThrow(/pcaDims must be null, "auto", an integer ≥ 1 or a fraction/);
  });
});

describe("pca input validation", () => {
  const data = correlated(20, 4, 2, 1);

  it("rejects a data length that is not rows × cols, bad shapes and bad threads", async () => {
    await expect(pca(data, 21, 4, 2)).rejects.toThrow(/data must be a Float32Array of rows × cols = 84 values/);
    await expect(pca(new Float64Array(80) as unknown as Float32Array, 20, 4, 2)).rejects.toThrow(InvalidInputError);
    await expect(pca(data, -1, 4, 2)).rejects.toThrow(/rows/);
    await expect(pca(data, 20, 4.5, 2)).rejects.toThrow(/cols/);
    await expect(pca(data, 20, 4, 2, { threads: 0 })).rejects.toThrow(/threads/);
    await expect(pca(data, 20, 4, 2, { threads: 1.5 })).rejects.toThrow(/threads/);
  });

  it("rejects NaN and infinite values, naming the column", async () => {
    const bad = data.slice();
    bad[2 * 4 + 3] = Number.NaN;
    await expect(pca(bad, 20, 4, 2)).rejects.toThrow(/column 3 holds a NaN or an infinity/);
    bad[2 * 4 + 3] = Infinity;
    await expect(pca(bad, 20, 4, 2)).rejects.toThrow(InvalidInputError);
  });

  it("does not modify its input", async () => {
    const copy = data.slice();
    await fitted(data, 20, 4, 2);
    await fitted(data, 20, 4, 2, 2);
    expect(data).toEqual(copy);
  });

  it("handles constant data (zero variance) and a single column", async () => {
    const constant = new Float32Array(30).fill(2.5);
    const flat = await fitted(constant, 10, 3, 2);
    expect(Array.from(flat.projected)).toEqual(new Array(20).fill(0));
    expect(Array.from(flat.explainedVariance)).toEqual([0, 0]);
    const column = await fitted(Float32Array.of(1, 2, 3, 4, 5), 5, 1, 1);
    expect(column.components[0]).toBe(1);
    expect(Array.from(column.projected)).toEqual([-2, -1, 0, 1, 2]);
    expect(column.explainedVariance[0]).toBeCloseTo(2.5, 14);
  });
});

describe("pca on worker threads", () => {
  it("gives the calling-thread result, on odd shapes, with the input in a plain or a shared buffer", async () => {
    for (const [rows, cols, dims, threads] of [
      [1001, 37, 11, 2],
      [517, 64, 0.9, 3],
      [300, 5, "auto", 2],
    ] as const) {
      const data = correlated(rows, cols, 6, rows);
      const single = await fitted(data, rows, cols, dims, 1);
      const shared = new Float32Array(new SharedArrayBuffer(data.byteLength));
      shared.set(data);
      for (const input of [data, shared]) {
        const warnings: string[] = [];
        const result = await pca(input, rows, cols, dims, { threads, onWarning: (m) => warnings.push(m) });
        expect(warnings).toEqual([]);
        expect(result!.threads).toBe(threads); // the workers really ran
        expect(result!.projected.buffer).toBeInstanceOf(ArrayBuffer); // not shared memory
        expect(result!.dim).toBe(single.dim);
        for (let i = 0; i < single.components.length; i++) {
          expect(Math.abs(result!.components[i]! - single.components[i]!)).toBeLessThan(1e-9);
        }
        for (let i = 0; i < single.projected.length; i++) {
          expect(Math.abs(result!.projected[i]! - single.projected[i]!)).toBeLessThan(1e-5);
        }
        for (let j = 0; j < single.dim; j++) {
          expect(result!.explainedVariance[j]).toBeCloseTo(single.explainedVariance[j]!, 10);
        }
      }
    }
  });

  it("reports worker errors, and refuses tasks after close, instead of hanging", async () => {
    const data = correlated(10, 3, 2, 1);
    const pool = await openWorkerPool(data, 10, 3, 1);
    expect(pool).not.toBeNull();
    await expect(pool!.run(0, { type: "bogus" } as unknown as WorkerTask)).rejects.toThrow(/PCA worker 0 failed: .*unknown task bogus/);
    const scatter = (await pool!.run(0, { type: "covariance", rowStart: 0, rowEnd: 10, mean: new Float64Array(3) })) as Float64Array;
    expect(scatter).toHaveLength(9);
    await expect(pool!.run(1, { type: "covariance", rowStart: 0, rowEnd: 10, mean: new Float64Array(3) })).rejects.toThrow(/no PCA worker 1/);
    await pool!.close();
    await expect(pool!.run(0, { type: "covariance", rowStart: 0, rowEnd: 10, mean: new Float64Array(3) })).rejects.toThrow(/closed/);
  });

  it("never uses more threads than rows", async () => {
    const result = await fitted(correlated(3, 2, 2, 9), 3, 2, 1, 8);
    expect(result.threads).toBe(3);
  });

  it("stays on the calling thread by default for small inputs", async () => {
    const result = await fitted(correlated(100, 10, 3, 2), 100, 10, 4);
    expect(result.threads).toBe(1);
  });
});
