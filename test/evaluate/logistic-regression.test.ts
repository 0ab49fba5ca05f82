import { describe, expect, it } from "vitest";
import { fitLogisticRegression } from "../../src/evaluate/logistic-regression.js";

/** Rational features (exact in binary) reproducible in Python: x_ij = ((7i + 13j + s·i·j) mod 17 − 8) / 8. */
function toyData(rows: number, dim: number, classes: number, seed: number) {
  const x = new Float64Array(rows * dim);
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dim; j++) x[i * dim + j] = (((i * 7 + j * 13 + i * j * seed) % 17) - 8) / 8;
    y.push((i * 5 + ((i * i) % 7) + seed) % classes);
  }
  return { x, y };
}

/** Three separable clusters in 2-D, string labels given out of order. */
function clusters() {
  const centres: Record<string, [number, number]> = { emu: [-2, -2], cat: [2, 0], dog: [0, 2] };
  const offsets = [
    [0.3, 0.1],
    [-0.2, 0.25],
    [0.1, -0.3],
    [-0.25, -0.15],
  ];
  const labels: string[] = [];
  const x: number[] = [];
  for (const [label, [cx, cy]] of Object.entries(centres)) {
    for (const [dx, dy] of offsets) {
      x.push(cx + dx!, cy + dy!);
      labels.push(label);
    }
  }
  return { x: Float32Array.from(x), labels };
}

