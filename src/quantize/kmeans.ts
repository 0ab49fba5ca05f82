/**
 * Seeded k-means (Lloyd's algorithm) over a row-major float32 matrix, following
 * scikit-learn's `KMeans(init="random", algorithm="lloyd")`: the same init
 * scheme, stopping rules and quantities, though not the same random stream, so
 * the clusters are not bit-identical to sklearn's.
 *
 * The assignment step uses Hamerly's bounds (one upper bound per row on the
 * distance to its centroid, one lower bound on the distance to any other, and
 * each centroid's distance to its nearest neighbour) to skip rows whose
 * centroid cannot have changed. That gives the labels Lloyd's algorithm gives,
 * up to rounding in near ties, at a fraction of the cost once clusters settle.
 */
import { InvalidInputError } from "../errors.js";

/** Options of {@link kmeans}. */
export interface KMeansOptions {
  /**
   * Runs from different random starts; the one with the lowest inertia is kept.
   * Default 1, not sklearn's 10 (its default for `init="random"` since 1.4):
   * one run over a 30k × 256 vocabulary with K = 256 takes seconds in
   * JavaScript, and extra runs only buy a slightly lower inertia. Pass 10 to
   * match sklearn.
   */
  nInit?: number;
  /** Lloyd iterations per run at most. Default 300 (sklearn's). */
  maxIter?: number;
  /**
   * Relative tolerance, as sklearn defines it: a run stops when the summed squared
   * shift of the centroids is at most `tol × mean per-feature variance of the data`.
   * Default 1e-4. A run also stops as soon as no label changes.
   */
  tol?: number;
  /** Seed of the random starts. Default 42 (model2vec's `random_state`). */
  seed?: number;
}

/** The outcome of {@link kmeans}. */
export interface KMeansResult {
  /** `k × dim` cluster centres, row-major. */
  centroids: Float32Array;
  /** The nearest centroid of each row, as sklearn's `labels_` and `predict` give. */
  labels: Int32Array;
  /** Sum of squared distances from each row to its centroid. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
}

/**
 * Clusters the `data.length / dim` rows of `data` into `k` clusters.
 *
 * Each run starts from `k` distinct rows picked at random (sklearn's "random"
 * init), then alternates assignment and centroid update until no label changes,
 * the centroid shift falls within the tolerance, or `maxIter` is reached; unless
 * the labels stopped changing, they are then recomputed against the final
 * centroids. A cluster left empty is re-seeded with the row farthest from its
 * centroid, taken from a cluster of two rows or more (deterministic, like
 * sklearn's relocation). The result depends only on the data and the options.
 *
 * @throws InvalidInputError when `dim` does not divide the data, `k` is not an
 *   integer in [1, rows], or an option is out of range.
 */
export function kmeans(data: Float32Array, dim: number, k: number, options: KMeansOptions = {}): KMeansResult {
  if (!(data instanceof Float32Array)) throw new InvalidInputError("kmeans: data must be a Float32Array");
  if (!Number.isSafeInteger(dim) || dim < 1 || data.length % dim !== 0) {
    throw new InvalidInputError(`kmeans: dim must be a positive integer dividing the ${data.length} values, got ${String(dim)}`);
  }
  const rows = data.length / dim;
  if (!Number.isSafeInteger(k) || k < 1 || k > rows) {
    throw new InvalidInputError(`kmeans: the number of clusters must be an integer from 1 to the ${rows} rows, got ${String(k)}`);
  }
  if (options === null || typeof options !== "object") throw new InvalidInputError("kmeans: options must be an object");
  const nInit = integerOption(options.nInit, 1, "nInit");
  const maxIter = integerOption(options.maxIter, 300, "maxIter");
  const seed = options.seed ?? 42;
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`kmeans: seed must be an integer, got ${String(seed)}`);
  const tol = options.tol ?? 1e-4;
  if (typeof tol !== "number" || !(tol >= 0) || !Number.isFinite(tol)) {
    throw new InvalidInputError(`kmeans: tol must be a finite number ≥ 0, got ${String(tol)}`);
  }

