/**
 * The trainable pooling layer of model2vec.train (`train/base.py`, `_encode`): per-token
 * logit weights w over an embedding table,
 *
 *   h = Σₜ σ(w[idₜ])·E[mapping[idₜ]] / n,   then h/‖h‖ when `normalize`,
 *
 * or with `weighting` "linear" (tokenlearn v0.2) w[idₜ] in place of σ(w[idₜ]),
 *
 * where the sum and n skip the pad id (whose w is −10000, as in Python). The
 * forward pass caches what backward needs; backward accumulates gradients into
 * the touched rows of the table and the touched entries of w.
 */
import { InvalidInputError } from "../errors.js";
import { type FloatArray, Parameter } from "./optimizer.js";

/** What a {@link PooledEncoder} is made of. The arrays are used in place (not copied). */
export interface PooledEncoderInit {
  /** The embedding table, rows × dim. */
  table: FloatArray;
  dim: number;
  /** Per-token logits, one per token id. */
  logits: FloatArray;
  /** Token id → table row; null for the identity. */
  mapping?: Int32Array | null;
  /** The id skipped in the sum and the count; null for none. */
  padId?: number | null;
  normalize?: boolean;
  /** How a token's parameter w scales its row: σ(w) (model2vec.train, default) or w itself ("linear", tokenlearn v0.2). */
  weighting?: "sigmoid" | "linear";
}

/** F.normalize's epsilon: norms are clamped to at least this. */
const NORM_EPS = 1e-12;

export class PooledEncoder {
  /** The embedding table, tracked per row. */
  readonly table: Parameter;
  /** The per-token logits w, tracked per id. */
  readonly logits: Parameter;
  readonly dim: number;
  readonly rows: number;
  readonly mapping: Int32Array | null;
  readonly padId: number | null;
  normalize: boolean;
  readonly weighting: "sigmoid" | "linear";
  #ids: readonly Int32Array[] = [];
  /** Unnormalised means of the last forward, batch × dim. */
  #mean = new Float64Array(0);
  #norms = new Float64Array(0);
  #counts = new Int32Array(0);
  readonly #scratch: Float64Array;

  constructor(init: PooledEncoderInit) {
    const { table, dim, logits } = init;
    if (!Number.isInteger(dim) || dim <= 0 || table.length % dim !== 0) {
      throw new InvalidInputError(`PooledEncoder: a table of ${table.length} values has no rows of ${dim}`);
    }
    this.dim = dim;
    this.rows = table.length / dim;
    this.mapping = init.mapping ?? null;
    const vocab = logits.length;
    if (this.mapping === null && vocab !== this.rows) {
      throw new InvalidInputError(`PooledEncoder: ${vocab} token logits for ${this.rows} rows and no mapping`);
    }
    if (this.mapping !== null) {
      if (this.mapping.length !== vocab) throw new InvalidInputError(`PooledEncoder: mapping has ${this.mapping.length} entries for ${vocab} tokens`);
      for (let i = 0; i < vocab; i++) {
        const row = this.mapping[i]!;
        if (row < 0 || row >= this.rows) throw new InvalidInputError(`PooledEncoder: mapping[${i}] = ${row} is outside the ${this.rows} rows`);
      }
    }
    this.padId = init.padId ?? null;
    this.normalize = init.normalize ?? false;
    this.weighting = init.weighting ?? "sigmoid";
    this.table = new Parameter(table, { rowSize: dim, sparse: true });
    this.logits = new Parameter(logits, { rowSize: 1, sparse: true });
    this.#scratch = new Float64Array(dim);
  }

  /** Number of token ids. */
  get vocabularySize(): number {
    return this.logits.value.length;
  }

