import { describe, expect, it } from "vitest";
import { averageRanks, cosine, pearson, spearman } from "../../src/evaluate/metrics.js";

describe("metrics", () => {
  it("averageRanks gives ties the mean of their ranks", () => {
    expect(Array.from(averageRanks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
  });

  it("spearman with ties matches a hand computation", () => {
    // x ranks [1, 2.5, 2.5, 4], y ranks [1, 2, 3, 4]: pearson of those = 0.9486832980505138 (scipy.stats.spearmanr).
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(() => spearman([1], [1, 2])).toThrow(RangeError);
  });

  it("pearson and cosine on known vectors", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([3, 4], [6, 8])).toBeCloseTo(1, 12);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });
});
