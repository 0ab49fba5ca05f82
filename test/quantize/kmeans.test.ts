/** k-means: recovery of separated clusters, Lloyd's result under both bound schemes, sklearn's stopping rules. */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/index.js";
import { type KMeansOptions, assignLabels, kmeans } from "../../src/quantize/kmeans.js";
import { mulberry32, randomMatrix } from "../fixtures/random.js";

const ALGORITHMS = ["elkan", "hamerly"] as const;

/** `perCluster` noisy points around each of `centers.length` centres, in a shuffled order; also returns the true cluster of each row. */
function blobs(centers: number[][], perCluster: number, noise: number, seed: number) {
  const dim = centers[0]!.length;
  const random = mulberry32(seed);
  const order = Array.from({ length: centers.length * perCluster }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const data = new Float32Array(order.length * dim);
  const truth = new Int32Array(order.length);
  order.forEach((source, row) => {
    const cluster = source % centers.length;
    truth[row] = cluster;
    for (let j = 0; j < dim; j++) data[row * dim + j] = centers[cluster]![j]! + (random() * 2 - 1) * noise;
  });
  return { data, dim, truth };
}

/** Whether two labelings are the same partition (equal up to renaming the clusters). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((forward.get(a[i]!) ?? b[i]) !== b[i] || (backward.get(b[i]!) ?? a[i]) !== a[i]) return false;
    forward.set(a[i]!, b[i]!);
    backward.set(b[i]!, a[i]!);
  }
  return true;
}

function squaredDistance(data: Float32Array, row: number, centroids: Float32Array, c: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += (data[row * dim + j]! - centroids[c * dim + j]!) ** 2;
  return sum;
}

function inertiaOf(data: Float32Array, dim: number, centroids: Float32Array, labels: Int32Array): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += squaredDistance(data, i, centroids, labels[i]!, dim);
  return total;
}

/** A literal transcription of sklearn's `_kmeans_single_lloyd`, with full scans and no bounds. */
function referenceLloyd(data: Float32Array, dim: number, init: Float32Array, k: number, maxIter: number, tol: number) {
  const rows = data.length / dim;
  const nearest = (centroids: Float32Array) =>
    Int32Array.from({ length: rows }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (squaredDistance(data, i, centroids, c, dim) < squaredDistance(data, i, centroids, best, dim)) best = c;
      return best;
    });
  const means = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) means[j]! += data[i * dim + j]! / rows;
  let variance = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) variance += (data[i * dim + j]! - means[j]!) ** 2;
  const tolerance = (tol * variance) / rows / dim;

  let centroids = init.slice();
  let labels = new Int32Array(rows).fill(-1);
  let strict = false;
  let iteration = 0;
  for (; iteration < maxIter; iteration++) {
    const next = nearest(centroids);
    const sums = new Float64Array(k * dim);
    const counts = new Float64Array(k);
    next.forEach((c, i) => {
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[c * dim + j]! += data[i * dim + j]!;
    });
    const updated = Float32Array.from(sums, (s, index) => s / counts[Math.floor(index / dim)]!);
    let shift = 0;
    for (let i = 0; i < updated.length; i++) shift += (updated[i]! - centroids[i]!) ** 2;
    centroids = updated;
    const same = next.every((c, i) => c === labels[i]);
    labels = next;
    if (same) {
      strict = true;
      break;
    }
    if (shift <= tolerance) break;
  }
  if (!strict) labels = nearest(centroids);
  return { centroids, labels, iterations: Math.min(iteration + 1, maxIter) };
}

