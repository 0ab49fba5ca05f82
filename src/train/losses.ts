/**
 * Loss functions of the training loop. Each returns the (mean-reduced) loss and
 * its gradient with respect to every input, in float64. Matrices are flat and
 * row-major: `batch × width`.
 */
import { InvalidInputError } from "../errors.js";
import { createKernels } from "../linalg/kernels.js";
import { transpose } from "../linalg/transpose.js";

/** Its own kernel instance, so gemmNT's call sites here see only Float64Array. */
const kernels = createKernels();

/** A loss of one input and its gradient. */
export interface LossResult {
  loss: number;
  grad: Float64Array;
}

/** A loss of two inputs (`x`, `y`) and its gradients. */
export interface PairLossResult {
  loss: number;
  gradX: Float64Array;
  gradY: Float64Array;
}

/** log(1 + eˣ), stable for any x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** 1 / (1 + e⁻ˣ). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * torch's `CrossEntropyLoss(weight)` with mean reduction over `batch` rows of
 * `classes` logits: Σᵢ w[yᵢ]·(−log softmax(xᵢ)[yᵢ]) / Σᵢ w[yᵢ].
 *
 * @param targets - The class index of each row.
 * @param classWeights - One weight per class; null for 1.
 */
export function softmaxCrossEntropy(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
  classWeights: ArrayLike<number> | null = null,
): LossResult {
  const batch = checkMatrix("softmaxCrossEntropy", logits, classes);
  if (targets.length !== batch) throw new InvalidInputError(`softmaxCrossEntropy: ${targets.length} targets for ${batch} rows`);
  if (classWeights !== null && classWeights.length !== classes) {
    throw new InvalidInputError(`softmaxCrossEntropy: ${classWeights.length} class weights for ${classes} classes`);
  }
  const grad = new Float64Array(batch * classes);
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < batch; i++) {
    const base = i * classes;
    const target = targets[i]!;
    if (!Number.isInteger(target) || target < 0 || target >= classes) {
      throw new InvalidInputError(`softmaxCrossEntropy: target ${target} of row ${i} is not a class index below ${classes}`);
    }
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logits[base + c]! - max);
      grad[base + c] = e;
      sum += e;
    }
    const weight = classWeights === null ? 1 : classWeights[target]!;
    total += weight * (Math.log(sum) + max - logits[base + target]!);
    weightSum += weight;
    for (let c = 0; c < classes; c++) grad[base + c] = (weight * grad[base + c]!) / sum;
    grad[base + target]! -= weight;
  }
  if (weightSum === 0) return { loss: 0, grad: grad.fill(0) };
  for (let k = 0; k < grad.length; k++) grad[k]! /= weightSum;
  return { loss: total / weightSum, grad };
}

/**
 * torch's `BCEWithLogitsLoss(pos_weight)` with mean reduction over every element:
 * −[p_c·y·log σ(x) + (1−y)·log(1−σ(x))].
 *
 * @param targets - 0/1 (or soft) targets, same shape as `logits`.
 * @param posWeight - One weight per column for the positive term; null for 1.
 */
export function bceWithLogits(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
  posWeight: ArrayLike<number> | null = null,
): LossResult {
  checkMatrix("bceWithLogits", logits, classes);
  if (targets.length !== logits.length) throw new InvalidInputError(`bceWithLogits: ${targets.length} targets for ${logits.length} logits`);
  if (posWeight !== null && posWeight.length !== classes) {
    throw new InvalidInputError(`bceWithLogits: ${posWeight.length} positive weights for ${classes} classes`);
  }
  const n = logits.length;
  const grad = new Float64Array(n);
  if (n === 0) return { loss: 0, grad };
  let total = 0;
  for (let k = 0; k < n; k++) {
    const x = logits[k]!;
    const y = targets[k]!;
    const p = posWeight === null ? 1 : posWeight[k % classes]!;
    // (1−y)·x + (1 + (p−1)·y)·softplus(−x), torch's stable form.
    total += (1 - y) * x + (1 + (p - 1) * y) * softplus(-x);
    grad[k] = (sigmoid(x) * (p * y + 1 - y) - p * y) / n;
  }
  return { loss: total / n, grad };
}

/** Mean squared error over every element: mean((x − y)²). */
export function mseLoss(x: ArrayLike<number>, y: ArrayLike<number>): PairLossResult {
  if (x.length !== y.length) throw new InvalidInputError(`mseLoss: inputs have ${x.length} and ${y.length} values`);
  const n = x.length;
  const gradX = new Float64Array(n);
  const gradY = new Float64Array(n);
  if (n === 0) return { loss: 0, gradX, gradY };
  let total = 0;
  for (let k = 0; k < n; k++) {
    const d = x[k]! - y[k]!;
    total += d * d;
    gradX[k] = (2 * d) / n;
    gradY[k] = (-2 * d) / n;
  }
  return { loss: total / n, gradX, gradY };
}

