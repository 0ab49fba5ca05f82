/**
 * Principal component analysis with scikit-learn's semantics, as Python model2vec applies it
 * to distilled embeddings.
 *
 * Python model2vec (`post_process_embeddings`, model2vec/distill/inference.py) runs
 * `sklearn.decomposition.PCA(n_components=pca_dims, svd_solver="full").fit_transform(E)`:
 * mean-centred, no whitening, output (E − μ)·Cᵀ with the components C in descending-variance
 * order. We fit the same model through the covariance matrix rather than an SVD of the data
 * (the route of sklearn's own `svd_solver="covariance_eigh"`, added in 1.5, which its `"auto"`
 * picks when rows ≫ cols): C = (E − μ)ᵀ(E − μ)/(n − 1) accumulated in Float64, its symmetric
 * eigendecomposition, then the projection. The two routes differ only by rounding: components
 * agree wherever eigenvalues are distinct (where two are equal, any basis of their eigenspace is
 * as correct as sklearn's). Forming C squares the condition number: a component of variance λ
 * is accurate to about 1e-16 · λ₁/λ (λ₁ the largest), against 6e-8 · √(λ₁/λ) for the Float32
 * SVD that sklearn runs on Float32 embeddings, so ours is the more accurate one unless a
 * component is some 1e17 times weaker than the first.
 *
 * Signs follow `svd_flip(U, Vt, u_based_decision=False)`, which PCA applies with every solver
 * since scikit-learn 1.5 (PR #27491; issue #28826 records the resulting sign change from
 * 1.4) and still does in the 1.6+ sources (sklearn/decomposition/_pca.py; the rule is in
 * sklearn/utils/extmath.py): in each component (row of Vᵀ), the entry of largest absolute value
 * is made positive, the first one on a tie (numpy's `argmax`). Before 1.5 the decision came from
 * the columns of U, so models distilled with older sklearn may have some components (and the
 * matching output columns) negated relative to ours.
 *
 * @module
 */

import { InvalidInputError } from "../errors.js";
import { localKernels } from "./eigen.js";
import type { SymmetricEigen } from "./eigen.js";
import { hardwareConcurrency, openWorkerPool, type WorkerPool } from "./worker-pool.js";

/**
 * How many components to keep, in Python model2vec's `pca_dims` forms:
 *
 * - `null` / `undefined`: no PCA.
 * - `"auto"`: as many components as columns (a rotation onto the principal axes, no reduction).
 * - an integer ≥ 1: that many components; more than the number of columns is clamped to it
 *   (with a warning), and a count ≥ the number of rows skips PCA (with a warning).
 * - a fraction in (0, 1): the fewest components whose explained-variance ratios sum to more
 *   than it (sklearn: `np.searchsorted(cumsum(ratio), fraction, side="right") + 1`).
 */
export type PcaDims = number | "auto" | null | undefined;

/** Options for {@link pca}. */
export interface PcaOptions {
  /**
   * Threads to use. Omitted: all hardware threads, but only when the matrix is large enough to
   * pay for starting workers (rows · cols² ≥ 10⁸); otherwise the calling thread. A number:
   * exactly that many worker threads (1 = the calling thread only), at most one per row. Worker
   * threads exist in Node; elsewhere PCA always runs on the calling thread.
   *
   * The workers read the input through shared memory: a `data` whose buffer is a
   * SharedArrayBuffer is used as is, any other is copied into one first (rows · cols · 4 bytes).
   */
  threads?: number;
  /** Receives each warning (clamped or skipped `pcaDims`, a worker failure). Default: none. */
  onWarning?: (message: string) => void;
}

/** Wall-clock milliseconds spent in each stage of {@link pca}. */
export interface PcaTimings {
  /** Mean and covariance (including starting the workers, when used). */
  covariance: number;
  /** The eigendecomposition of the covariance matrix. */
  eigen: number;
  /** The projection (E − μ)·Cᵀ. */
  projection: number;
}

