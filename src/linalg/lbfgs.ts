/**
 * L-BFGS-B for the unbounded case, after scipy's L-BFGS-B 3.0 `mainlb` /
 * `lnsrlb` (Byrd, Lu, Nocedal & Zhu; `scipy/optimize/_lbfgsb_py.py`,
 * `fmin_l_bfgs_b`): `m` correction pairs, the first step
 * 1/‖g‖ along −g, the Moré–Thuente line search (./line-search.ts; ftol 1e-3,
 * gtol 0.9, xtol 0.1), pairs skipped when sᵀy ≤ eps·(−gᵀd·stp), memory reset
 * after a failed line search, and scipy's stops: `maxIter` line searches,
 * max|g| ≤ pgtol, or a relative decrease of f ≤ ftol. With no bounds,
 * L-BFGS-B's Cauchy point + subspace step is the two-loop L-BFGS direction
 * (H₀ = sᵀy/yᵀy), which is what is computed here; iterates agree with scipy's
 * to rounding (dot-product order differs from BLAS). Deterministic.
 */
import { LineSearch } from "./line-search.js";

/** Writes the gradient into `grad` and returns the objective at `theta`. */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

/** Stopping rules and memory, named as scipy's `fmin_l_bfgs_b` names them. */
export interface LbfgsOptions {
  /** Maximum iterations (accepted line searches). */
  maxIter: number;
  /** Stop when max|g| ≤ pgtol. */
  pgtol: number;
  /** Stop when the relative decrease of f is ≤ ftol (scipy's `ftol` = factr·epsmch). */
  ftol: number;
  /** Maximum function evaluations per line search. */
  maxls: number;
  /** Correction pairs kept (scipy's `maxcor`); default 10. */
  m?: number;
  /** Stop after this many function evaluations (scipy's `maxfun`); default 15000. */
  maxfun?: number;
}

/** Where the solver stopped. */
export interface LbfgsResult {
  /** The minimiser found: the `x0` array, overwritten. */
  x: Float64Array;
  /** The objective at `x`. */
  f: number;
  /** Iterations run. */
  nIter: number;
  /** False when stopped by `maxIter`, `maxfun`, or a line search that failed with no corrections stored. */
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
