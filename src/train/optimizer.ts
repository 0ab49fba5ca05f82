/**
 * Trainable parameters and the Adam / AdamW optimizers of the training loop.
 * Parameters hold their values and gradients in flat Float32Arrays (Float64Arrays
 * in gradient checks); nothing is allocated per step.
 */
import { InvalidInputError } from "../errors.js";

/** The float arrays parameters and activations live in. */
export type FloatArray = Float32Array | Float64Array;

/** Rows marked as touched by a sparse gradient, without duplicates, in first-touch order. */
export class TouchedRows {
  readonly #marks: Uint8Array;
  readonly #list: Int32Array;
  #count = 0;

  constructor(rows: number) {
    this.#marks = new Uint8Array(rows);
    this.#list = new Int32Array(rows);
  }

  add(row: number): void {
    if (this.#marks[row] === 0) {
      this.#marks[row] = 1;
      this.#list[this.#count++] = row;
    }
  }

  get count(): number {
    return this.#count;
  }

  /** The touched rows; a view valid until the next `clear`. */
  rows(): Int32Array {
    return this.#list.subarray(0, this.#count);
  }

  clear(): void {
    for (let k = 0; k < this.#count; k++) this.#marks[this.#list[k]!] = 0;
    this.#count = 0;
  }
}

/** Options of a {@link Parameter}. */
export interface ParameterOptions {
  /** Values per row; gradients are tracked per row when `sparse`. Default: the whole array is one row. */
  rowSize?: number | undefined;
  /**
   * Track which rows receive gradient, so zeroing the gradient and (with
   * `lazy` optimizers) the update only visit those rows. For embedding tables.
   */
  sparse?: boolean | undefined;
}

/** A trainable tensor: its values and the gradient accumulated into `grad`. */
export class Parameter {
  readonly value: FloatArray;
  readonly grad: FloatArray;
  readonly rowSize: number;
  /** The rows that received gradient since the last `zeroGrad`, when sparse. */
  readonly touched: TouchedRows | null;

  constructor(value: FloatArray, options: ParameterOptions = {}) {
    this.value = value;
    this.grad = value instanceof Float64Array ? new Float64Array(value.length) : new Float32Array(value.length);
    this.rowSize = options.rowSize ?? Math.max(1, value.length);
    if (!Number.isInteger(this.rowSize) || this.rowSize <= 0 || value.length % this.rowSize !== 0) {
      throw new InvalidInputError(`Parameter: rowSize ${this.rowSize} does not divide ${value.length} values`);
    }
    this.touched = options.sparse ? new TouchedRows(value.length / this.rowSize) : null;
  }

  /** Sets the gradient to zero (only the touched rows of a sparse parameter). */
  zeroGrad(): void {
    const { touched, grad, rowSize } = this;
    if (touched === null) {
      grad.fill(0);
      return;
    }
    const rows = touched.rows();
    for (let k = 0; k < rows.length; k++) grad.fill(0, rows[k]! * rowSize, (rows[k]! + 1) * rowSize);
    touched.clear();
  }
}

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** Default 1e-3. */
  learningRate?: number | undefined;
  /** Default [0.9, 0.999]. */
  betas?: readonly [number, number] | undefined;
  /** Default 1e-8. */
  eps?: number | undefined;
  /** Adam: L2 penalty added to the gradient (torch `Adam(weight_decay)`), default 0. AdamW: decoupled decay, default 0.01. */
  weightDecay?: number | undefined;
  /**
   * Update sparse parameters lazily: only the rows that received gradient in this
   * step move, and their moments decay only then (as torch's `SparseAdam` and
   * TF's `LazyAdam`). Default false: every row is updated each step, exactly as
   * torch's dense Adam (whose momentum keeps moving rows absent from the batch).
   */
  lazy?: boolean | undefined;
}

/**
 * Adam (Kingma & Ba), with torch's update rule:
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps).
 */
export class Adam {
  learningRate: number;
  readonly params: readonly Parameter[];
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #eps: number;
  readonly #weightDecay: number;
  readonly #decoupled: boolean;
  readonly #lazy: boolean;
  readonly #m: FloatArray[];
  readonly #v: FloatArray[];
  #step = 0;