/** The fitted PCA and the projected data. */
export interface PcaResult {
  /** (E − μ)·Cᵀ, rows × dim, row-major. */
  projected: Float32Array;
  /** Number of rows (unchanged by PCA). */
  rows: number;
  /** Number of components kept: the width of `projected`. */
  dim: number;
  /** The principal axes, dim × cols row-major (row j = component j, unit length), as sklearn's `components_`. */
  components: Float64Array;
  /** Column means of the input, as sklearn's `mean_`. */
  mean: Float64Array;
  /** Variance along each kept component (eigenvalues of the covariance, ddof = 1), descending. */
  explainedVariance: Float64Array;
  /** `explainedVariance` divided by the total variance (the covariance's trace). */
  explainedVarianceRatio: Float64Array;
  /** Threads the computation actually ran on (1 = the calling thread). */
  threads: number;
  /** Time spent per stage, in milliseconds. */
  timings: PcaTimings;
}

/** What {@link resolvePcaDims} decided. */
export type PcaPlan =
  | { kind: "skip" }
  | { kind: "count"; components: number }
  | { kind: "fraction"; fraction: number };

/** Work (rows · cols²) above which the default `threads` uses worker threads. */
const AUTO_THREADS_MIN_WORK = 1e8;

/**
 * Interprets `pcaDims` for a rows × cols matrix, as Python model2vec does before calling
 * sklearn, and validates it.
 *
 * @throws InvalidInputError naming `pcaDims` for 0, negative numbers, non-integers ≥ 1, NaN,
 *   infinities and any other value.
 */
export function resolvePcaDims(
  pcaDims: PcaDims,
  rows: number,
  cols: number,
  onWarning?: (message: string) => void,
): PcaPlan {
  if (pcaDims === null || pcaDims === undefined) return { kind: "skip" };
  let count: number;
  if (pcaDims === "auto") {
    count = cols;
  } else if (typeof pcaDims === "number" && pcaDims > 0 && pcaDims < 1) {
    if (rows < 2) {
      onWarning?.(`PCA needs at least 2 rows to estimate variance, got ${rows}. Not applying PCA.`);
      return { kind: "skip" };
    }
    if (cols === 0) return { kind: "skip" };
    return { kind: "fraction", fraction: pcaDims };
  } else if (typeof pcaDims === "number" && Number.isSafeInteger(pcaDims) && pcaDims >= 1) {
    count = pcaDims;
    if (count > cols) {
      onWarning?.(
        `PCA dimension (${count}) is larger than the number of dimensions in the embeddings (${cols}). ` +
          "Applying PCA, but not reducing dimensionality. If this is not desired, set `pcaDims` to null.",
      );
      count = cols;
    }
  } else {
    throw new InvalidInputError(
      `pcaDims must be null, "auto", an integer ≥ 1 or a fraction strictly between 0 and 1; got ${describe(pcaDims)}`,
    );
  }
  if (count === 0) return { kind: "skip" }; // no columns
  if (count >= rows) {
    onWarning?.(
      `PCA dimension (${count}) is larger than or equal to the number of rows (${rows}). Not applying PCA.`,
    );
    return { kind: "skip" };
  }
  return { kind: "count", components: count };
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return `${typeof value} ${String(value)}`;
}

/**
 * Makes each row of `components` (k × d, row-major) have its largest-magnitude entry positive,
 * in place: sklearn's `svd_flip(..., u_based_decision=False)`. The first of several
 * equal-magnitude entries decides, as numpy's `argmax`.
 */
export function flipSigns(components: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k; j++) {
    const row = j * d;
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < d; i++) {
      const a = Math.abs(components[row + i]!);
      if (a > bestAbs) {
        bestAbs = a;
        best = i;
      }
    }
    if (components[row + best]! < 0) {
      for (let i = 0; i < d; i++) components[row + i] = -components[row + i]!;
    }
  }
}

/**
 * Number of components for an explained-variance fraction: sklearn's
 * `np.searchsorted(np.cumsum(ratio), fraction, side="right") + 1`, capped at `ratio.length`.
 */
export function componentsForFraction(ratio: Float64Array, fraction: number): number {
  let cumulative = 0;
  let below = 0; // how many cumulative sums are ≤ fraction
  for (let i = 0; i < ratio.length; i++) {
    cumulative += ratio[i]!;
    if (cumulative <= fraction) below = i + 1;
    else break;
  }
  return Math.min(below + 1, ratio.length);
}

