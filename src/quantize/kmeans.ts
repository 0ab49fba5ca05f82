/**
 * Seeded k-means (Lloyd's algorithm) over a row-major float32 matrix, following
 * scikit-learn's `KMeans(init="random", algorithm="lloyd")`: the same init
 * scheme, stopping rules and quantities, though not the same random stream, so
 * the clusters are not bit-identical to sklearn's.
 *
 * The assignment step keeps triangle-inequality bounds on the distances, as
 * Elkan's or Hamerly's algorithm does, to skip distance computations that cannot
 * change a label. Both give the labels Lloyd's algorithm gives (up to rounding
 * in near ties) at a fraction of the cost once the clusters settle.
 */
import { InvalidInputError } from "../errors.js";
import { mulberry32 } from "../random.js";

/** Above this many row × centroid bounds (64 MB), "auto" uses Hamerly's bounds instead of Elkan's. */
const ELKAN_LIMIT = 2 ** 24;

/** Options of {@link kmeans}. */
export interface KMeansOptions {
  /**
   * Runs from different random starts; the one with the lowest inertia is kept.
   * Default 1, not sklearn's 10 (its default for `init="random"` since 1.4):
   * one run over a 30k × 256 vocabulary with K = 256 takes about 10 s of one
   * core in Node 20, and extra runs only buy a slightly lower inertia. Pass 10
   * to match sklearn.
   */
  nInit?: number | undefined;
  /** Lloyd iterations per run at most. Default 300 (sklearn's). */
  maxIter?: number | undefined;
  /**
   * Relative tolerance, as sklearn defines it: a run stops when the summed squared
   * shift of the centroids is at most `tol × mean per-feature variance of the data`.
   * Default 1e-4. A run also stops as soon as no label changes.
   */
  tol?: number | undefined;
  /** Seed of the random starts. Default 42 (model2vec's `random_state`). */
  seed?: number | undefined;
  /**
   * Initial centroids (`k × dim`, row-major) instead of random rows, as sklearn's
   * array `init`; there is then a single run, whatever `nInit` says.
   */
  init?: Float32Array | undefined;
  /**
   * How assignment steps skip distances. "elkan" keeps a lower bound per row and
   * centroid (4 bytes each) and skips the most; "hamerly" keeps one per row;
   * "auto" (the default) picks Elkan when rows × k ≤ 2^24. All give the same
   * clustering up to rounding in near ties.
   */
  algorithm?: "auto" | "elkan" | "hamerly" | undefined;
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

  const { init } = options;
  if (init !== undefined && (!(init instanceof Float32Array) || init.length !== k * dim)) {
    throw new InvalidInputError(`kmeans: init must be a Float32Array of k × dim = ${k * dim} values`);
  }
  const algorithm = options.algorithm ?? "auto";
  if (algorithm !== "auto" && algorithm !== "elkan" && algorithm !== "hamerly") {
    throw new InvalidInputError(`kmeans: algorithm must be "auto", "elkan" or "hamerly", got ${String(algorithm)}`);
  }
  const elkan = algorithm === "elkan" || (algorithm === "auto" && rows * k <= ELKAN_LIMIT);

  const state = new KMeansState(data, rows, dim, k, tol * meanVariance(data, rows, dim), maxIter, elkan);
  if (init !== undefined) {
    state.initialize(init);
    return state.run();
  }
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
  scan(data, dim, centroids, k, squaredNorms(centroids, k, dim), squaredNorms(data, rows, dim), all, rows, labels, new Float64Array(rows), new Float64Array(rows), null, null);
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
  /** Hamerly: per row, a lower bound on the distance to every other centroid. */
  readonly #lower: Float64Array;
  /**
   * Elkan: per row and centroid, a lower bound on their distance plus the
   * centroid's `travel` when it was set (null for Hamerly). Subtracting the
   * current travel gives the bound, so the bounds of rows that are skipped are
   * never rewritten.
   */
  readonly #lowerAll: Float32Array | null;
  /** Elkan: how far each centroid has moved since the run started. */
  readonly #travel: Float64Array;
  /** Elkan: whether to look for rows worth a full scan (true while the last assignment found many). */
  #denseRows = true;
  /** Elkan: half the distance between each pair of centroids. */
  readonly #halfDistances: Float64Array | null;
  /** Per centroid: half the distance to its nearest other centroid. */
  readonly #halfGap: Float64Array;
  /** Per centroid: how far it moved in the last update. */
  readonly #drift: Float64Array;
  /** Rows needing a full scan (Hamerly), and a scratch for the row permutation. */
  readonly #pending: Int32Array;

  constructor(
    readonly data: Float32Array,
    readonly rows: number,
    readonly dim: number,
    readonly k: number,
    readonly tolerance: number,
    readonly maxIter: number,
    elkan: boolean,
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
    this.#lowerAll = elkan ? new Float32Array(rows * k) : null;
    this.#travel = new Float64Array(k);
    this.#halfDistances = elkan ? new Float64Array(k * k) : null;
    this.#halfGap = new Float64Array(k);
    this.#drift = new Float64Array(k);
    this.#pending = new Int32Array(rows);
  }

