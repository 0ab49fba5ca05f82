/**
 * MINPACK-2's `dcsrch` (Moré & Thuente), ported from the copy in scipy's
 * L-BFGS-B 3.0 (`scipy/optimize/lbfgsb_src/lbfgsb.f`), as L-BFGS-B calls it: finds a step
 * satisfying f(stp) ≤ f(0) + ftol·stp·f'(0) and |f'(stp)| ≤ gtol·|f'(0)|.
 * Construct with f(0), f'(0) and the first trial step (the "START" call), then
 * feed f, f' at each requested `stp` to `step()` until it stops asking ("FG").
 */
export class LineSearch {
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
