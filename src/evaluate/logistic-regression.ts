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
 * Solver: an in-house port of L-BFGS-B (Byrd, Lu, Nocedal & Zhu; v3.0 as in
 * scipy's `fmin_l_bfgs_b`) for the unbounded case: zero start, 10 correction
 * pairs, the first step 1/‖g‖ along −g, the Moré–Thuente line search `dcsrch`
 * (ftol 1e-3, gtol 0.9, xtol 0.1), pairs skipped when sᵀy ≤ eps·(−gᵀd·stp),
 * memory reset after a failed line search, and scipy's stops: `max_iter` line
 * searches, max|g| ≤ tol, or a relative decrease of f ≤ ftol. With no bounds,
 * L-BFGS-B's Cauchy point + subspace step is the two-loop L-BFGS direction
 * (H₀ = sᵀy/yᵀy), which is what is computed here; results agree with scipy's
 * iterates to rounding (dot-product order differs from BLAS). Deterministic.
 */
import { type Label, sortLabels } from "./metrics.js";

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

/** Writes the gradient into `grad` and returns the objective at `theta`. */
type Objective = (theta: Float64Array, grad: Float64Array) => number;

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

// ---------------------------------------------------------------------------
// L-BFGS-B (unbounded), after scipy's L-BFGS-B 3.0 `mainlb` / `lnsrlb` / `dcsrch`
// ---------------------------------------------------------------------------

interface LbfgsOptions {
  maxIter: number;
  pgtol: number;
  /** scipy's `ftol` = factr·epsmch. */
  ftol: number;
  maxls: number;
  /** Correction pairs kept (scipy's `maxcor`). */
  m?: number;
  /** scipy's `maxfun`. */
  maxfun?: number;
}

interface LbfgsResult {
  x: Float64Array;
  f: number;
  nIter: number;
  converged: boolean;
}

/** Minimises `fg` from `x0` (overwritten) as scipy's L-BFGS-B does with no bounds. */
export function lbfgsb(fg: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const { maxIter, pgtol, ftol, maxls } = options;
  const m = options.m ?? 10;
  const maxfun = options.maxfun ?? 15000;
  const n = x0.length;
  const x = x0;
  const g = new Float64Array(n);
  let f = fg(x, g);
  let nfev = 1;
  const done = (converged: boolean, nIter: number): LbfgsResult => ({ x, f, nIter, converged });
  if (maxAbs(g) <= pgtol) return done(true, 0);
  if (maxIter === 0) return done(false, 0);

  const sMem = Array.from({ length: m }, () => new Float64Array(n));
  const yMem = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let col = 0;
  let head = 0;
  let theta = 1;
  const d = new Float64Array(n);
  const t = new Float64Array(n);
  const r = new Float64Array(n);
  let iter = 0;

  for (;;) {
    // Search direction d = −H g (two-loop recursion, H₀ = I/θ); −g with no corrections.
    if (col === 0) {
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
    } else {
      d.set(g);
      for (let c = col - 1; c >= 0; c--) {
        const slot = (head + c) % m;
        const a = rho[slot]! * dot(sMem[slot]!, d);
        alpha[slot] = a;
        axpy(-a, yMem[slot]!, d);
      }
      for (let i = 0; i < n; i++) d[i]! /= theta;
      for (let c = 0; c < col; c++) {
        const slot = (head + c) % m;
        const beta = rho[slot]! * dot(yMem[slot]!, d);
        axpy(alpha[slot]! - beta, sMem[slot]!, d);
      }
      for (let i = 0; i < n; i++) d[i] = -d[i]!;
    }

    // Line search (lnsrlb + dcsrch).
    t.set(x);
    r.set(g);
    const fold = f;
    const dnorm = Math.sqrt(dot(d, d));
    const stpmx = 1e10;
    let stp = iter === 0 ? Math.min(1 / dnorm, stpmx) : 1;
    let gd = dot(g, d);
    const gdold = gd;
    let failed = gd >= 0;
    if (!failed) {
      const search = new LineSearch(f, gd, stp, 1e-3, 0.9, 0.1, 0, stpmx);
      let ifun = 0;
      for (;;) {
        // The first request is the initial trial step itself.
        if (ifun > 0) {
          const task = search.step(f, gd);
          stp = search.stp;
          if (task !== "FG") break;
        }
        ifun++;
        if (ifun - 1 >= maxls) {
          failed = true;
          break;
        }
        for (let i = 0; i < n; i++) x[i] = t[i]! + stp * d[i]!;
        f = fg(x, g);
        nfev++;
        gd = dot(g, d);
      }
    }
    if (failed) {
      x.set(t);
      g.set(r);
      f = fold;
      if (col === 0) return done(false, iter);
      col = 0;
      head = 0;
      theta = 1;
      continue;
    }

    iter++;
    const sbgnrm = maxAbs(g);
    // scipy's driver stops on max_iter / maxfun before L-BFGS-B's own tests run.
    if (iter >= maxIter || nfev > maxfun) return done(false, iter);
    if (sbgnrm <= pgtol) return done(true, iter);
    if (fold - f <= ftol * Math.max(Math.abs(fold), Math.abs(f), 1)) return done(true, iter);

    // Correction pair s = x − t = stp·d, y = g − r; skipped unless sᵀy > eps·(−gdold·stp).
    const dr = (gd - gdold) * stp;
    const ddum = -gdold * stp;
    if (dr > Number.EPSILON * ddum) {
      const slot = (head + col) % m;
      const s = sMem[slot]!;
      const yv = yMem[slot]!;
      let rr = 0;
      for (let i = 0; i < n; i++) {
        s[i] = stp * d[i]!;
        const diff = g[i]! - r[i]!;
        yv[i] = diff;
        rr += diff * diff;
      }
      rho[slot] = 1 / dr;
      theta = rr / dr;
      if (col < m) col++;
      else head = (head + 1) % m;
    }
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(v: Float64Array): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > max) max = a;
  }
  return max;
}

