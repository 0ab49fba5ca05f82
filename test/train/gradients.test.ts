/** Every analytic gradient of the training code against central finite differences in float64. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/random.js";
import { bceWithLogits, cosineLoss, infoNce, mseLoss, softmaxCrossEntropy } from "../../src/train/losses.js";
import { Mlp } from "../../src/train/mlp.js";
import { Adam, AdamW, Parameter } from "../../src/train/optimizer.js";
import { PooledEncoder } from "../../src/train/pooled-encoder.js";

const H = 1e-6;

function randomArray(n: number, seed: number, scale = 1): Float64Array {
  const next = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (next() * 2 - 1) * scale);
}

/** Central differences of `f` with respect to every entry of `x` (modified in place, then restored). */
function numericGradient(f: () => number, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const saved = x[k]!;
    x[k] = saved + H;
    const plus = f();
    x[k] = saved - H;
    const minus = f();
    x[k] = saved;
    out[k] = (plus - minus) / (2 * H);
  }
  return out;
}

/**
 * The largest element-wise relative error. Magnitudes are floored at 1e-5 so that
 * entries that are exactly zero analytically (finite-difference noise ≈ 1e-10) pass.
 */
function relativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  expect(analytic.length).toBe(numeric.length);
  let worst = 0;
  for (let k = 0; k < analytic.length; k++) {
    const a = analytic[k]!;
    const n = numeric[k]!;
    worst = Math.max(worst, Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-5));
  }
  return worst;
}

function expectGradient(analytic: ArrayLike<number>, f: () => number, x: Float64Array): void {
  const error = relativeError(analytic, numericGradient(f, x));
  expect(error).toBeLessThan(1e-4);
}

describe("losses", () => {
  const batch = 5;
  const classes = 4;

  it("softmax cross-entropy with class weights", () => {
    const logits = randomArray(batch * classes, 1, 3);
    const targets = Int32Array.from([0, 3, 1, 1, 2]);
    for (const weights of [null, Float64Array.from([0.5, 2, 1, 3])]) {
      const { grad } = softmaxCrossEntropy(logits, targets, classes, weights);
      expectGradient(grad, () => softmaxCrossEntropy(logits, targets, classes, weights).loss, logits);
    }
  });

  it("softmax cross-entropy equals -log p for one row", () => {
    const { loss } = softmaxCrossEntropy([1, 2, 3], [2], 3);
    expect(loss).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 12);
    // Weighted mean: Σ w·l / Σ w.
    const a = softmaxCrossEntropy([0, 0], [0], 2).loss;
    const b = softmaxCrossEntropy([5, 0], [1], 2).loss;
    expect(softmaxCrossEntropy([0, 0, 5, 0], [0, 1], 2, [1, 3]).loss).toBeCloseTo((a + 3 * b) / 4, 12);
  });

  it("BCE with logits and pos_weight", () => {
    const logits = randomArray(batch * classes, 2, 4);
    const next = mulberry32(3);
    const targets = Float64Array.from({ length: batch * classes }, () => (next() < 0.4 ? 1 : 0));
    for (const posWeight of [null, Float64Array.from([1, 2.5, 0.3, 7])]) {
      const { grad } = bceWithLogits(logits, targets, classes, posWeight);
      expectGradient(grad, () => bceWithLogits(logits, targets, classes, posWeight).loss, logits);
    }
    // Stable for large logits.
    expect(bceWithLogits([100, -100], [1, 0], 2).loss).toBeCloseTo(0, 12);
    expect(bceWithLogits([-1000], [1], 1).loss).toBeCloseTo(1000, 9);
  });

  it("cosine loss", () => {
    const dim = 6;
    const x = randomArray(batch * dim, 4);
    const y = randomArray(batch * dim, 5);
    const { gradX, gradY } = cosineLoss(x, y, dim);
    expectGradient(gradX, () => cosineLoss(x, y, dim).loss, x);
    expectGradient(gradY, () => cosineLoss(x, y, dim).loss, y);
    expect(cosineLoss(x, x, dim).loss).toBeCloseTo(0, 12);
  });

  it("MSE", () => {
    const x = randomArray(12, 6);
    const y = randomArray(12, 7);
    const { gradX, gradY } = mseLoss(x, y);
    expectGradient(gradX, () => mseLoss(x, y).loss, x);
    expectGradient(gradY, () => mseLoss(x, y).loss, y);
  });

  it("InfoNCE (τ = 0.07)", () => {
    const dim = 6;
    const x = randomArray(batch * dim, 8);
    const y = randomArray(batch * dim, 9);
    const { gradX, gradY } = infoNce(x, y, dim);
    expectGradient(gradX, () => infoNce(x, y, dim).loss, x);
    expectGradient(gradY, () => infoNce(x, y, dim).loss, y);
    // With y = x the diagonal dominates and the loss is small.
    expect(infoNce(x, x, dim, 0.01).loss).toBeLessThan(infoNce(x, y, dim, 0.01).loss);
  });

  it("InfoNCE against fixed targets: the same loss and gradX, and no gradY", () => {
    const dim = 6;
    const x = randomArray(batch * dim, 10);
    const y = randomArray(batch * dim, 11);
    const full = infoNce(x, y, dim, { temperature: 0.05 });
    const fixed = infoNce(x, y, dim, { temperature: 0.05, targetGradient: false });
    expect(fixed.loss).toBe(full.loss);
    expect(fixed.gradX).toEqual(full.gradX);
    expect(fixed.gradY).toHaveLength(0);
    expect(full.loss).toBe(infoNce(x, y, dim, 0.05).loss);
  });

  it("InfoNCE with soft targets: the gradient, the one-hot limit, and the entropy floor", () => {
    const dim = 6;
    const x = randomArray(batch * dim, 12);
    const y = randomArray(batch * dim, 13);
    const soft = (t: number) => infoNce(x, y, dim, { temperature: 0.1, targetGradient: false, targetTemperature: t });
    expectGradient(soft(0.2).gradX, () => soft(0.2).loss, x);
    // A very cold target distribution is the diagonal: the one-hot loss and gradient.
    const hard = infoNce(x, y, dim, { temperature: 0.1, targetGradient: false });
    const cold = soft(1e-4);
    expect(cold.loss).toBeCloseTo(hard.loss, 10);
    for (let k = 0; k < x.length; k++) expect(cold.gradX[k]).toBeCloseTo(hard.gradX[k]!, 10);
    // Cross-entropy ≥ the targets' entropy, with equality when the student's scores are the targets' (x = y, same τ).
    const self = infoNce(y, y, dim, { temperature: 0.3, targetGradient: false, targetTemperature: 0.3 });
    expect(self.gradX.every((g) => Math.abs(g) < 1e-12)).toBe(true);
    expect(infoNce(x, y, dim, { temperature: 0.3, targetGradient: false, targetTemperature: 0.3 }).loss).toBeGreaterThan(self.loss);
  });

  it("InfoNCE refuses soft targets with a target gradient, and a bad target temperature", () => {
    const x = randomArray(12, 14);
    expect(() => infoNce(x, x, 6, { targetTemperature: 0.1 })).toThrow(/need targetGradient: false/);
    expect(() => infoNce(x, x, 6, { targetGradient: false, targetTemperature: 0 })).toThrow(/targetTemperature must be positive, got 0/);
    expect(() => infoNce(x, x, 6, { targetGradient: false, targetTemperature: Number.NaN })).toThrow(/targetTemperature must be positive/);
  });
});