  constructor(params: readonly Parameter[], options: AdamOptions = {}, decoupled = false) {
    this.params = params;
    this.learningRate = positive(options.learningRate ?? 1e-3, "learningRate");
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new InvalidInputError(`betas must be in [0, 1), got ${beta1}, ${beta2}`);
    this.#beta1 = beta1;
    this.#beta2 = beta2;
    this.#eps = positive(options.eps ?? 1e-8, "eps");
    this.#weightDecay = options.weightDecay ?? (decoupled ? 0.01 : 0);
    if (!(this.#weightDecay >= 0)) throw new InvalidInputError(`weightDecay must be ≥ 0, got ${this.#weightDecay}`);
    this.#decoupled = decoupled;
    this.#lazy = options.lazy ?? false;
    const like = (p: Parameter) => (p.value instanceof Float64Array ? new Float64Array(p.value.length) : new Float32Array(p.value.length));
    this.#m = params.map(like);
    this.#v = params.map(like);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.#step;
  }

  /** Applies one update from the accumulated gradients (it does not zero them). */
  step(): void {
    this.#step++;
    const bc1 = 1 - this.#beta1 ** this.#step;
    const bc2Sqrt = Math.sqrt(1 - this.#beta2 ** this.#step);
    for (let p = 0; p < this.params.length; p++) {
      const param = this.params[p]!;
      const { touched, rowSize } = param;
      if (this.#lazy && touched !== null) {
        const rows = touched.rows();
        for (let k = 0; k < rows.length; k++) this.#update(p, rows[k]! * rowSize, (rows[k]! + 1) * rowSize, bc1, bc2Sqrt);
      } else {
        this.#update(p, 0, param.value.length, bc1, bc2Sqrt);
      }
    }
  }

  /** Zeroes every parameter's gradient. */
  zeroGrad(): void {
    for (const param of this.params) param.zeroGrad();
  }

  #update(p: number, start: number, end: number, bc1: number, bc2Sqrt: number): void {
    const { value, grad } = this.params[p]!;
    const m = this.#m[p]!;
    const v = this.#v[p]!;
    const beta1 = this.#beta1;
    const beta2 = this.#beta2;
    const eps = this.#eps;
    const stepSize = this.learningRate / bc1;
    const decay = this.#weightDecay;
    const l2 = this.#decoupled ? 0 : decay;
    const shrink = this.#decoupled ? 1 - this.learningRate * decay : 1;
    for (let i = start; i < end; i++) {
      const g = grad[i]! + l2 * value[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      value[i] = value[i]! * shrink - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }
}

/** AdamW (Loshchilov & Hutter): Adam with decoupled weight decay p ← p·(1 − lr·λ), torch's default λ = 0.01. */
export class AdamW extends Adam {
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(params, options, true);
  }
}

/** Options of {@link ReduceLROnPlateau}; defaults are model2vec's training settings. */
export interface PlateauOptions {
  /** Default 0.5. */
  factor?: number | undefined;
  /** Epochs without improvement tolerated before reducing; default 3. */
  patience?: number | undefined;
  /** Relative improvement needed; default 0.03. */
  threshold?: number | undefined;
  /** Default 1e-6. */
  minLr?: number | undefined;
}

/** torch's `ReduceLROnPlateau(mode="min", threshold_mode="rel", cooldown=0)`. */
export class ReduceLROnPlateau {
  readonly #optimizer: Adam;
  readonly #factor: number;
  readonly #patience: number;
  readonly #threshold: number;
  readonly #minLr: number;
  #best = Infinity;
  #bad = 0;

  constructor(optimizer: Adam, options: PlateauOptions = {}) {
    this.#optimizer = optimizer;
    this.#factor = options.factor ?? 0.5;
    this.#patience = options.patience ?? 3;
    this.#threshold = options.threshold ?? 0.03;
    this.#minLr = options.minLr ?? 1e-6;
  }

  /** Records an epoch's monitored value (lower is better). */
  step(value: number): void {
    if (value < this.#best * (1 - this.#threshold)) {
      this.#best = value;
      this.#bad = 0;
    } else {
      this.#bad++;
    }
    if (this.#bad > this.#patience) {
      const old = this.#optimizer.learningRate;
      const next = Math.max(old * this.#factor, this.#minLr);
      if (old - next > 1e-8) this.#optimizer.learningRate = next;
      this.#bad = 0;
    }
  }
}

function positive(value: number, name: string): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) throw new InvalidInputError(`${name} must be a positive number, got ${value}`);
  return value;
}