/** Where the three heavy stages run: the calling thread or a worker pool. */
interface Executor {
  readonly threads: number;
  covariance(mean: Float64Array): Promise<Float64Array>;
  /** All eigenvalues, descending, and the eigenvectors of the `count` largest (count × n, one per row). */
  eigen(matrix: Float64Array, n: number, count: number): Promise<SymmetricEigen>;
  project(mean: Float64Array, components: Float64Array, k: number): Promise<Float32Array>;
}

function localExecutor(data: Float32Array, rows: number, cols: number): Executor {
  const kernels = localKernels();
  return {
    threads: 1,
    async covariance(mean) {
      const out = new Float64Array(cols * cols);
      kernels.covarianceRows(data, cols, 0, rows, mean, out);
      return out;
    },
    async eigen(matrix, n, count) {
      return kernels.eigenSymmetric(matrix, n, count);
    },
    async project(mean, components, k) {
      const out = new Float32Array(rows * k);
      kernels.projectRows(data, cols, 0, rows, mean, components, k, out);
      return out;
    },
  };
}

/** Splits [0, rows) into `parts` contiguous ranges of near-equal length. */
function rowRanges(rows: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let p = 0; p < parts; p++) {
    ranges.push([Math.floor((rows * p) / parts), Math.floor((rows * (p + 1)) / parts)]);
  }
  return ranges;
}

function poolExecutor(pool: WorkerPool, rows: number, cols: number): Executor {
  const ranges = rowRanges(rows, pool.size);
  return {
    threads: pool.size,
    async covariance(mean) {
      const parts = (await Promise.all(
        ranges.map(([rowStart, rowEnd], index) => pool.run(index, { type: "covariance", rowStart, rowEnd, mean })),
      )) as Float64Array[];
      const out = parts[0]!;
      for (let p = 1; p < parts.length; p++) {
        const part = parts[p]!;
        for (let i = 0; i < out.length; i++) out[i] = out[i]! + part[i]!;
      }
      return out;
    },
    async eigen(matrix, n, count) {
      return (await pool.run(0, { type: "eigen", matrix, n, count })) as SymmetricEigen;
    },
    async project(mean, components, k) {
      const shared = new Float32Array(new SharedArrayBuffer(rows * k * Float32Array.BYTES_PER_ELEMENT));
      await Promise.all(
        ranges.map(([rowStart, rowEnd], index) =>
          pool.run(index, { type: "project", rowStart, rowEnd, mean, components, k, out: shared }),
        ),
      );
      // A plain ArrayBuffer for the caller: some APIs refuse views on shared memory.
      return new Float32Array(shared);
    },
  };
}

/**
 * PCA of a rows × cols matrix of embeddings, as Python model2vec's distillation applies it
 * (sklearn `PCA(n_components, svd_solver="full")`; see the module comment for the method and
 * the sign convention).
 *
 * Cost: rows · cols² / 2 multiply-adds for the covariance, ≈ 2 cols³ for the eigendecomposition
 * and rows · cols · k for the projection: a 30,000 × 768 → 256 reduction takes about 4 s on two
 * cores, 7 s on one (bench/pca.bench.ts). The covariance and the projection are split by rows
 * across worker threads and the eigendecomposition runs in one of them (see
 * {@link PcaOptions.threads}), so the calling thread's event loop stays free; in a browser
 * everything runs on the calling thread. A fraction `pcaDims` back-transforms every eigenvector
 * (≈ cols³ more, 0.3 s at cols = 768), since the count is known only once the eigenvalues are.
 *
 * @param data the embeddings, rows × cols, row-major. Not modified.
 * @param rows number of rows (tokens).
 * @param cols number of columns (the embedding width).
 * @param pcaDims how many components to keep; see {@link PcaDims}.
 * @param options threads and a warning callback; see {@link PcaOptions}.
 * @returns the projection and the fitted PCA, or `null` when PCA is skipped (`pcaDims` null or
 *   undefined, or a component count ≥ rows): the caller keeps its embeddings unchanged then.
 * @throws InvalidInputError naming `pcaDims`, `rows`, `cols`, `data` or `threads` when one is
 *   invalid (including NaN or infinite values in `data`).
 */
