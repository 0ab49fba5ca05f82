/** filterOutliers and selectRepresentatives against brute-force versions of semhash's definitions. */
import { describe, expect, it } from "vitest";
import { filterOutliers } from "../../src/search/filter-outliers.js";
import { selectRepresentatives } from "../../src/search/select-representatives.js";
import { expectInvalidInput, plantedVectors, tableEncoder } from "./dedup-reference.js";

const DIM = 24;
const vectors = plantedVectors(300, 200, DIM, 21);
const encoder = tableEncoder(vectors, DIM);
const texts = Array.from({ length: 300 }, (_, r) => `v${r}`);

function unit(row: number): number[] {
  const v = Array.from(vectors.subarray(row * DIM, (row + 1) * DIM));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Each row's mean cosine to its k nearest other rows, by sorting all cosines. */
function averageSimilarity(rows: number[], k: number): number[] {
  const units = rows.map(unit);
  return units.map((u, i) => {
    const others = units.filter((_, j) => j !== i).map((v) => dot(u, v)).sort((a, b) => b - a).slice(0, k);
    return others.reduce((s, x) => s + x, 0) / others.length;
  });
}

describe("filterOutliers", () => {
  it("filters the records with the lowest mean similarity to their nearest neighbours", async () => {
    const rows = texts.map((_, r) => r);
    for (const [neighbours, fraction] of [[10, 0.1], [100, 0.25], [1000, 0.05]] as const) {
      const result = await filterOutliers(encoder, texts, { neighbours, outlierFraction: fraction });
      const scores = averageSimilarity(rows, neighbours);
      const ranked = rows.slice().sort((a, b) => scores[b]! - scores[a]!);
      const outliers = Math.ceil(300 * fraction);
      expect(result.selectedIndices).toEqual(ranked.slice(0, 300 - outliers));
      expect(result.filteredIndices).toEqual(ranked.slice(300 - outliers));
      expect(result.filtered).toEqual(ranked.slice(300 - outliers).map((r) => texts[r]));
      result.scoresSelected.forEach((score, i) => expect(score).toBeCloseTo(scores[result.selectedIndices[i]!]!, 5));
      result.scoresFiltered.forEach((score, i) => expect(score).toBeCloseTo(scores[result.filteredIndices[i]!]!, 5));
    }
  });

  it("gives exact copies their group's score and keeps them next to it", async () => {
    const records = ["v0", "v1", "v2", "v0", "v3"];
    const result = await filterOutliers(encoder, records, { outlierFraction: 0.4 });
    const scores = averageSimilarity([0, 1, 2, 3], 100);
    const ranked = [0, 1, 2, 3].sort((a, b) => scores[b]! - scores[a]!).flatMap((row) => (row === 0 ? [0, 3] : [row === 3 ? 4 : row]));
    expect([...result.selectedIndices, ...result.filteredIndices]).toEqual(ranked);
    expect(result.filtered).toHaveLength(2);
    const copies = [...result.selectedIndices, ...result.filteredIndices].indexOf(3);
    expect([...result.scoresSelected, ...result.scoresFiltered][copies]).toBe([...result.scoresSelected, ...result.scoresFiltered][copies - 1]);
  });

  it("keeps everything at fraction 0, filters everything at 1, and scores a lone record 0", async () => {
    expect((await filterOutliers(encoder, texts.slice(0, 20), { outlierFraction: 0 })).filtered).toEqual([]);
    expect((await filterOutliers(encoder, texts.slice(0, 20), { outlierFraction: 1 })).selected).toEqual([]);
    expect(await filterOutliers(encoder, ["v5"])).toEqual({
      selected: [], selectedIndices: [], scoresSelected: [], filtered: ["v5"], filteredIndices: [0], scoresFiltered: [0],
    });
  });

  it("rejects a fraction outside [0, 1] and a bad neighbour count", async () => {
    await expectInvalidInput(filterOutliers(encoder, texts, { outlierFraction: 1.2 }), "filterOutliers: outlierFraction must be a number from 0 to 1, got number 1.2");
    await expectInvalidInput(filterOutliers(encoder, texts, { neighbours: 0 }), "filterOutliers: neighbours must be a positive integer, got number 0");
  });
});

describe("selectRepresentatives", () => {
  /** MMR over the top candidates, straight from the definition. */
  function mmr(rows: number[], size: number, limit: number, diversity: number, neighbours = 100) {
    const scores = averageSimilarity(rows, neighbours);
    const candidates = rows.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!).slice(0, limit);
    const picks: { index: number; gain: number }[] = [];
    const remaining = candidates.slice();
    while (picks.length < Math.min(size, candidates.length)) {
      let best = -1;
      let bestGain = -Infinity;
      for (const c of remaining) {
        const penalty = picks.length === 0 ? 0 : Math.max(...picks.map((p) => dot(unit(rows[c]!), unit(rows[p.index]!))));
        const gain = (1 - diversity) * scores[c]! - diversity * penalty;
        if (gain > bestGain) [best, bestGain] = [c, gain];
      }
      picks.push({ index: best, gain: bestGain });
      remaining.splice(remaining.indexOf(best), 1);
    }
    return { picks, rest: remaining, scores };
  }

  it("re-ranks the most typical records by maximal marginal relevance", async () => {
    const rows = texts.map((_, r) => r);
    for (const [size, limit, diversity] of [[10, "auto", 0.5], [5, 40, 0.8], [8, 300, 0]] as const) {
      const result = await selectRepresentatives(encoder, texts, { selectionSize: size, candidateLimit: limit, diversity });
      // "auto" for 300 records: max(30, size, 100) = 100 candidates.
      const expected = mmr(rows, size, limit === "auto" ? 100 : limit, diversity);
      expect(result.selectedIndices).toEqual(expected.picks.map((p) => p.index));
      result.scoresSelected.forEach((gain, i) => expect(gain).toBeCloseTo(expected.picks[i]!.gain, 5));
      expect(result.filteredIndices).toEqual(expected.rest);
      expect(result.selected).toEqual(expected.picks.map((p) => texts[p.index]));
      expect(new Set(result.selectedIndices).size).toBe(size);
    }
  });

  it("picks more spread-out records as diversity grows", async () => {
    const meanPairwise = (indices: number[]) => {
      let sum = 0;
      let pairs = 0;
      for (let i = 0; i < indices.length; i++) for (let j = i + 1; j < indices.length; j++, pairs++) sum += dot(unit(indices[i]!), unit(indices[j]!));
      return sum / pairs;
    };
    const typical = await selectRepresentatives(encoder, texts, { diversity: 0 });
    const diverse = await selectRepresentatives(encoder, texts, { diversity: 0.9 });
    expect(meanPairwise(diverse.selectedIndices)).toBeLessThan(meanPairwise(typical.selectedIndices) - 0.05);
  });

  it("rejects a bad size, limit or diversity", async () => {
    await expectInvalidInput(selectRepresentatives(encoder, texts, { selectionSize: -1 }), "selectRepresentatives: selectionSize must be a non-negative integer");
    await expectInvalidInput(selectRepresentatives(encoder, texts, { candidateLimit: 2.5 }), 'candidateLimit must be "auto" or a non-negative integer, got number 2.5');
    await expectInvalidInput(selectRepresentatives(encoder, texts, { diversity: 2 }), "diversity must be a number from 0 to 1, got number 2");
  });
});