  /**
   * Pools each id sequence to one row. With `train`, keeps what {@link backward} needs.
   *
   * @returns batch × dim values, of the table's float type.
   */
  forward(batch: readonly Int32Array[], options: { train?: boolean } = {}): FloatArray {
    const { dim, mapping, padId } = this;
    const table = this.table.value;
    const w = this.logits.value;
    const vocab = w.length;
    const n = batch.length;
    const out = table instanceof Float64Array ? new Float64Array(n * dim) : new Float32Array(n * dim);
    const train = options.train ?? false;
    if (train) {
      if (this.#mean.length < n * dim) this.#mean = new Float64Array(n * dim);
      if (this.#norms.length < n) {
        this.#norms = new Float64Array(n);
        this.#counts = new Int32Array(n);
      }
      this.#ids = batch;
    }
    const acc = this.#scratch;
    const sigmoid = this.weighting === "sigmoid";
    for (let i = 0; i < n; i++) {
      const ids = batch[i]!;
      acc.fill(0);
      let count = 0;
      for (let t = 0; t < ids.length; t++) {
        const id = ids[t]!;
        if (id === padId) continue;
        if (!(id >= 0 && id < vocab)) throw new InvalidInputError(`PooledEncoder: token id ${id} of row ${i} is outside the vocabulary of ${vocab}`);
        count++;
        const s = sigmoid ? 1 / (1 + Math.exp(-w[id]!)) : w[id]!;
        const base = (mapping === null ? id : mapping[id]!) * dim;
        for (let j = 0; j < dim; j++) acc[j]! += s * table[base + j]!;
      }
      let ss = 0;
      // Divided (not multiplied by 1/count) to round exactly as StaticModel.encode does.
      const divisor = count > 0 ? count : 1;
      for (let j = 0; j < dim; j++) {
        const m = acc[j]! / divisor;
        acc[j] = m;
        ss += m * m;
      }
      const norm = Math.sqrt(ss);
      const scale = this.normalize ? 1 / Math.max(norm, NORM_EPS) : 1;
      const o = i * dim;
      for (let j = 0; j < dim; j++) out[o + j] = acc[j]! * scale;
      if (train) {
        this.#mean.set(acc, o);
        this.#norms[i] = norm;
        this.#counts[i] = count;
      }
    }
    return out;
  }

  /**
   * Accumulates the gradients of the last training forward from dL/dh (batch × dim)
   * into `table.grad` (rows used in the batch) and `logits.grad` (ids in the batch).
   */
  backward(gradOut: ArrayLike<number>): void {
    const { dim, mapping, padId } = this;
    const batch = this.#ids;
    if (gradOut.length !== batch.length * dim) {
      throw new InvalidInputError(`PooledEncoder.backward: ${gradOut.length} gradient values for ${batch.length} rows of ${dim}`);
    }
    const table = this.table.value;
    const tableGrad = this.table.grad;
    const tableTouched = this.table.touched!;
    const w = this.logits.value;
    const wGrad = this.logits.grad;
    const wTouched = this.logits.touched!;
    const gu = this.#scratch;
    const sigmoid = this.weighting === "sigmoid";
    for (let i = 0; i < batch.length; i++) {
      const count = this.#counts[i]!;
      if (count === 0) continue;
      const o = i * dim;
      if (this.normalize) {
        const norm = this.#norms[i]!;
        if (norm > NORM_EPS) {
          // d(u/‖u‖) = (g − h(h·g))/‖u‖ with h = u/‖u‖.
          let dot = 0;
          for (let j = 0; j < dim; j++) dot += this.#mean[o + j]! * gradOut[o + j]!;
          const c = dot / (norm * norm);
          for (let j = 0; j < dim; j++) gu[j] = (gradOut[o + j]! - this.#mean[o + j]! * c) / norm;
        } else {
          for (let j = 0; j < dim; j++) gu[j] = gradOut[o + j]! / NORM_EPS;
        }
      } else {
        for (let j = 0; j < dim; j++) gu[j] = gradOut[o + j]!;
      }
      const inv = 1 / count;
      const ids = batch[i]!;
      for (let t = 0; t < ids.length; t++) {
        const id = ids[t]!;
        if (id === padId) continue;
        const s = sigmoid ? 1 / (1 + Math.exp(-w[id]!)) : w[id]!;
        const row = mapping === null ? id : mapping[id]!;
        const base = row * dim;
        const coef = s * inv;
        let dot = 0;
        for (let j = 0; j < dim; j++) {
          const g = gu[j]!;
          dot += g * table[base + j]!;
          tableGrad[base + j]! += coef * g;
        }
        wGrad[id]! += dot * (sigmoid ? s * (1 - s) : 1) * inv;
        tableTouched.add(row);
        wTouched.add(id);
      }
    }
  }

  /** The scale of every token id's row (σ(w), or w when linear), as float32. */
  tokenWeights(): Float32Array {
    const w = this.logits.value;
    if (this.weighting === "linear") return Float32Array.from(w);
    const out = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) out[i] = 1 / (1 + Math.exp(-w[i]!));
    return out;
  }
}

/**
 * model2vec's initial logits: logit(weights) when the model has weights (clamped
 * to [1e-6, 1 − 1e-6] so weights outside (0, 1) stay finite), else 0 (σ = 0.5);
 * the pad id gets −10000.
 */
export function initialLogits(vocab: number, weights: ArrayLike<number> | null, padId: number | null): Float32Array {
  const w = new Float32Array(vocab);
  if (weights !== null) {
    for (let i = 0; i < vocab; i++) {
      const p = Math.min(Math.max(weights[i]!, 1e-6), 1 - 1e-6);
      w[i] = Math.log(p / (1 - p));
    }
  }
  if (padId !== null && padId >= 0 && padId < vocab) w[padId] = -10000;
  return w;
}