  const state = new KMeansState(data, rows, dim, k, tol * meanVariance(data, rows, dim), maxIter);
  const random = mulberry32(seed);
  let best: KMeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    state.initialize(random);
    const result = state.run();
    if (best === null || result.inertia < best.inertia) best = result;
  }
  return best!;
}

/**
 * The index of the nearest of the `k` centroids for each row of `data`, ties
 * going to the lowest index (sklearn's `predict`).
 *
 * @throws InvalidInputError when the sizes do not fit `dim` and `k`.
 */
export function assignLabels(data: Float32Array, dim: number, centroids: Float32Array, k: number): Int32Array {
  if (!Number.isSafeInteger(dim) || dim < 1 || data.length % dim !== 0 || !Number.isSafeInteger(k) || k < 1 || centroids.length !== k * dim) {
    throw new InvalidInputError(`assignLabels: ${data.length} values and ${centroids.length} centroid values do not fit dim ${dim} and k ${k}`);
  }
  const rows = data.length / dim;
  const labels = new Int32Array(rows).fill(-1);
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  scan(data, dim, centroids, k, squaredNorms(centroids, k, dim), squaredNorms(data, rows, dim), all, rows, labels, new Float64Array(rows), new Float64Array(rows));
  return labels;
}

/** The buffers of one k-means problem, reused across runs: the loops allocate nothing per row. */
class KMeansState {
  #centroids: Float32Array;
  #next: Float32Array;
  readonly #centroidNorms: Float64Array;
  readonly #pointNorms: Float64Array;
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;
  readonly #labels: Int32Array;
  /** Per row: an upper bound on the distance to its centroid. */
  readonly #upper: Float64Array;
  /** Per row: a lower bound on the distance to every other centroid. */
  readonly #lower: Float64Array;
  /** Per centroid: half the distance to its nearest other centroid. */
  readonly #halfGap: Float64Array;
  /** Per centroid: how far it moved in the last update. */
  readonly #drift: Float64Array;
  /** Rows needing a full scan, and a scratch for the row permutation. */
  readonly #pending: Int32Array;

  constructor(
    readonly data: Float32Array,
    readonly rows: number,
    readonly dim: number,
    readonly k: number,
    readonly tolerance: number,
    readonly maxIter: number,
  ) {
    this.#centroids = new Float32Array(k * dim);
    this.#next = new Float32Array(k * dim);
    this.#centroidNorms = new Float64Array(k);
    this.#pointNorms = squaredNorms(data, rows, dim);
    this.#sums = new Float64Array(k * dim);
    this.#counts = new Float64Array(k);
    this.#labels = new Int32Array(rows);
    this.#upper = new Float64Array(rows);
    this.#lower = new Float64Array(rows);
    this.#halfGap = new Float64Array(k);
    this.#drift = new Float64Array(k);
    this.#pending = new Int32Array(rows);
  }

  /** sklearn's "random" init: the first k entries of a random permutation of the rows. */
  initialize(random: () => number): void {
    const { rows, k, dim, data } = this;
    const order = this.#pending;
    for (let i = 0; i < rows; i++) order[i] = i;
    for (let c = 0; c < k; c++) {
      const j = c + Math.floor(random() * (rows - c));
      const row = order[j]!;
      order[j] = order[c]!;
      order[c] = row;
      this.#centroids.set(data.subarray(row * dim, (row + 1) * dim), c * dim);
    }
    this.#labels.fill(-1);
  }