export async function pca(
  data: Float32Array,
  rows: number,
  cols: number,
  pcaDims: PcaDims,
  options: PcaOptions = {},
): Promise<PcaResult | null> {
  const { onWarning } = options;
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new InvalidInputError(`rows must be a non-negative integer, got ${String(rows)}`);
  }
  if (!Number.isSafeInteger(cols) || cols < 0) {
    throw new InvalidInputError(`cols must be a non-negative integer, got ${String(cols)}`);
  }
  if (!(data instanceof Float32Array) || data.length !== rows * cols) {
    const got = data instanceof Float32Array ? `length ${data.length}` : describe(data);
    throw new InvalidInputError(`data must be a Float32Array of rows × cols = ${rows * cols} values, got ${got}`);
  }
  const requested = options.threads;
  if (requested !== undefined && (!Number.isSafeInteger(requested) || requested < 1)) {
    throw new InvalidInputError(`threads must be an integer ≥ 1, got ${String(requested)}`);
  }

  const plan = resolvePcaDims(pcaDims, rows, cols, onWarning);
  if (plan.kind === "skip") return null;

  const started = performance.now();
  const mean = columnMeans(data, rows, cols);
  for (let i = 0; i < cols; i++) {
    if (!Number.isFinite(mean[i]!)) {
      throw new InvalidInputError(`data must be finite: column ${i} holds a NaN or an infinity`);
    }
  }

  let threads: number;
  if (requested !== undefined) threads = requested;
  else threads = rows * cols * cols >= AUTO_THREADS_MIN_WORK ? await hardwareConcurrency() : 1;
  threads = Math.max(1, Math.min(threads, rows));

  let pool: WorkerPool | null = null;
  if (threads > 1) pool = await openWorkerPool(data, rows, cols, threads);
  try {
    if (pool !== null) {
      try {
        return await fit(poolExecutor(pool, rows, cols), rows, cols, plan, mean, started);
      } catch (error) {
        onWarning?.(
          `PCA on worker threads failed (${error instanceof Error ? error.message : String(error)}); ` +
            "computing on the calling thread instead.",
        );
      }
    }
    return await fit(localExecutor(data, rows, cols), rows, cols, plan, mean, performance.now());
  } finally {
    await pool?.close();
  }
}

/** Column means in Float64. */
function columnMeans(data: Float32Array, rows: number, cols: number): Float64Array {
  const sum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let i = 0; i < cols; i++) sum[i] = sum[i]! + data[row + i]!;
  }
  for (let i = 0; i < cols; i++) sum[i] = sum[i]! / rows;
  return sum;
}

async function fit(
  executor: Executor,
  rows: number,
  cols: number,
  plan: Exclude<PcaPlan, { kind: "skip" }>,
  mean: Float64Array,
  started: number,
): Promise<PcaResult> {
  // Covariance: the kernels fill the upper triangle of the scatter matrix.
  const scatter = await executor.covariance(mean);
  const scale = 1 / (rows - 1);
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      const v = scatter[i * cols + j]! * scale;
      scatter[i * cols + j] = v;
      scatter[j * cols + i] = v;
    }
  }
  const covarianceDone = performance.now();

  // A fraction needs the eigenvalues to know how many vectors it keeps: back-transform them all.
  const wanted = plan.kind === "count" ? plan.components : cols;
  const { values, vectors } = await executor.eigen(scatter, cols, wanted);
  const eigenDone = performance.now();

  // A covariance is positive semi-definite; rounding can leave tiny negative eigenvalues
  // (sklearn's covariance_eigh clips them the same way).
  let total = 0;
  for (let j = 0; j < cols; j++) {
    if (values[j]! < 0) values[j] = 0;
    total += values[j]!;
  }
  // sklearn's full solver has min(rows, cols) singular values; the rest of ours are zeros.
  const available = Math.min(rows, cols);
  const ratio = new Float64Array(available);
  for (let j = 0; j < available; j++) ratio[j] = values[j]! / total;

  const k = plan.kind === "count" ? plan.components : componentsForFraction(ratio, plan.fraction);
  const components = vectors.slice(0, k * cols);
  flipSigns(components, k, cols);

  const projected = await executor.project(mean, components, k);
  const projectionDone = performance.now();

  return {
    projected,
    rows,
    dim: k,
    components,
    mean,
    explainedVariance: values.slice(0, k),
    explainedVarianceRatio: ratio.slice(0, k),
    threads: executor.threads,
    timings: {
      covariance: covarianceDone - started,
      eigen: eigenDone - covarianceDone,
      projection: projectionDone - eigenDone,
    },
  };
}