/**
 * MINPACK-2's `dcsrch` (Moré & Thuente), as L-BFGS-B calls it: finds a step
 * satisfying f(stp) ≤ f(0) + ftol·stp·f'(0) and |f'(stp)| ≤ gtol·|f'(0)|.
 * Construct with f(0), f'(0) and the first trial step (the "START" call), then
 * feed f, f' at each requested `stp` to `step()` until it stops asking ("FG").
 */
class LineSearch {
  stp: number;
  private brackt = false;
  private stage = 1;
  private readonly finit: number;
  private readonly ginit: number;
  private readonly gtest: number;
  private width: number;
  private width1: number;
  private stx = 0;
  private fx: number;
  private gx: number;
  private sty = 0;
  private fy: number;
  private gy: number;
  private stmin: number;
  private stmax: number;

  constructor(
    f: number,
    g: number,
    stp: number,
    private readonly ftol: number,
    private readonly gtol: number,
    private readonly xtol: number,
    private readonly stpmin: number,
    private readonly stpmax: number,
  ) {
    this.stp = stp;
    this.finit = f;
    this.ginit = g;
    this.gtest = ftol * g;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.fx = f;
    this.gx = g;
    this.fy = f;
    this.gy = g;
    this.stmin = 0;
    this.stmax = stp + 4 * stp;
  }

  /** Returns "FG" when f and f' are wanted at the new `stp`, else "CONVERGENCE" or "WARNING" (step accepted). */
  step(f: number, g: number): "FG" | "CONVERGENCE" | "WARNING" {
    const { stp, gtest } = this;
    const ftest = this.finit + stp * gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;
    let warning = false;
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) warning = true;
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) warning = true;
    if (stp === this.stpmax && f <= ftest && g <= gtest) warning = true;
    if (stp === this.stpmin && (f > ftest || g >= gtest)) warning = true;
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) return "CONVERGENCE";
    if (warning) return "WARNING";

    if (this.stage === 1 && f <= this.fx && f > ftest) {
      // Modified function ψ(stp) = f(stp) − f(0) − ftol·stp·f'(0) while in stage 1.
      const state = {
        stx: this.stx,
        fx: this.fx - this.stx * gtest,
        dx: this.gx - gtest,
        sty: this.sty,
        fy: this.fy - this.sty * gtest,
        dy: this.gy - gtest,
        stp,
        brackt: this.brackt,
      };
      dcstep(state, f - stp * gtest, g - gtest, this.stmin, this.stmax);
      this.stx = state.stx;
      this.sty = state.sty;
      this.brackt = state.brackt;
      this.fx = state.fx + state.stx * gtest;
      this.fy = state.fy + state.sty * gtest;
      this.gx = state.dx + gtest;
      this.gy = state.dy + gtest;
      this.stp = state.stp;
    } else {
      const state = { stx: this.stx, fx: this.fx, dx: this.gx, sty: this.sty, fy: this.fy, dy: this.gy, stp, brackt: this.brackt };
      dcstep(state, f, g, this.stmin, this.stmax);
      this.stx = state.stx;
      this.fx = state.fx;
      this.gx = state.dx;
      this.sty = state.sty;
      this.fy = state.fy;
      this.gy = state.dy;
      this.brackt = state.brackt;
      this.stp = state.stp;
    }

    // Force a sufficient decrease in the interval of uncertainty.
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) this.stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
    }
    if (this.brackt) {
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = this.stp + 1.1 * (this.stp - this.stx);
      this.stmax = this.stp + 4 * (this.stp - this.stx);
    }
    this.stp = Math.min(Math.max(this.stp, this.stpmin), this.stpmax);
    if ((this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)) {
      this.stp = this.stx;
    }
    return "FG";
  }
}

interface StepState {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  stp: number;
  brackt: boolean;
}

/** MINPACK-2's `dcstep`: safeguarded cubic/quadratic step and interval update. */
function dcstep(s: StepState, fp: number, dp: number, stpmin: number, stpmax: number): void {
  const { stx, fx, dx, sty, fy, dy, stp } = s;
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt((theta / sc) ** 2 - (dx / sc) * (dp / sc));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const rr = p / q;
    const stpc = stx + rr * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    s.brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt((theta / sc) ** 2 - (dx / sc) * (dp / sc));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const rr = p / q;
    const stpc = stp + rr * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    s.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) ** 2 - (dx / sc) * (dp / sc)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const rr = p / q;
    let stpc: number;
    if (rr < 0 && gamma !== 0) stpc = stp + rr * (stx - stp);
    else if (stp > stx) stpc = stpmax;
    else stpc = stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (s.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpmin, Math.min(stpmax, stpf));
    }
  } else if (s.brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = sc * Math.sqrt((theta / sc) ** 2 - (dy / sc) * (dp / sc));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dy;
    const rr = p / q;
    stpf = stp + rr * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }

  // Update the interval which contains a minimiser.
  if (fp > fx) {
    s.sty = stp;
    s.fy = fp;
    s.dy = dp;
  } else {
    if (sgnd < 0) {
      s.sty = stx;
      s.fy = fx;
      s.dy = dx;
    }
    s.stx = stp;
    s.fx = fp;
    s.dx = dp;
  }
  s.stp = stpf;
}
