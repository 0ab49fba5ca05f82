import { describe, expect, it } from "vitest";
import { mulberry32 } from "../fixtures/random.js";
import { TopK } from "../../src/search/top-k.js";

describe("TopK", () => {
  it("keeps the k best of candidates offered in any order, ties by lower position, and raises the threshold to the k-th", () => {
    const random = mulberry32(5);
    // Scores from a small set, so there are many ties.
    const candidates = Array.from({ length: 500 }, (_, position) => ({ position, score: Math.floor(random() * 20) / 4 }));
    const shuffled = [...candidates].sort(() => random() - 0.5);
    const top = new TopK(2, 25);
    for (const { position, score } of shuffled) {
      top.push(0, score, position);
      top.push(1, -score, position);
    }
    for (const [q, sign] of [[0, 1], [1, -1]] as const) {
      const expected = candidates
        .map(({ position, score }) => ({ position, score: sign * score }))
        .sort((a, b) => b.score - a.score || a.position - b.position)
        .slice(0, 25);
      const { positions, scores } = top.sorted(q);
      expect(Array.from(positions)).toEqual(expected.map((c) => c.position));
      expect(Array.from(scores, (s) => s + 0)).toEqual(expected.map((c) => c.score + 0));
      expect(top.thresholds[q]).toBe(expected[24]!.score);
    }
  });
});

describe("TopK edges", () => {
  it("keeps everything below k, nothing for k = 0, and the best one for k = 1", () => {
    const small = new TopK(1, 5);
    [3, 1, 2].forEach((score, position) => small.push(0, score, position));
    expect(Array.from(small.sorted(0).positions)).toEqual([0, 2, 1]);
    expect(small.thresholds[0]).toBe(-Infinity);
    const none = new TopK(1, 0);
    none.push(0, 1, 0);
    expect(none.sorted(0).positions.length).toBe(0);
    const one = new TopK(1, 1);
    [0.5, 0.9, 0.9, 0.1, 0.95, 0.95].forEach((score, position) => one.push(0, score, position));
    expect(Array.from(one.sorted(0).positions)).toEqual([4]);
  });
});