describe("kmeans on well-separated clusters", () => {
  // Six centres far apart on separate axes; noise ±0.5.
  const centers = Array.from({ length: 6 }, (_, c) => Array.from({ length: 12 }, (_, j) => (j === 2 * c ? 10 : j === 2 * c + 1 ? -10 : 0)));
  const { data, dim, truth } = blobs(centers, 40, 0.5, 7);

  it.each(ALGORITHMS)("recovers the clusters exactly from one row of each (%s)", (algorithm) => {
    const init = new Float32Array(6 * dim);
    for (let c = 0; c < 6; c++) {
      const row = truth.indexOf(c);
      init.set(data.subarray(row * dim, (row + 1) * dim), c * dim);
    }
    const result = kmeans(data, dim, 6, { init, algorithm });
    expect(Array.from(result.labels)).toEqual(Array.from(truth));
    for (let c = 0; c < 6; c++) {
      for (let j = 0; j < dim; j++) expect(result.centroids[c * dim + j]).toBeCloseTo(centers[c]![j]!, 0);
    }
    expect(result.iterations).toBe(2); // one step to the means, one to see that no label moves
  });

  it.each([1, 2, 3, 4, 5])("recovers them from random starts, keeping the best of 30 (seed %i)", (seed) => {
    const result = kmeans(data, dim, 6, { nInit: 30, seed });
    expect(samePartition(result.labels, truth)).toBe(true);
    expect(result.inertia).toBeCloseTo(inertiaOf(data, dim, result.centroids, result.labels), 6);
  });

  it("recovers three clusters with sklearn's n_init of 10", () => {
    const three = blobs(centers.slice(0, 3), 30, 0.5, 11);
    for (const seed of [42, 1, 2, 3]) expect(samePartition(kmeans(three.data, three.dim, 3, { nInit: 10, seed }).labels, three.truth)).toBe(true);
  });
});

describe("kmeans computes Lloyd's algorithm", () => {
  const dim = 12;
  const k = 9;
  const data = randomMatrix(300, dim, 5);
  const init = data.slice(0, k * dim);

  it.each(ALGORITHMS)("matches a full-scan transcription of sklearn's loop (%s)", (algorithm) => {
    for (const [maxIter, tol] of [
      [300, 0],
      [300, 1e-4],
      [300, 0.3],
      [3, 0],
      [1, 0],
    ] as const) {
      const expected = referenceLloyd(data, dim, init, k, maxIter, tol);
      const result = kmeans(data, dim, k, { init, maxIter, tol, algorithm });
      expect(result.iterations).toBe(expected.iterations);
      expect(Array.from(result.labels)).toEqual(Array.from(expected.labels));
      for (let i = 0; i < result.centroids.length; i++) expect(result.centroids[i]).toBeCloseTo(expected.centroids[i]!, 6);
      expect(result.inertia).toBeCloseTo(inertiaOf(data, dim, expected.centroids, expected.labels), 4);
    }
  });

  it("gives the same clustering with either bound scheme", () => {
    const elkan = kmeans(data, dim, k, { algorithm: "elkan", nInit: 3 });
    const hamerly = kmeans(data, dim, k, { algorithm: "hamerly", nInit: 3 });
    expect(Array.from(hamerly.labels)).toEqual(Array.from(elkan.labels));
    expect(Array.from(hamerly.centroids)).toEqual(Array.from(elkan.centroids));
    expect(hamerly.iterations).toBe(elkan.iterations);
  });

  it("never lets the inertia grow with more iterations", () => {
    let previous = Infinity;
    for (let maxIter = 1; maxIter <= 25; maxIter++) {
      const result = kmeans(data, dim, k, { maxIter, tol: 0 });
      expect(result.iterations).toBeLessThanOrEqual(maxIter);
      expect(result.inertia).toBeLessThanOrEqual(previous * (1 + 1e-12));
      previous = result.inertia;
    }
    expect(kmeans(data, dim, k, { maxIter: 1 }).inertia).toBeGreaterThan(previous);
  });

  it("returns labels that are each row's nearest centroid and the matching inertia", () => {
    const result = kmeans(data, dim, k);
    expect(Array.from(assignLabels(data, dim, result.centroids, k))).toEqual(Array.from(result.labels));
    expect(result.inertia).toBeCloseTo(inertiaOf(data, dim, result.centroids, result.labels), 8);
    for (let c = 0; c < k; c++) expect(result.labels).toContain(c);
  });

  it("stops on sklearn's tolerance: tol × the mean per-feature variance", () => {
    expect(kmeans(data, dim, k, { tol: 1e9 }).iterations).toBe(1);
    const exact = kmeans(data, dim, k, { tol: 0 });
    const loose = kmeans(data, dim, k, { tol: 0.1 });
    expect(loose.iterations).toBeLessThan(exact.iterations);
    expect(exact.iterations).toBeLessThan(300);
  });
});