describe("fitLogisticRegression", () => {
  it("separates three string-labelled clusters, with probabilities summing to 1", () => {
    const { x, labels } = clusters();
    const model = fitLogisticRegression(x, labels.length, 2, labels);
    expect(model.classes).toEqual(["cat", "dog", "emu"]);
    expect(model.coef.length).toBe(3 * 2);
    expect(model.intercept.length).toBe(3);
    expect(model.converged).toBe(true);
    expect(model.predict(x, labels.length)).toEqual(labels);
    const proba = model.predictProba(x, labels.length);
    for (let i = 0; i < labels.length; i++) {
      const row = Array.from(proba.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 14);
      expect(model.classes[row.indexOf(Math.max(...row))]).toBe(labels[i]);
    }
    // New points near each centre.
    expect(model.predict(new Float32Array([1.8, 0.2, 0.1, 1.7, -1.5, -2.2]), 3)).toEqual(["cat", "dog", "emu"]);
  });

  it("is deterministic", () => {
    const { x, labels } = clusters();
    const a = fitLogisticRegression(x, labels.length, 2, labels);
    const b = fitLogisticRegression(x, labels.length, 2, labels);
    expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
    expect(Array.from(a.intercept)).toEqual(Array.from(b.intercept));
    expect(a.nIter).toBe(b.nIter);
  });

  it("solves the 1-D two-point binary problem in closed form", () => {
    // x = −1 (class 0), x = +1 (class 1). By symmetry b = 0 and the objective is
    // C·2·log(1 + e^{−w}) + ½w², stationary where w = 2C·σ(−w). Solve that by Newton, independently.
    for (const c of [1, 10]) {
      let w = 0;
      for (let step = 0; step < 50; step++) {
        const s = 1 / (1 + Math.exp(w)); // σ(−w)
        const g = w - 2 * c * s;
        const h = 1 + 2 * c * s * (1 - s);
        w -= g / h;
      }
      // scikit-learn 1.2.1 (tol 1e-12): 0.6748316143430423 for C = 1, 2.1280345184539216 for C = 10.
      expect(w).toBeCloseTo(c === 1 ? 0.6748316143430423 : 2.1280345184539216, 10);
      const tight = fitLogisticRegression(new Float32Array([-1, 1]), 2, 1, [0, 1], { c, tol: 1e-12, maxIter: 1000 });
      expect(tight.classes).toEqual([0, 1]);
      expect(tight.coef.length).toBe(1); // binomial: one weight row, for classes[1]
      expect(tight.coef[0]).toBeCloseTo(w, 9);
      expect(tight.intercept[0]).toBeCloseTo(0, 9);
      // Defaults (tol 1e-4 on the 1/n-scaled objective) stop close to it.
      const loose = fitLogisticRegression(new Float32Array([-1, 1]), 2, 1, [0, 1], { c });
      expect(Math.abs(loose.coef[0]! - w)).toBeLessThan(1e-3);
      const proba = tight.predictProba(new Float32Array([1]), 1);
      expect(proba[1]).toBeCloseTo(1 / (1 + Math.exp(-w)), 9);
      expect(proba[0]! + proba[1]!).toBe(1);
      expect(tight.predict(new Float32Array([-0.5, 0.5]), 2)).toEqual([0, 1]);
    }
  });

  it("finds the multinomial optimum of a symmetric 3-class problem (independent Newton solve)", () => {
    // x = −1 → A, 0 → B, +1 → C. By symmetry W = (−w, 0, w) and b = (β, −2β, β) (Σb stays 0 from the zero
    // start, since the intercept gradient sums to 0). With p = softmax(w+β, −2β, β−w) at x = −1 and
    // q = softmax(β, −2β, β) at x = 0, the objective C·(2·CE_A + CE_B) + w² has gradient
    //   ∂w = 2C(p_A − p_C − 1) + 2w,  ∂β = C(2(p_A − 2p_B + p_C − 1) + 2q_A − 2q_B + 2).
    const c = 1;
    const gradient = (w: number, beta: number): [number, number] => {
      const softmax = (z: number[]) => {
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b) => a + b);
        return e.map((v) => v / sum);
      };
      const [pA, pB, pC] = softmax([w + beta, -2 * beta, beta - w]) as [number, number, number];
      const [qA, qB] = softmax([beta, -2 * beta, beta]) as [number, number, number];
      return [2 * c * (pA - pC - 1) + 2 * w, c * (2 * (pA - 2 * pB + pC - 1) + 2 * qA - 2 * qB + 2)];
    };
    let w = 0;
    let beta = 0;
    const h = 1e-6;
    for (let step = 0; step < 30; step++) {
      const [g1, g2] = gradient(w, beta);
      const [a11, a21] = gradient(w + h, beta).map((v, i) => (v - gradient(w - h, beta)[i]!) / (2 * h)) as [number, number];
      const [a12, a22] = gradient(w, beta + h).map((v, i) => (v - gradient(w, beta - h)[i]!) / (2 * h)) as [number, number];
      const det = a11 * a22 - a12 * a21;
      w -= (a22 * g1 - a12 * g2) / det;
      beta -= (a11 * g2 - a21 * g1) / det;
    }
    expect(Math.max(...gradient(w, beta).map(Math.abs))).toBeLessThan(1e-12);

    const model = fitLogisticRegression(new Float32Array([-1, 0, 1]), 3, 1, ["A", "B", "C"], { tol: 1e-12, maxIter: 1000 });
    expect(Array.from(model.coef).map((v) => v + 0)).toEqual([expect.closeTo(-w, 8), expect.closeTo(0, 8), expect.closeTo(w, 8)]);
    expect(Array.from(model.intercept)).toEqual([expect.closeTo(beta, 8), expect.closeTo(-2 * beta, 8), expect.closeTo(beta, 8)]);
    // scikit-learn 1.2.1 (tol 1e-12): coef (−0.6234261394129993, ~0, 0.6234261394129993), intercept (−0.0402420500196088, 0.0804841000392181, −0.0402420500196087).
    // (scipy stops on its relative-decrease test first, ~1e-8 away from the exact optimum.)
    expect(w).toBeCloseTo(0.6234261394129993, 7);
    expect(beta).toBeCloseTo(-0.040242050019608795, 7);
  });

  it("satisfies the optimality conditions of C·ΣCE + ½‖W‖² on a noisy 3-class problem", () => {
    const rows = 40;
    const dim = 6;
    const { x, y } = toyData(rows, dim, 3, 1);
    const model = fitLogisticRegression(x, rows, dim, y, { tol: 1e-10, maxIter: 1000 });
    expect(model.converged).toBe(true);
    // Gradient written out independently: ∂/∂W_k = C·Σ_i (p_ik − [y_i = k]) x_i + W_k, ∂/∂b_k = C·Σ_i (p_ik − [y_i = k]).
    const proba = model.predictProba(x, rows);
    let worst = 0;
    for (let k = 0; k < 3; k++) {
      let gb = 0;
      for (let i = 0; i < rows; i++) gb += proba[i * 3 + k]! - (y[i] === k ? 1 : 0);
      worst = Math.max(worst, Math.abs(gb));
      for (let j = 0; j < dim; j++) {
        let gw = model.coef[k * dim + j]!;
        for (let i = 0; i < rows; i++) gw += (proba[i * 3 + k]! - (y[i] === k ? 1 : 0)) * x[i * dim + j]!;
        worst = Math.max(worst, Math.abs(gw));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  // Reference values: scikit-learn 1.2.1 / scipy 1.10.1 `LogisticRegression(max_iter=…).fit(X, y)` on toyData
  // (the "sklearn<1.4" preset), and scipy's L-BFGS-B on scikit-learn's loss with the ≥ 1.4 settings
  // (mean loss, l2 = 1/(C·n), maxls 50, ftol 64·eps). The iterates agree to rounding, iteration counts exactly.
  const references = [
    { classes: 3, seed: 1, rows: 40, dim: 6, preset: "sklearn<1.4", maxIter: 3, nIter: 3, coef: [0.42431939763990584, -0.5982002191699386, -0.2576257528171599, -0.4107714368674332], intercept: [-0.055672763731129365, -0.08378135876760694, 0.1394541224987372] },
    { classes: 3, seed: 1, rows: 40, dim: 6, preset: "sklearn<1.4", maxIter: 100, nIter: 14, coef: [0.42204247641279735, -0.5593950637052896, -0.3035141949042199, -0.448836919379373], intercept: [-0.014500657220675471, -0.10932909242999357, 0.12382974965066995] },
    { classes: 3, seed: 1, rows: 40, dim: 6, preset: "sklearn>=1.4", maxIter: 100, nIter: 9, coef: [0.4225753804578811, -0.5592648346548588, -0.3037087723060977, -0.44942137225801637], intercept: [-0.014480768154226808, -0.10920758522607948, 0.12368835338030698] },
    { classes: 2, seed: 2, rows: 30, dim: 5, preset: "sklearn<1.4", maxIter: 100, nIter: 7, coef: [-0.4729203584711746, 0.3975154284913015, 0.5047240764226967, 0.28573432584248887], intercept: [-0.11728145715285704] },
    { classes: 2, seed: 2, rows: 30, dim: 5, preset: "sklearn>=1.4", maxIter: 3, nIter: 3, coef: [-0.472072532375277, 0.41759607418156974, 0.5050439157403241, 0.26051660398169224], intercept: [-0.11025845429820547] },
    { classes: 2, seed: 2, rows: 30, dim: 5, preset: "sklearn>=1.4", maxIter: 100, nIter: 6, coef: [-0.47275363630003714, 0.397666493359345, 0.5047028420216852, 0.28596191079410826], intercept: [-0.11732315663236348] },
  ] as const;

  it.each(references)("follows scikit-learn's L-BFGS-B iterates ($classes classes, $preset, max_iter $maxIter)", (ref) => {
    const { x, y } = toyData(ref.rows, ref.dim, ref.classes, ref.seed);
    const model = fitLogisticRegression(x, ref.rows, ref.dim, y, { maxIter: ref.maxIter, preset: ref.preset });
    expect(model.nIter).toBe(ref.nIter);
    expect(model.converged).toBe(ref.nIter < ref.maxIter);
    ref.coef.forEach((value, i) => expect(model.coef[i]).toBeCloseTo(value, 12));
    ref.intercept.forEach((value, i) => expect(model.intercept[i]).toBeCloseTo(value, 12));
  });

  it("refuses a single class, mixed label types and mismatched shapes", () => {
    expect(() => fitLogisticRegression(new Float32Array([1, 2]), 2, 1, ["a", "a"])).toThrow(/at least 2 classes/);
    expect(() => fitLogisticRegression(new Float32Array([1, 2]), 2, 1, [1, "a"])).toThrow(TypeError);
    expect(() => fitLogisticRegression(new Float32Array([1, 2, 3]), 2, 1, [0, 1])).toThrow(RangeError);
    expect(() => fitLogisticRegression(new Float32Array([1, 2]), 2, 1, [0])).toThrow(RangeError);
    const model = fitLogisticRegression(new Float32Array([1, 2]), 2, 1, [0, 1]);
    expect(() => model.predict(new Float32Array([1, 2]), 1)).toThrow(RangeError);
  });
});