describe("PooledEncoder", () => {
  const dim = 5;

  function check(options: { normalize: boolean; mapping: boolean; seed: number; batch: Int32Array[] }) {
    const vocab = 9;
    const rows = options.mapping ? 4 : vocab;
    const table = randomArray(rows * dim, options.seed);
    const logits = randomArray(vocab, options.seed + 1, 2);
    logits[0] = -10000; // the pad id
    const mapping = options.mapping ? Int32Array.from({ length: vocab }, (_, i) => (i * 3) % rows) : null;
    const encoder = new PooledEncoder({ table, dim, logits, mapping, padId: 0, normalize: options.normalize });
    const projection = randomArray(options.batch.length * dim, options.seed + 2);
    const loss = () => {
      const h = encoder.forward(options.batch);
      let sum = 0;
      for (let k = 0; k < h.length; k++) sum += h[k]! * projection[k]!;
      return sum;
    };
    encoder.forward(options.batch, { train: true });
    encoder.backward(projection);
    const tableGrad = Float64Array.from(encoder.table.grad);
    const logitGrad = Float64Array.from(encoder.logits.grad);
    expectGradient(tableGrad, loss, table);
    expectGradient(logitGrad, loss, logits);
    // Only the touched rows are marked, and zeroGrad clears them.
    for (const row of encoder.table.touched!.rows()) expect(tableGrad.subarray(row * dim, row * dim + dim).some((v) => v !== 0)).toBe(true);
    encoder.table.zeroGrad();
    encoder.logits.zeroGrad();
    expect(encoder.table.grad.every((v) => v === 0)).toBe(true);
    expect(encoder.logits.grad.every((v) => v === 0)).toBe(true);
  }

  const batch = [Int32Array.from([1, 2, 3]), Int32Array.from([4, 4, 4, 2]), Int32Array.from([5, 0, 0, 6, 1]), Int32Array.from([8]), new Int32Array(0)];
  for (const normalize of [false, true]) {
    for (const mapping of [false, true]) {
      it(`normalize=${normalize}, mapping=${mapping}, repeated and pad ids`, () => check({ normalize, mapping, seed: 11, batch }));
    }
  }

  it("matches finite differences for random batches", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 7 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (ids, normalize, mapping, seed) => check({ normalize, mapping, seed, batch: ids.map((row) => Int32Array.from(row)) }),
      ),
      { numRuns: 40 },
    );
  });

  it("pools as σ(w)-weighted means, skipping the pad id", () => {
    const table = Float64Array.from([0, 0, 1, 2, 3, 4]);
    const encoder = new PooledEncoder({ table, dim: 2, logits: Float64Array.from([-10000, 0, Math.log(3)]), padId: 0 });
    const h = encoder.forward([Int32Array.from([1, 2, 0])]);
    // (0.5·[1,2] + 0.75·[3,4]) / 2
    expect(h[0]).toBeCloseTo((0.5 + 2.25) / 2, 12);
    expect(h[1]).toBeCloseTo((1 + 3) / 2, 12);
  });
});

