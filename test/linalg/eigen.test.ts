/** symmetricEigen: reconstruction, orthonormality and ordering on random, repeated-eigenvalue and diagonal matrices. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { symmetricEigen } from "../../src/linalg/eigen.js";
import { mulberry32 } from "../fixtures/random.js";

/** max |A − Σ_j λ_j v_j v_jᵀ| with the eigenvectors as rows. */
function reconstructionError(a: Float64Array, values: Float64Array, vectors: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += values[j]! * vectors[j * n + i]! * vectors[j * n + c]!;
      worst = Math.max(worst, Math.abs(s - a[i * n + c]!));
    }
  }
  return worst;
}

/** max |V Vᵀ − I| with the eigenvectors as rows. */
function orthonormalityError(vectors: Float64Array, rows: number, n: number): number {
  let worst = 0;
  for (let p = 0; p < rows; p++) {
    for (let q = 0; q < rows; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors[p * n + i]! * vectors[q * n + i]!;
      worst = Math.max(worst, Math.abs(s - (p === q ? 1 : 0)));
    }
  }
  return worst;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

function expectDescending(values: Float64Array): void {
  for (let j = 1; j < values.length; j++) expect(values[j]!).toBeLessThanOrEqual(values[j - 1]!);
}

/** A random orthogonal n × n matrix: the Q of Gram–Schmidt on a random matrix. */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = random() * 2 - 1;
  for (let r = 0; r < n; r++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < r; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[r * n + i]! * q[p * n + i]!;
        for (let i = 0; i < n; i++) q[r * n + i] = q[r * n + i]! - dot * q[p * n + i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[r * n + i]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[r * n + i] = q[r * n + i]! / norm;
  }
  return q;
}

/** Qᵀ diag(λ) Q for the rows of Q. */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const n = lambda.length;
  const q = randomOrthogonal(n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += lambda[j]! * q[j * n + i]! * q[j * n + c]!;
      a[i * n + c] = s;
    }
  }
  // Exactly symmetric.
  for (let i = 0; i < n; i++) for (let c = 0; c < i; c++) a[i * n + c] = a[c * n + i]!;
  return a;
}

const symmetricMatrix = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc
    .array(fc.oneof(fc.double({ min: -100, max: 100, noNaN: true }), fc.constantFrom(0, 1, -1, 5e-324, 1e-300, 1e300)), { minLength: (n * (n + 1)) / 2, maxLength: (n * (n + 1)) / 2 })
    .map((upper) => {
      const a = new Float64Array(n * n);
      let t = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          a[i * n + j] = upper[t]!;
          a[j * n + i] = upper[t]!;
          t++;
        }
      }
      return { a, n };
    }),
);