  /** Sets the starting centroids: given ones, or sklearn's "random" init (the first k entries of a random permutation of the rows). */
  initialize(start: Float32Array | (() => number)): void {
    const { rows, k, dim, data } = this;
    this.#labels.fill(-1);
    if (start instanceof Float32Array) {
      this.#centroids.set(start);
      return;
    }
    const order = this.#pending;
    for (let i = 0; i < rows; i++) order[i] = i;
    for (let c = 0; c < k; c++) {
      const j = c + Math.floor(start() * (rows - c));
      const row = order[j]!;
      order[j] = order[c]!;
      order[c] = row;
      this.#centroids.set(data.subarray(row * dim, (row + 1) * dim), c * dim);
    }
  }

  /** Lloyd iterations from the current centroids. */
  run(): KMeansResult {
    const { data, rows, dim, k } = this;
    const labels = this.#labels;
    const pending = this.#pending;
    for (let i = 0; i < rows; i++) pending[i] = i;
    normsInto(this.#centroids, k, dim, this.#centroidNorms);
    this.#travel.fill(0);
    this.#denseRows = true;
    let changed = scan(data, dim, this.#centroids, k, this.#centroidNorms, this.#pointNorms, pending, rows, labels, this.#upper, this.#lower, this.#lowerAll, this.#travel);
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

  /** The assignment step against the current centroids, after their update. @returns How many labels changed. */
  #assign(): number {
    normsInto(this.#centroids, this.k, this.dim, this.#centroidNorms);
    return this.#lowerAll === null ? this.#assignHamerly() : this.#assignElkan(this.#lowerAll, this.#halfDistances!);
  }

  /**
   * Hamerly: a row keeps its centroid when its upper bound is within half the
   * gap to that centroid's nearest neighbour or within its lower bound; the
   * rest are scanned against every centroid.
   */
  #assignHamerly(): number {
    const { data, dim, k, rows } = this;
    const centroids = this.#centroids;
    const labels = this.#labels;
    const upper = this.#upper;
    const lower = this.#lower;
    const drift = this.#drift;
    const halfGap = this.#halfGap;
    this.#measureGaps(null);
    // The own centroid moved by drift[a]; any other by at most the largest drift.
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
    return scan(data, dim, centroids, k, this.#centroidNorms, this.#pointNorms, pending, count, labels, upper, lower, null, null);
  }

  /**
   * Elkan: a distance is computed only when the row's upper bound exceeds both
   * its lower bound for that centroid and half the distance between that
   * centroid and the row's current one. Rows with many such centroids (early
   * iterations) are scanned in full instead, which is faster per distance.
   */
  #assignElkan(lowerAll: Float32Array, halfDistances: Float64Array): number {
    const { data, dim, k, rows } = this;
    const centroids = this.#centroids;
    const centroidNorms = this.#centroidNorms;
    const pointNorms = this.#pointNorms;
    const labels = this.#labels;
    const upper = this.#upper;
    const drift = this.#drift;
    const travel = this.#travel;
    const halfGap = this.#halfGap;
    const dense = this.#pending;
    this.#measureGaps(halfDistances);
    for (let c = 0; c < k; c++) travel[c]! += drift[c]!;
    const lookForDense = this.#denseRows;
    let denseCount = 0;
    let changed = 0;
    for (let i = 0; i < rows; i++) {
      let a = labels[i]!;
      let u = upper[i]! + drift[a]!;
      upper[i] = u;
      if (u <= halfGap[a]!) continue;
      // The bound for centroid c is lowerAll[row + c] − travel[c].
      const row = i * k;
      let half = a * k;
      if (lookForDense) {
        let candidates = 0;
        for (let c = 0; c < k; c++) {
          if (lowerAll[row + c]! < u + travel[c]! && halfDistances[half + c]! < u && c !== a) candidates++;
        }
        if (candidates * 2 > k) {
          dense[denseCount++] = i;
          continue;
        }
      }
      let stale = true;
      const offset = i * dim;
      for (let c = 0; c < k; c++) {
        if (c === a || u + travel[c]! <= lowerAll[row + c]! || u <= halfDistances[half + c]!) continue;
        if (stale) {
          u = distanceOf(pointNorms[i]!, centroidNorms[a]! - 2 * dot(data, offset, centroids, a * dim, dim));
          lowerAll[row + a] = u + travel[a]!;
          stale = false;
          if (u + travel[c]! <= lowerAll[row + c]! || u <= halfDistances[half + c]!) continue;
        }
        const d = distanceOf(pointNorms[i]!, centroidNorms[c]! - 2 * dot(data, offset, centroids, c * dim, dim));
        lowerAll[row + c] = d + travel[c]!;
        if (d < u) {
          a = c;
          u = d;
          half = a * k;
        }
      }
      upper[i] = u;
      if (labels[i] !== a) {
        labels[i] = a;
        changed++;
      }
    }
    this.#denseRows = denseCount * 64 >= rows;
    return changed + scan(data, dim, centroids, k, centroidNorms, pointNorms, dense, denseCount, labels, upper, this.#lower, lowerAll, travel);
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
      // Upper bounds from the measured distances; a moved row is measured again
      // (and, with Hamerly's single lower bound, rescanned) at the next assignment.
      for (let i = 0; i < rows; i++) {
        if (exact[i]! >= 0) exact[i] = Math.sqrt(exact[i]!);
        else {
          exact[i] = Infinity;
          this.#lower[i] = 0;
        }
      }
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

  /** Half the distance from each centroid to its nearest other centroid, and to every other one when asked. */
  #measureGaps(halfDistances: Float64Array | null): void {
    const { dim, k } = this;
    const gap = this.#halfGap;
    gap.fill(Infinity);
    for (let c = 0; c < k; c++) {
      if (halfDistances !== null) halfDistances[c * k + c] = 0;
      for (let d = c + 1; d < k; d++) {
        const half = Math.sqrt(squaredDistance(this.#centroids, c * dim, this.#centroids, d * dim, dim)) / 2;
        if (half < gap[c]!) gap[c] = half;
        if (half < gap[d]!) gap[d] = half;
        if (halfDistances !== null) {
          halfDistances[c * k + d] = half;
          halfDistances[d * k + c] = half;
        }
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
 * centroid (`upper`) and to the next nearest (`lower`), and with `all` (k per
 * row) its distance to every centroid plus that centroid's entry in `offsets`.
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
  all: Float32Array | null,
  offsets: Float64Array | null,
): number {
  const scores = new Float64Array(2 * k);
  let changed = 0;
  const blocked = k - (k % 4);
  let t = 0;
  for (; t + 1 < count; t += 2) {
    const o0 = list[t]! * dim;
    const o1 = list[t + 1]! * dim;
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
      scores[c] = centroidNorms[c]! - 2 * a00;
      scores[c + 1] = centroidNorms[c + 1]! - 2 * a01;
      scores[c + 2] = centroidNorms[c + 2]! - 2 * a02;
      scores[c + 3] = centroidNorms[c + 3]! - 2 * a03;
      scores[k + c] = centroidNorms[c]! - 2 * a10;
      scores[k + c + 1] = centroidNorms[c + 1]! - 2 * a11;
      scores[k + c + 2] = centroidNorms[c + 2]! - 2 * a12;
      scores[k + c + 3] = centroidNorms[c + 3]! - 2 * a13;
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
      scores[c] = centroidNorms[c]! - 2 * a0;
      scores[k + c] = centroidNorms[c]! - 2 * a1;
    }
    changed += settle(list[t]!, scores, 0, k, pointNorms, labels, upper, lower, all, offsets);
    changed += settle(list[t + 1]!, scores, k, k, pointNorms, labels, upper, lower, all, offsets);
  }
  if (t < count) {
    const offset = list[t]! * dim;
    for (let c = 0; c < k; c++) scores[c] = centroidNorms[c]! - 2 * dot(data, offset, centroids, c * dim, dim);
    changed += settle(list[t]!, scores, 0, k, pointNorms, labels, upper, lower, all, offsets);
  }
  return changed;
}

/** Picks row `i`'s nearest centroid from its scores `‖c‖² − 2x·c` at `scores[from, from + k)`; see {@link scan}. @returns 1 when its label changed. */
function settle(
  i: number,
  scores: Float64Array,
  from: number,
  k: number,
  pointNorms: Float64Array,
  labels: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
  all: Float32Array | null,
  offsets: Float64Array | null,
): number {
  let best = Infinity;
  let next = Infinity;
  let at = 0;
  for (let c = 0; c < k; c++) {
    const s = scores[from + c]!;
    if (s < best) {
      next = best;
      best = s;
      at = c;
    } else if (s < next) next = s;
  }
  const norm = pointNorms[i]!;
  upper[i] = distanceOf(norm, best);
  lower[i] = distanceOf(norm, next);
  if (all !== null) for (let c = 0; c < k; c++) all[i * k + c] = distanceOf(norm, scores[from + c]!) + offsets![c]!;
  if (labels[i] === at) return 0;
  labels[i] = at;
  return 1;
}

/** x·c for a row of `data` and a row of `centroids`, four partial sums. */
function dot(data: Float32Array, offset: number, centroids: Float32Array, base: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += data[offset + j]! * centroids[base + j]!;
    s1 += data[offset + j + 1]! * centroids[base + j + 1]!;
    s2 += data[offset + j + 2]! * centroids[base + j + 2]!;
    s3 += data[offset + j + 3]! * centroids[base + j + 3]!;
  }
  for (; j < dim; j++) s0 += data[offset + j]! * centroids[base + j]!;
  return s0 + s1 + (s2 + s3);
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

function integerOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`kmeans: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