describe("Mlp", () => {
  for (const nLayers of [0, 1, 2]) {
    it(`nLayers=${nLayers}: weights, biases and inputs`, () => {
      const batch = 4;
      const mlp = new Mlp({ inputDim: 6, outputDim: 3, nLayers, hiddenDim: 7, seed: 5 });
      // Non-zero biases so the check covers them away from the initial zeros.
      for (const layer of mlp.layers) layer.bias.value.set(randomArray(layer.outDim, 13 + layer.outDim, 0.3));
      const x = randomArray(batch * 6, 21);
      const projection = randomArray(batch * 3, 22);
      const loss = () => {
        const out = mlp.forward(x);
        let sum = 0;
        for (let k = 0; k < out.length; k++) sum += out[k]! * projection[k]!;
        return sum;
      };
      mlp.forward(x, { train: true });
      const dx = mlp.backward(projection);
      expectGradient(dx, loss, x);
      for (const param of mlp.parameters()) expectGradient(Float64Array.from(param.grad), loss, param.value as Float64Array);
    });
  }

  it("initialises as torch's kaiming_uniform_ / xavier_uniform_ bounds, zero biases, seeded", () => {
    const mlp = new Mlp({ inputDim: 64, outputDim: 3, nLayers: 1, hiddenDim: 32, seed: 1 });
    const [hidden, last] = mlp.layers;
    const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
    expect(maxAbs(hidden!.weight.value)).toBeLessThanOrEqual(Math.sqrt(6 / 64));
    expect(maxAbs(hidden!.weight.value)).toBeGreaterThan(0.9 * Math.sqrt(6 / 64));
    expect(maxAbs(last!.weight.value)).toBeLessThanOrEqual(Math.sqrt(6 / 35));
    expect(maxAbs(hidden!.bias.value)).toBe(0);
    const again = new Mlp({ inputDim: 64, outputDim: 3, nLayers: 1, hiddenDim: 32, seed: 1 });
    expect(again.layers[0]!.weight.value).toEqual(hidden!.weight.value);
  });

  it("composes with the encoder and cross-entropy end to end", () => {
    const dim = 4;
    const table = randomArray(6 * dim, 31);
    const logits = randomArray(6, 32);
    const encoder = new PooledEncoder({ table, dim, logits, normalize: true });
    const mlp = new Mlp({ inputDim: dim, outputDim: 3, nLayers: 1, hiddenDim: 5, seed: 3 });
    const batch = [Int32Array.from([1, 2]), Int32Array.from([3, 3, 5]), Int32Array.from([0, 4])];
    const targets = [0, 2, 1];
    const loss = () => softmaxCrossEntropy(mlp.forward(encoder.forward(batch)), targets, 3, [1, 2, 0.5]).loss;
    const h = encoder.forward(batch, { train: true });
    const { grad } = softmaxCrossEntropy(mlp.forward(h, { train: true }), targets, 3, [1, 2, 0.5]);
    encoder.backward(mlp.backward(grad));
    expectGradient(Float64Array.from(encoder.table.grad), loss, table);
    expectGradient(Float64Array.from(encoder.logits.grad), loss, logits);
  });
});

describe("Adam", () => {
  it("moves each parameter by lr·sign(g) on the first step, and AdamW also decays", () => {
    const value = Float64Array.from([1, -2, 3]);
    const param = new Parameter(value);
    param.grad.set([0.5, -4, 0]);
    new Adam([param], { learningRate: 0.1 }).step();
    expect(value[0]).toBeCloseTo(0.9, 6);
    expect(value[1]).toBeCloseTo(-1.9, 6);
    expect(value[2]).toBe(3);
    const decayed = new Parameter(Float64Array.from([2]));
    decayed.grad[0] = 1;
    new AdamW([decayed], { learningRate: 0.1, weightDecay: 0.5 }).step();
    expect(decayed.value[0]).toBeCloseTo(2 * (1 - 0.05) - 0.1, 6);
  });

  it("lazy mode only updates touched rows; dense mode keeps moving rows by momentum", () => {
    const run = (lazy: boolean) => {
      const param = new Parameter(new Float64Array(6), { rowSize: 2, sparse: true });
      const adam = new Adam([param], { learningRate: 0.1, lazy });
      param.grad.set([1, 1], 0);
      param.touched!.add(0);
      adam.step();
      adam.zeroGrad();
      param.grad.set([1, 1], 2);
      param.touched!.add(1);
      adam.step();
      return Array.from(param.value);
    };
    const lazy = run(true);
    const dense = run(false);
    expect(lazy[0]).toBeCloseTo(-0.1, 6); // row 0 untouched in step 2
    expect(dense[0]).toBeLessThan(-0.15); // momentum moved it again
    expect(lazy[2]).toBeCloseTo(dense[2]!, 12);
    expect(lazy[4]).toBe(0);
  });
});