describe("kmeans determinism, runs and edge cases", () => {
  const dim = 8;
  const data = randomMatrix(200, dim, 3);

  it("gives identical results for the same seed", () => {
    const options: KMeansOptions = { nInit: 2, seed: 42 };
    const a = kmeans(data, dim, 7, options);
    const b = kmeans(data, dim, 7, options);
    expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect([b.inertia, b.iterations]).toEqual([a.inertia, a.iterations]);
    expect(kmeans(data, dim, 7)).toEqual(kmeans(data, dim, 7, { seed: 42, nInit: 1 }));
  });

  it("starts elsewhere for another seed", () => {
    const base = kmeans(data, dim, 7);
    const others = [1, 2, 3, 4].map((seed) => kmeans(data, dim, 7, { seed }));
    expect(others.some((other) => other.inertia !== base.inertia)).toBe(true);
  });

  it("keeps the lowest inertia over nInit runs", () => {
    const single = kmeans(data, dim, 7, { seed: 9 });
    const several = kmeans(data, dim, 7, { seed: 9, nInit: 8 });
    expect(several.inertia).toBeLessThanOrEqual(single.inertia);
  });

  it("puts everything in one cluster at the mean for k = 1", () => {
    const result = kmeans(data, dim, 1);
    expect(Array.from(result.labels).every((c) => c === 0)).toBe(true);
    for (let j = 0; j < dim; j++) {
      let mean = 0;
      for (let i = 0; i < 200; i++) mean += data[i * dim + j]! / 200;
      expect(result.centroids[j]).toBeCloseTo(mean, 6);
    }
  });

  it("gives every row its own cluster for k = rows", () => {
    const small = data.subarray(0, 20 * dim);
    const result = kmeans(small, dim, 20);
    expect(new Set(result.labels).size).toBe(20);
    expect(result.inertia).toBe(0);
    for (let i = 0; i < 20; i++) {
      expect(Array.from(result.centroids.subarray(result.labels[i]! * dim, (result.labels[i]! + 1) * dim))).toEqual(
        Array.from(small.subarray(i * dim, (i + 1) * dim)),
      );
    }
  });

  it.each(ALGORITHMS)("re-seeds an empty cluster with the farthest row (%s)", (algorithm) => {
    // Rows a, b, c (4 copies each); starting at a, a, b leaves cluster 1 empty and c unserved.
    const a = [0, 0];
    const b = [10, 0];
    const c = [0, 10];
    const rows = [a, b, c, a, b, c, a, b, c, a, b, c];
    const points = Float32Array.from(rows.flat());
    const result = kmeans(points, 2, 3, { init: Float32Array.from([...a, ...a, ...b]), algorithm });
    expect(result.inertia).toBe(0);
    expect(samePartition(result.labels, Int32Array.from(rows, (row) => [a, b, c].indexOf(row)))).toBe(true);
    expect(Array.from(result.centroids)).toEqual([...a, ...c, ...b]);
  });

  it("survives more clusters than distinct rows", () => {
    const points = Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2, 1, 1]);
    const result = kmeans(points, 2, 4);
    expect(result.inertia).toBe(0);
    expect(Array.from(result.labels).every((c) => c >= 0 && c < 4)).toBe(true);
  });

  it("rejects bad arguments with InvalidInputError", () => {
    const bad: [() => unknown, RegExp][] = [
      [() => kmeans(data, dim, 0), /number of clusters must be an integer from 1 to the 200 rows, got 0/],
      [() => kmeans(data, dim, 201), /got 201/],
      [() => kmeans(data, dim, 2.5), /got 2.5/],
      [() => kmeans(data, 7, 2), /dim must be a positive integer dividing the 1600 values, got 7/],
      [() => kmeans(data, 0, 2), /dim must be/],
      [() => kmeans(Array.from(data) as unknown as Float32Array, dim, 2), /Float32Array/],
      [() => kmeans(data, dim, 2, { nInit: 0 }), /nInit must be a positive integer, got 0/],
      [() => kmeans(data, dim, 2, { maxIter: 1.5 }), /maxIter/],
      [() => kmeans(data, dim, 2, { tol: -1 }), /tol must be a finite number ≥ 0, got -1/],
      [() => kmeans(data, dim, 2, { seed: 0.5 }), /seed must be an integer/],
      [() => kmeans(data, dim, 2, { init: new Float32Array(3) }), /init must be a Float32Array of k × dim = 16 values/],
      [() => kmeans(data, dim, 2, { algorithm: "lloyd" as "elkan" }), /algorithm must be/],
      [() => assignLabels(data, dim, new Float32Array(7), 1), /do not fit/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(InvalidInputError);
      expect(call).toThrow(message);
    }
  });
});
