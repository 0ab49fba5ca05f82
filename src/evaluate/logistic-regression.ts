/**
 * L2-regularised logistic regression as scikit-learn's default
 * `LogisticRegression()` (`penalty="l2"`, `C=1.0`, `solver="lbfgs"`,
 * `tol=1e-4`, `max_iter=100`, `fit_intercept=True`, `multi_class="auto"`), the
 * classifier of MTEB's `logRegClassificationEvaluator`
 * (`mteb/evaluation/evaluators/ClassificationEvaluator.py`, mteb 1.14:
 * `LogisticRegression(random_state=seed, n_jobs=-1, max_iter=100)` fitted on the
 * undersampled training embeddings; lbfgs uses no randomness).
 *
 * Model (`sklearn/linear_model/_logistic.py`, `_check_multi_class`):
 * - more than two classes: multinomial (softmax) with one weight row and one
 *   intercept per class, loss_i = logsumexp(z_i) − z_i[y_i] (`HalfMultinomialLoss`);
 * - two classes: "auto" means the binomial model, ONE weight row for the second
 *   class (`classes[1]`), loss_i = log(1 + e^{z_i}) − y_i·z_i (`HalfBinomialLoss`).
 *   This is not the 2-class softmax: with the L2 penalty on both rows the softmax
 *   would reach a different optimum.
 *
 * Objective: C·Σ_i loss_i + ½‖W‖²_F, the intercepts unpenalised. scikit-learn ≥ 1.4
 * (PR #26721, the releases current with mteb 1.14) hands L-BFGS-B the same
 * objective divided by C·n, i.e. (1/n)·Σ loss_i + (1/(2Cn))‖W‖², with
 * `gtol=tol`, `maxls=50`, `ftol=64·eps`; releases before 1.4 minimised
 * Σ loss_i + (1/(2C))‖W‖² with scipy's defaults (`maxls=20`, `ftol=2.22e-9`).
 * The minimiser is the same; the scaling decides where the solver stops (the
 * `preset` option picks one). Features are used in float64, as scikit-learn
 * converts them for lbfgs.
 *
 * Solver: the port of scipy's unbounded L-BFGS-B in ../linalg/lbfgs.ts, from a
 * zero start with 10 correction pairs, as scikit-learn calls it.
 */
import { type Objective, lbfgsb } from "../linalg/lbfgs.js";
import { type Label, sortLabels } from "./metrics/labels.js";

/** Fitting options; defaults are scikit-learn's. */
export interface LogisticRegressionOptions {
  /** Maximum L-BFGS-B iterations (line searches), scikit-learn's `max_iter`; default 100. */
  maxIter?: number | undefined;
  /** Inverse regularisation strength `C`; default 1.0. */
  c?: number | undefined;
  /** Stop when max|∂f/∂θ| of the scaled objective ≤ tol (`tol`, scipy's `gtol`); default 1e-4. */
  tol?: number | undefined;
  /**
   * Which scikit-learn's objective scaling and L-BFGS-B settings to follow:
   * `"sklearn>=1.4"` (default; mean loss, `maxls=50`, `ftol=64·eps`) or
   * `"sklearn<1.4"` (summed loss, `maxls=20`, `ftol=2.22e-9`).
   */
  preset?: "sklearn>=1.4" | "sklearn<1.4" | undefined;
}

/** A fitted classifier. Inputs to its methods are row-major `rows × dim` matrices. */
export interface LogisticRegressionModel<L extends Label = Label> {
  /** The classes in `numpy.unique` order (scikit-learn's `classes_`); probability columns follow it. */
  readonly classes: readonly L[];
  readonly dim: number;
  /** scikit-learn's `coef_`, row-major: 1 × dim for two classes (weights of `classes[1]`), else classes × dim. */
  readonly coef: Float64Array;
  /** scikit-learn's `intercept_`: 1 value for two classes, else one per class. */
  readonly intercept: Float64Array;
  /** L-BFGS-B iterations run (scikit-learn's `n_iter_`). */
  readonly nIter: number;
  /** False when stopped by `maxIter` or a failed line search (scikit-learn would warn: ConvergenceWarning). */
  readonly converged: boolean;
  /** `decision_function`: rows × coef rows (rows × 1 for two classes). */
  decisionFunction(x: ArrayLike<number>, rows: number): Float64Array;
  /** `predict`: argmax of the decision (first maximum), or `classes[1]` when the binary decision is > 0. */
  predict(x: ArrayLike<number>, rows: number): L[];
  /** `predict_proba`: rows × classes; softmax of the decisions, or [1 − σ(z), σ(z)] for two classes. */
  predictProba(x: ArrayLike<number>, rows: number): Float64Array;
}