/**
 * 1 − mean cosine similarity of paired rows xᵢ, yᵢ. A zero row has cosine 0 and
 * no gradient.
 */
export function cosineLoss(x: ArrayLike<number>, y: ArrayLike<number>, dim: number): PairLossResult {
  const batch = checkMatrix("cosineLoss", x, dim);
  if (y.length !== x.length) throw new InvalidInputError(`cosineLoss: inputs have ${x.length} and ${y.length} values`);
  const gradX = new Float64Array(x.length);
  const gradY = new Float64Array(y.length);
  if (batch === 0) return { loss: 0, gradX, gradY };
  let sum = 0;
  for (let i = 0; i < batch; i++) {
    const base = i * dim;
    let dot = 0;
    let xx = 0;
    let yy = 0;
    for (let j = 0; j < dim; j++) {
      const a = x[base + j]!;
      const b = y[base + j]!;
      dot += a * b;
      xx += a * a;
      yy += b * b;
    }
    if (xx === 0 || yy === 0) continue;
    const nx = Math.sqrt(xx);
    const ny = Math.sqrt(yy);
    const cos = dot / (nx * ny);
    sum += cos;
    // d cos/dx = y/(|x||y|) − cos·x/|x|², scaled by −1/batch.
    const s = -1 / batch;
    for (let j = 0; j < dim; j++) {
      const a = x[base + j]!;
      const b = y[base + j]!;
      gradX[base + j] = s * (b / (nx * ny) - (cos * a) / xx);
      gradY[base + j] = s * (a / (nx * ny) - (cos * b) / yy);
    }
  }
  return { loss: 1 - sum / batch, gradX, gradY };
}

/** Options of {@link infoNce}. */
export interface InfoNceOptions {
  /** τ, default 0.07. */
  temperature?: number | undefined;
  /**
   * Whether to compute the gradient with respect to `y` (default true). Training against
   * fixed targets (tokenlearn) needs only `gradX`; without `gradY` the loss does a third
   * less work, and `gradY` is returned empty.
   */
  targetGradient?: boolean | undefined;
  /**
   * τ of soft targets: row i's target distribution is softmax_k(cos(yᵢ, yₖ)/τ_t) instead of
   * the diagonal, so in-batch rows the targets call alike are not pushed apart. Only for
   * fixed targets (`targetGradient: false`). Default: none (one-hot).
   */
  targetTemperature?: number | undefined;
}

/**
 * InfoNCE (in-batch contrastive loss, as sentence-transformers'
 * MultipleNegativesRankingLoss): the cross-entropy of each row of
 * S_ij = cos(xᵢ, yⱼ)/τ against the diagonal, averaged over rows.
 *
 * @param options - τ (default 0.07) as a number, or {@link InfoNceOptions}.
 */