  /** Lloyd iterations from the current centroids. */
  run(): KMeansResult {
    const { data, rows, dim, k } = this;
    const labels = this.#labels;
    const pending = this.#pending;
    for (let i = 0; i < rows; i++) pending[i] = i;
    normsInto(this.#centroids, k, dim, this.#centroidNorms);
    let changed = scan(data, dim, this.#centroids, k, this.#centroidNorms, this.#pointNorms, pending, rows, labels, this.#upper, this.#lower);
    let iterations = 0;
    let converged = false;
    for (;;) {
      changed += this.#update();
      const shift = this.#measureDrift();
      [this.#centroids, this.#next] = [this.#next, this.#centroids];
      iterations++;
      if (changed === 0) {
        // The labels did not change, so neither did the centroids: Lloyd's fixed point.
        converged = true;
        break;
      }
      if (shift <= this.tolerance || iterations >= this.maxIter) break;
      changed = this.#assign();
    }
    if (!converged) this.#assign();
    return { centroids: this.#centroids.slice(), labels: labels.slice(), inertia: this.#inertia(), iterations };
  }

  /**
   * The assignment step with Hamerly's bounds: a row keeps its centroid when its
   * upper bound is within half the gap to the centroid's nearest neighbour or
   * within its lower bound; the rest are scanned against every centroid.
   *
   * @returns How many labels changed.
   */
  #assign(): number {
    const { data, dim, k, rows } = this;
    const centroids = this.#centroids;
    const labels = this.#labels;
    const upper = this.#upper;
    const lower = this.#lower;
    const drift = this.#drift;
    normsInto(centroids, k, dim, this.#centroidNorms);
    this.#measureGaps();
    // Bounds follow the centroids: the own one moved by drift[a], any other by at most the largest drift.
    let largest = 0;
    let largestAt = -1;
    let second = 0;
    for (let c = 0; c < k; c++) {
      const d = drift[c]!;
      if (d > largest) {
        second = largest;
        largest = d;
        largestAt = c;
      } else if (d > second) second = d;
    }
    const halfGap = this.#halfGap;
    const pending = this.#pending;
    let count = 0;
    for (let i = 0; i < rows; i++) {
      const a = labels[i]!;
      upper[i]! += drift[a]!;
      lower[i]! -= a === largestAt ? second : largest;
      const bound = Math.max(halfGap[a]!, lower[i]!);
      if (upper[i]! <= bound) continue;
      upper[i] = Math.sqrt(squaredDistance(data, i * dim, centroids, a * dim, dim));
      if (upper[i]! <= bound) continue;
      pending[count++] = i;
    }
    return scan(data, dim, centroids, k, this.#centroidNorms, this.#pointNorms, pending, count, labels, upper, lower);
  }

  /**
   * The update step: each centroid becomes the mean of its rows (summed in
   * float64), written to the spare buffer. An empty cluster takes the row
   * farthest from its centroid among clusters of two rows or more.
   *
   * @returns How many rows moved to re-seed empty clusters.
   */
  #update(): number {
    const { data, rows, dim, k } = this;
    const sums = this.#sums;
    const counts = this.#counts;
    const labels = this.#labels;
    const out = this.#next;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < rows; i++) {
      const c = labels[i]!;
      counts[c]!++;
      const base = c * dim;
      const offset = i * dim;
      for (let j = 0; j < dim; j++) sums[base + j]! += data[offset + j]!;
    }
    let moved = 0;
    let exact: Float64Array | null = null;
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) continue;
      if (exact === null) {
        // The bounds are not distances: measure each row's distance to its centroid once.
        exact = this.#upper;
        for (let i = 0; i < rows; i++) exact[i] = squaredDistance(data, i * dim, this.#centroids, labels[i]! * dim, dim);
      }
      let farthest = -1;
      for (let i = 0; i < rows; i++) {
        if (counts[labels[i]!]! > 1 && (farthest < 0 || exact[i]! > exact[farthest]!)) farthest = i;
      }
      const from = labels[farthest]!;
      const offset = farthest * dim;
      for (let j = 0; j < dim; j++) {
        sums[from * dim + j]! -= data[offset + j]!;
        sums[c * dim + j] = data[offset + j]!;
      }
      counts[from]!--;
      counts[c] = 1;
      labels[farthest] = c;
      exact[farthest] = -1; // never picked twice
      moved++;
    }
    if (exact !== null) {
      // Bounds from measured distances; a moved row gets a full scan next time.
      for (let i = 0; i < rows; i++) this.#upper[i] = exact[i]! < 0 ? Infinity : Math.sqrt(exact[i]!);
      for (let i = 0; i < rows; i++) if (this.#upper[i] === Infinity) this.#lower[i] = 0;
    }
    for (let c = 0; c < k; c++) {
      const scale = 1 / counts[c]!;
      const base = c * dim;
      for (let j = 0; j < dim; j++) out[base + j] = sums[base + j]! * scale;
    }
    return moved;
  }

  /** Fills `drift` with each centroid's move and returns sklearn's `center_shift_tot` (sum of squares). */
  #measureDrift(): number {
    const { dim, k } = this;
    let total = 0;
    for (let c = 0; c < k; c++) {
      const squared = squaredDistance(this.#next, c * dim, this.#centroids, c * dim, dim);
      this.#drift[c] = Math.sqrt(squared);
      total += squared;
    }
    return total;
  }

  /** Half the distance from each centroid to its nearest other centroid. */
  #measureGaps(): void {
    const { dim, k } = this;
    const gap = this.#halfGap;
    gap.fill(Infinity);
    for (let c = 0; c < k; c++) {
      for (let d = c + 1; d < k; d++) {
        const half = Math.sqrt(squaredDistance(this.#centroids, c * dim, this.#centroids, d * dim, dim)) / 2;
        if (half < gap[c]!) gap[c] = half;
        if (half < gap[d]!) gap[d] = half;
      }
    }
  }

  /** The exact inertia of the current labels and centroids. */
  #inertia(): number {
    const { data, rows, dim } = this;
    let total = 0;
    for (let i = 0; i < rows; i++) total += squaredDistance(data, i * dim, this.#centroids, this.#labels[i]! * dim, dim);
    return total;
  }
}

/**
 * Scans the rows `list[0, count)` against every centroid, by
 * `‖x‖² − 2x·c + ‖c‖²` with precomputed norms, two rows and four centroids at a
 * time. Sets each row's label (ties to the lowest index), its distance to that
 * centroid (`upper`) and to the next nearest (`lower`).
 *
 * @returns How many labels changed.
 */
function scan(
  data: Float32Array,
  dim: number,
  centroids: Float32Array,
  k: number,
  centroidNorms: Float64Array,
  pointNorms: Float64Array,
  list: Int32Array,
  count: number,
  labels: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
): number {
  let changed = 0;
  const blocked = k - (k % 4);
  let t = 0;
  for (; t + 1 < count; t += 2) {
    const p = list[t]!;
    const q = list[t + 1]!;
    const o0 = p * dim;
    const o1 = q * dim;
    let best0 = Infinity;
    let next0 = Infinity;
    let at0 = 0;
    let best1 = Infinity;
    let next1 = Infinity;
    let at1 = 0;
    let c = 0;
    for (; c < blocked; c += 4) {
      const b0 = c * dim;
      const b1 = b0 + dim;
      const b2 = b1 + dim;
      const b3 = b2 + dim;
      let a00 = 0;
      let a01 = 0;
      let a02 = 0;
      let a03 = 0;
      let a10 = 0;
      let a11 = 0;
      let a12 = 0;
      let a13 = 0;
      for (let j = 0; j < dim; j++) {
        const c0 = centroids[b0 + j]!;
        const c1 = centroids[b1 + j]!;
        const c2 = centroids[b2 + j]!;
        const c3 = centroids[b3 + j]!;
        const x = data[o0 + j]!;
        a00 += x * c0;
        a01 += x * c1;
        a02 += x * c2;
        a03 += x * c3;
        const y = data[o1 + j]!;
        a10 += y * c0;
        a11 += y * c1;
        a12 += y * c2;
        a13 += y * c3;
      }
      for (let u = 0; u < 4; u++) {
        const norm = centroidNorms[c + u]!;
        const s0 = norm - 2 * (u === 0 ? a00 : u === 1 ? a01 : u === 2 ? a02 : a03);
        if (s0 < best0) {
          next0 = best0;
          best0 = s0;
          at0 = c + u;
        } else if (s0 < next0) next0 = s0;
        const s1 = norm - 2 * (u === 0 ? a10 : u === 1 ? a11 : u === 2 ? a12 : a13);
        if (s1 < best1) {
          next1 = best1;
          best1 = s1;
          at1 = c + u;
        } else if (s1 < next1) next1 = s1;
      }
    }
    for (; c < k; c++) {
      const base = c * dim;
      let a0 = 0;
      let a1 = 0;
      for (let j = 0; j < dim; j++) {
        const v = centroids[base + j]!;
        a0 += data[o0 + j]! * v;
        a1 += data[o1 + j]! * v;
      }
      const s0 = centroidNorms[c]! - 2 * a0;
      if (s0 < best0) {
        next0 = best0;
        best0 = s0;
        at0 = c;
      } else if (s0 < next0) next0 = s0;
      const s1 = centroidNorms[c]! - 2 * a1;
      if (s1 < best1) {
        next1 = best1;
        best1 = s1;
        at1 = c;
      } else if (s1 < next1) next1 = s1;
    }
    if (labels[p] !== at0) {
      labels[p] = at0;
      changed++;
    }
    if (labels[q] !== at1) {
      labels[q] = at1;
      changed++;
    }
    upper[p] = distanceOf(pointNorms[p]!, best0);
    lower[p] = distanceOf(pointNorms[p]!, next0);
    upper[q] = distanceOf(pointNorms[q]!, best1);
    lower[q] = distanceOf(pointNorms[q]!, next1);
  }
  if (t < count) {
    const p = list[t]!;
    const o0 = p * dim;
    let best = Infinity;
    let next = Infinity;
    let at = 0;
    for (let c = 0; c < k; c++) {
      const base = c * dim;
      let a = 0;
      for (let j = 0; j < dim; j++) a += data[o0 + j]! * centroids[base + j]!;
      const s = centroidNorms[c]! - 2 * a;
      if (s < best) {
        next = best;
        best = s;
        at = c;
      } else if (s < next) next = s;
    }
    if (labels[p] !== at) {
      labels[p] = at;
      changed++;
    }
    upper[p] = distanceOf(pointNorms[p]!, best);
    lower[p] = distanceOf(pointNorms[p]!, next);
  }
  return changed;
}

/** √(‖x‖² + (‖c‖² − 2x·c)), clamped at 0; Infinity when there is no such centroid. */
function distanceOf(pointNorm: number, score: number): number {
  const squared = pointNorm + score;
  return squared > 0 ? Math.sqrt(squared) : 0;
}

function squaredDistance(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) {
    const d = a[aOffset + j]! - b[bOffset + j]!;
    sum += d * d;
  }
  return sum;
}

function squaredNorms(values: Float32Array, rows: number, dim: number): Float64Array {
  return normsInto(values, rows, dim, new Float64Array(rows));
}

function normsInto(values: Float32Array, rows: number, dim: number, out: Float64Array): Float64Array {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    const offset = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = values[offset + j]!;
      sum += v * v;
    }
    out[i] = sum;
  }
  return out;
}

/** The mean over features of each feature's (population) variance, as sklearn's `_tolerance`. */
function meanVariance(data: Float32Array, rows: number, dim: number): number {
  const means = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) means[j]! += data[i * dim + j]!;
  for (let j = 0; j < dim; j++) means[j]! /= rows;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dim; j++) {
      const delta = data[i * dim + j]! - means[j]!;
      total += delta * delta;
    }
  }
  return total / rows / dim;
}

/** mulberry32: a small, well-mixed 32-bit generator of floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function integerOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`kmeans: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