/**
 * Fits the model on `rows` training rows of `dim` features (row-major in `x`)
 * with their labels (strings or numbers, at least two distinct).
 */
export function fitLogisticRegression<L extends Label>(
  x: ArrayLike<number>,
  rows: number,
  dim: number,
  labels: ArrayLike<L>,
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel<L> {
  const maxIter = options.maxIter ?? 100;
  const c = options.c ?? 1.0;
  const tol = options.tol ?? 1e-4;
  const legacy = options.preset === "sklearn<1.4";
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(dim) || dim < 1) throw new RangeError(`fitLogisticRegression: bad shape ${rows} × ${dim}`);
  if (x.length !== rows * dim) throw new RangeError(`fitLogisticRegression: ${x.length} values for ${rows} × ${dim}`);
  if (labels.length !== rows) throw new RangeError(`fitLogisticRegression: ${labels.length} labels for ${rows} rows`);
  if (!(c > 0)) throw new RangeError(`fitLogisticRegression: C must be positive, got ${c}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError(`fitLogisticRegression: maxIter must be a non-negative integer, got ${maxIter}`);
  const classes = sortLabels(Array.from(labels));
  if (classes.length < 2) throw new RangeError(`fitLogisticRegression: needs samples of at least 2 classes, got ${classes.length}`);
  const index = new Map<Label, number>(classes.map((label, i) => [label, i]));
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) y[i] = index.get(labels[i]!)!;
  const features = x instanceof Float64Array ? x : Float64Array.from(x);
  for (let i = 0; i < features.length; i++) if (!Number.isFinite(features[i]!)) throw new RangeError("fitLogisticRegression: non-finite feature");

  const binary = classes.length === 2;
  const k = binary ? 1 : classes.length;
  // Parameter layout as scikit-learn's raveled `w0` (order "F"): θ[j·k + class] for feature j, then k intercepts.
  const lossScale = legacy ? 1 : 1 / rows;
  const l2 = legacy ? 1 / c : 1 / (c * rows);
  const objective = binary ? binomialObjective(features, y, rows, dim, lossScale, l2) : multinomialObjective(features, y, rows, dim, k, lossScale, l2);
  const result = lbfgsb(objective, new Float64Array(k * (dim + 1)), {
    maxIter,
    pgtol: tol,
    ftol: legacy ? 2.220446049250313e-9 : 64 * Number.EPSILON,
    maxls: legacy ? 20 : 50,
  });
  const theta = result.x;
  const coef = new Float64Array(k * dim);
  const intercept = new Float64Array(k);
  for (let cls = 0; cls < k; cls++) {
    for (let j = 0; j < dim; j++) coef[cls * dim + j] = theta[j * k + cls]!;
    intercept[cls] = theta[dim * k + cls]!;
  }
  return new FittedLogisticRegression(classes, dim, coef, intercept, result.nIter, result.converged);
}

class FittedLogisticRegression<L extends Label> implements LogisticRegressionModel<L> {
  constructor(
    readonly classes: readonly L[],
    readonly dim: number,
    readonly coef: Float64Array,
    readonly intercept: Float64Array,
    readonly nIter: number,
    readonly converged: boolean,
  ) {}

  decisionFunction(x: ArrayLike<number>, rows: number): Float64Array {
    const { dim, coef, intercept } = this;
    if (x.length !== rows * dim) throw new RangeError(`decisionFunction: ${x.length} values for ${rows} × ${dim}`);
    const k = intercept.length;
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) {
      const offset = i * dim;
      for (let cls = 0; cls < k; cls++) {
        const w = cls * dim;
        let z = 0;
        for (let j = 0; j < dim; j++) z += x[offset + j]! * coef[w + j]!;
        out[i * k + cls] = z + intercept[cls]!;
      }
    }
    return out;
  }

  predict(x: ArrayLike<number>, rows: number): L[] {
    const decision = this.decisionFunction(x, rows);
    const k = this.intercept.length;
    const out = new Array<L>(rows);
    for (let i = 0; i < rows; i++) {
      if (k === 1) {
        out[i] = this.classes[decision[i]! > 0 ? 1 : 0]!;
        continue;
      }
      let best = 0;
      for (let cls = 1; cls < k; cls++) if (decision[i * k + cls]! > decision[i * k + best]!) best = cls;
      out[i] = this.classes[best]!;
    }
    return out;
  }

  predictProba(x: ArrayLike<number>, rows: number): Float64Array {
    const decision = this.decisionFunction(x, rows);
    const k = this.intercept.length;
    const nClasses = this.classes.length;
    const out = new Float64Array(rows * nClasses);
    for (let i = 0; i < rows; i++) {
      if (k === 1) {
        const p = expit(decision[i]!);
        out[i * 2] = 1 - p;
        out[i * 2 + 1] = p;
        continue;
      }
      let max = -Infinity;
      for (let cls = 0; cls < k; cls++) max = Math.max(max, decision[i * k + cls]!);
      let sum = 0;
      for (let cls = 0; cls < k; cls++) {
        const e = Math.exp(decision[i * k + cls]! - max);
        out[i * k + cls] = e;
        sum += e;
      }
      for (let cls = 0; cls < k; cls++) out[i * k + cls]! /= sum;
    }
    return out;
  }
}

function expit(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * (lossScale)·Σ_i [logsumexp(z_i) − z_i[y_i]] + (l2/2)‖W‖², z_i = W x_i + b, and its
 * gradient; `raw` is the one per-row buffer, reused.
 */
function multinomialObjective(x: Float64Array, y: Int32Array, rows: number, dim: number, k: number, lossScale: number, l2: number): Objective {
  const raw = new Float64Array(k);
  return (theta, grad) => {
    grad.fill(0);
    const bias = dim * k;
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const offset = i * dim;
      for (let cls = 0; cls < k; cls++) raw[cls] = theta[bias + cls]!;
      for (let j = 0; j < dim; j++) {
        const xv = x[offset + j]!;
        if (xv === 0) continue;
        const w = j * k;
        for (let cls = 0; cls < k; cls++) raw[cls]! += xv * theta[w + cls]!;
      }
      let max = -Infinity;
      for (let cls = 0; cls < k; cls++) if (raw[cls]! > max) max = raw[cls]!;
      const label = y[i]!;
      const zy = raw[label]!;
      let sum = 0;
      for (let cls = 0; cls < k; cls++) {
        const e = Math.exp(raw[cls]! - max);
        raw[cls] = e;
        sum += e;
      }
      // loss_i = logsumexp(z) − z_y = log Σ exp(z − max) + max − z_y (scikit-learn's closs_half_multinomial).
      loss += Math.log(sum) + max - zy;
      // Residuals p − onehot(y), scaled.
      for (let cls = 0; cls < k; cls++) raw[cls] = (raw[cls]! / sum - (cls === label ? 1 : 0)) * lossScale;
      for (let cls = 0; cls < k; cls++) grad[bias + cls]! += raw[cls]!;
      for (let j = 0; j < dim; j++) {
        const xv = x[offset + j]!;
        if (xv === 0) continue;
        const w = j * k;
        for (let cls = 0; cls < k; cls++) grad[w + cls]! += xv * raw[cls]!;
      }
    }
    let norm = 0;
    for (let p = 0; p < bias; p++) {
      const v = theta[p]!;
      norm += v * v;
      grad[p]! += l2 * v;
    }
    return loss * lossScale + 0.5 * l2 * norm;
  };
}

/** (lossScale)·Σ_i [log(1 + e^{z_i}) − y_i z_i] + (l2/2)‖w‖², z_i = w·x_i + b, y_i ∈ {0, 1}. */
function binomialObjective(x: Float64Array, y: Int32Array, rows: number, dim: number, lossScale: number, l2: number): Objective {
  return (theta, grad) => {
    grad.fill(0);
    const b = theta[dim]!;
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const offset = i * dim;
      let z = b;
      for (let j = 0; j < dim; j++) z += x[offset + j]! * theta[j]!;
      const target = y[i]!;
      loss += halfBinomialLoss(target, z);
      const residual = halfBinomialGradient(target, z) * lossScale;
      grad[dim]! += residual;
      for (let j = 0; j < dim; j++) grad[j]! += x[offset + j]! * residual;
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = theta[j]!;
      norm += v * v;
      grad[j]! += l2 * v;
    }
    return loss * lossScale + 0.5 * l2 * norm;
  };
}

/** log(1 + e^x) without overflow, with scikit-learn's `log1pexp` branches. */
function log1pexp(v: number): number {
  if (v <= -37) return Math.exp(v);
  if (v <= -2) return Math.log1p(Math.exp(v));
  if (v <= 18) return Math.log(1 + Math.exp(v));
  if (v <= 33.3) return v + Math.exp(-v);
  return v;
}

/** scikit-learn's `closs_half_binomial`. */
function halfBinomialLoss(target: number, raw: number): number {
  return raw <= 0 ? log1pexp(raw) - target * raw : log1pexp(-raw) + (1 - target) * raw;
}

/** scikit-learn's `cgradient_half_binomial`: σ(raw) − y. */
function halfBinomialGradient(target: number, raw: number): number {
  if (raw > -37) {
    const e = Math.exp(-raw);
    return (1 - target - target * e) / (1 + e);
  }
  return Math.exp(raw) - target;
}