export function infoNce(x: ArrayLike<number>, y: ArrayLike<number>, dim: number, options: number | InfoNceOptions = {}): PairLossResult {
  const { temperature = 0.07, targetGradient = true, targetTemperature } = typeof options === "number" ? { temperature: options } : options;
  const batch = checkMatrix("infoNce", x, dim);
  if (y.length !== x.length) throw new InvalidInputError(`infoNce: inputs have ${x.length} and ${y.length} values`);
  if (!(temperature > 0)) throw new InvalidInputError(`infoNce: temperature must be positive, got ${temperature}`);
  if (targetTemperature !== undefined) {
    if (!(targetTemperature > 0)) throw new InvalidInputError(`infoNce: targetTemperature must be positive, got ${targetTemperature}`);
    // The soft targets are functions of y; a gradient for y that ignored that would be wrong.
    if (targetGradient) throw new InvalidInputError("infoNce: soft targets (targetTemperature) need targetGradient: false");
  }
  const gradX = new Float64Array(x.length);
  const gradY = new Float64Array(targetGradient ? y.length : 0);
  if (batch === 0) return { loss: 0, gradX, gradY };
  const xn = new Float64Array(x.length);
  const yn = new Float64Array(y.length);
  const nx = unitRows(x, dim, xn);
  const ny = unitRows(y, dim, yn);
  // Scores, then dL/dS / τ = (softmax − P)/(batch·τ) in place, P the targets: I, or the soft ones.
  const scores = new Float64Array(batch * batch);
  kernels.gemmNT(xn, 0, dim, yn, 0, dim, scores, 0, batch, batch, batch, dim, false);
  const soft = targetTemperature === undefined ? null : softTargets(yn, batch, dim, targetTemperature);
  let total = 0;
  for (let i = 0; i < batch; i++) {
    const row = i * batch;
    // Σₖ pₖ·sₖ, the targets' expected score: the diagonal's for one-hot targets.
    let expected = 0;
    let max = -Infinity;
    for (let k = 0; k < batch; k++) {
      const s = scores[row + k]! / temperature;
      scores[row + k] = s;
      if (s > max) max = s;
      if (soft !== null) expected += soft[row + k]! * s;
    }
    if (soft === null) expected = scores[row + i]!;
    let sum = 0;
    for (let k = 0; k < batch; k++) {
      const e = Math.exp(scores[row + k]! - max);
      scores[row + k] = e;
      sum += e;
    }
    // −Σₖ pₖ·log softmaxₖ = logSumExp − Σₖ pₖ·sₖ, as the targets sum to 1.
    total += Math.log(sum) + max - expected;
    const scale = 1 / (sum * batch * temperature);
    if (soft === null) {
      for (let k = 0; k < batch; k++) scores[row + k]! *= scale;
      scores[row + i]! -= 1 / (batch * temperature);
    } else {
      for (let k = 0; k < batch; k++) scores[row + k] = scores[row + k]! * scale - soft[row + k]! / (batch * temperature);
    }
  }
  // Gradients with respect to the unit rows (gxn = D·yn, gyn = Dᵀ·xn), then through the
  // normalisation. gemmNT multiplies by a transpose, so the right-hand sides are transposed first.
  throughNormalize(xn, nx, product(scores, transpose(yn, batch, dim), batch, dim, batch), dim, gradX);
  if (targetGradient) {
    throughNormalize(yn, ny, product(transpose(scores, batch, batch), transpose(xn, batch, dim), batch, dim, batch), dim, gradY);
  }
  return { loss: total / batch, gradX, gradY };
}

/** Each row of softmax(yn·ynᵀ/τ) (rows of yn are unit length). */
function softTargets(yn: Float64Array, batch: number, dim: number, temperature: number): Float64Array {
  const p = new Float64Array(batch * batch);
  kernels.gemmNT(yn, 0, dim, yn, 0, dim, p, 0, batch, batch, batch, dim, false);
  for (let i = 0; i < batch; i++) {
    const row = i * batch;
    let max = -Infinity;
    for (let k = 0; k < batch; k++) max = Math.max(max, (p[row + k]! /= temperature));
    let sum = 0;
    for (let k = 0; k < batch; k++) sum += p[row + k] = Math.exp(p[row + k]! - max);
    for (let k = 0; k < batch; k++) p[row + k]! /= sum;
  }
  return p;
}

/** A·B (`rows × cols`) of row-major A (`rows × inner`), given Bᵀ (`cols × inner`). */
function product(a: Float64Array, bT: Float64Array, rows: number, cols: number, inner: number): Float64Array {
  const out = new Float64Array(rows * cols);
  kernels.gemmNT(a, 0, inner, bT, 0, inner, out, 0, cols, rows, cols, inner, false);
  return out;
}

function unitRows(values: ArrayLike<number>, dim: number, out: Float64Array): Float64Array {
  const rows = values.length / dim;
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += values[i * dim + j]! ** 2;
    const norm = Math.sqrt(ss);
    norms[i] = norm;
    const scale = norm > 0 ? 1 / norm : 0;
    for (let j = 0; j < dim; j++) out[i * dim + j] = values[i * dim + j]! * scale;
  }
  return norms;
}

/** d(u/|u|)ᵀg = (g − û(û·g))/|u| for each row. */
function throughNormalize(unit: Float64Array, norms: Float64Array, grad: Float64Array, dim: number, out: Float64Array): void {
  for (let i = 0; i < norms.length; i++) {
    const norm = norms[i]!;
    if (norm === 0) continue;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += unit[i * dim + j]! * grad[i * dim + j]!;
    for (let j = 0; j < dim; j++) out[i * dim + j] = (grad[i * dim + j]! - unit[i * dim + j]! * dot) / norm;
  }
}

function checkMatrix(name: string, values: ArrayLike<number>, width: number): number {
  if (!Number.isInteger(width) || width <= 0 || values.length % width !== 0) {
    throw new InvalidInputError(`${name}: ${values.length} values do not form rows of ${width}`);
  }
  return values.length / width;
}