describe("symmetricEigen", () => {
  it("reconstructs random symmetric matrices with orthonormal eigenvectors, values descending", () => {
    fc.assert(
      fc.property(symmetricMatrix, ({ a, n }) => {
        const before = a.slice();
        const { values, vectors } = symmetricEigen(a, n);
        expect(a).toEqual(before); // input untouched
        expect(values).toHaveLength(n);
        expect(vectors).toHaveLength(n * n);
        expectDescending(values);
        const scale = Math.max(1, maxAbs(a));
        expect(reconstructionError(a, values, vectors, n)).toBeLessThan(1e-12 * n * scale);
        expect(orthonormalityError(vectors, n, n)).toBeLessThan(1e-12 * n);
      }),
      { numRuns: 150 },
    );
  });

  it("recovers a prescribed spectrum with repeated eigenvalues", () => {
    const lambda = [5, 5, 5, 2, 2, -1, 0, 0, 0, 0, 7, -3.5];
    const n = lambda.length;
    const a = withSpectrum(lambda, 7);
    const { values, vectors } = symmetricEigen(a, n);
    const sorted = [...lambda].sort((x, y) => y - x);
    for (let j = 0; j < n; j++) expect(values[j]!).toBeCloseTo(sorted[j]!, 11);
    expect(reconstructionError(a, values, vectors, n)).toBeLessThan(1e-12);
    expect(orthonormalityError(vectors, n, n)).toBeLessThan(1e-12);
  });

  it("handles a multiple of the identity and the zero matrix", () => {
    for (const c of [0, 3]) {
      const n = 6;
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) a[i * n + i] = c;
      const { values, vectors } = symmetricEigen(a, n);
      expect(Array.from(values)).toEqual(new Array(n).fill(c));
      expect(orthonormalityError(vectors, n, n)).toBeLessThan(1e-15);
    }
  });

  it("returns the diagonal, sorted, with unit vectors, for diagonal matrices", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constantFrom(0, 5e-324)), { minLength: 1, maxLength: 12 }), (diag) => {
        const n = diag.length;
        const a = new Float64Array(n * n);
        diag.forEach((x, i) => (a[i * n + i] = x));
        const { values, vectors } = symmetricEigen(a, n);
        // Exact, except that entries below about 1e-290 × the largest one are flushed to zero
        // (the threshold applies after scaling the largest entry into [0.7, 1.4]).
        const tolerance = 2e-290 * Math.max(...diag.map(Math.abs));
        const sorted = [...diag].sort((x, y) => y - x);
        values.forEach((x, j) => expect(Math.abs(x - sorted[j]!)).toBeLessThanOrEqual(tolerance));
        // Each eigenvector is ± a unit vector e_i with a[i][i] equal to its eigenvalue.
        for (let j = 0; j < n; j++) {
          const row = Array.from(vectors.subarray(j * n, j * n + n));
          const i = row.findIndex((x) => x !== 0);
          expect(Math.abs(row[i]!)).toBe(1);
          expect(row.filter((x) => x !== 0)).toHaveLength(1);
          expect(Math.abs(diag[i]! - values[j]!)).toBeLessThanOrEqual(tolerance);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("matches the closed form on 2 × 2 matrices", () => {
    const [p, q, r] = [2, 1, 2]; // [[2, 1], [1, 2]]: eigenvalues 3 and 1
    const { values, vectors } = symmetricEigen(Float64Array.of(p, q, q, r), 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0]! * vectors[1]!).toBeCloseTo(0.5, 14); // (1, 1)/√2 up to sign
    expect(vectors[2]! * vectors[3]!).toBeCloseTo(-0.5, 14); // (1, −1)/√2 up to sign
  });

  it("handles n = 0 and n = 1", () => {
    expect(symmetricEigen(new Float64Array(0), 0)).toEqual({ values: new Float64Array(0), vectors: new Float64Array(0) });
    expect(symmetricEigen(Float64Array.of(-4), 1)).toEqual({ values: Float64Array.of(-4), vectors: Float64Array.of(1) });
  });

  it("symmetrises a slightly asymmetric input", () => {
    const { values } = symmetricEigen(Float64Array.of(2, 1 + 1e-9, 1 - 1e-9, 2), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
  });

  it("is accurate on a 120 × 120 covariance-like matrix with a decaying spectrum", () => {
    const lambda = Array.from({ length: 120 }, (_, i) => 100 / (1 + i) ** 2);
    const a = withSpectrum(lambda, 11);
    const { values, vectors } = symmetricEigen(a, 120);
    for (let j = 0; j < 120; j++) expect(Math.abs(values[j]! - lambda[j]!)).toBeLessThan(1e-12 * 100);
    expect(orthonormalityError(vectors, 120, 120)).toBeLessThan(1e-12);
  });

  it("rejects bad shapes and non-finite values", () => {
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(InvalidInputError);
    expect(() => symmetricEigen(new Float64Array(4), -2)).toThrow(InvalidInputError);
    expect(() => symmetricEigen(new Float64Array(4), 1.5)).toThrow(InvalidInputError);
    expect(() => symmetricEigen(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2)).toThrow(/not finite/);
    expect(() => symmetricEigen(Float64Array.of(Infinity), 1)).toThrow(InvalidInputError);
  });
});
