import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { Embeddings } from "../../src/linalg/embeddings.js";
import type { SearchEncoder } from "../../src/search/types.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { rejection, thrown } from "../fixtures/errors.js";
import { randomMatrix } from "../fixtures/random.js";
import { bruteForceRanking, rowOf } from "./brute-force.js";

/** An encoder whose vectors are known: each text is its letter counts over a..h. */
const letterEncoder: SearchEncoder = {
  dim: 8,
  encode(texts) {
    const data = new Float32Array(texts.length * 8);
    texts.forEach((text, i) => {
      for (const ch of text) {
        const c = ch.charCodeAt(0) - 97;
        if (c >= 0 && c < 8) data[i * 8 + c]! += 1;
      }
    });
    return new Embeddings(data, texts.length, 8);
  },
};

describe("VectorIndex exact search", () => {
  // 37 dims and 3,001 rows: odd sizes reach every edge of the 4 × 2 tiles and a partial last block.
  const dim = 37;
  const rows = 3001;
  const matrix = randomMatrix(rows, dim, 7);
  const queries = randomMatrix(7, dim, 8);

  it("returns the brute-force top k (ids, order and scores) for every query and k", () => {
    const index = VectorIndex.fromVectors(new Embeddings(matrix, rows, dim));
    for (const k of [1, 10, 64]) {
      const results = index.searchVectors(new Embeddings(queries, 7, dim), { k });
      expect(results).toHaveLength(7);
      for (let q = 0; q < 7; q++) {
        const expected = bruteForceRanking(matrix, dim, rowOf(queries, dim, q)).slice(0, k);
        expect(results[q]!.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.position));
        results[q]!.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
      }
    }
  });

  it("gives each query the same hits and score bits alone as in a batch (tile or edge of the kernel)", () => {
    const index = VectorIndex.fromVectors(new Embeddings(randomMatrix(500, 64, 31), 500, 64));
    const batch = new Embeddings(randomMatrix(9, 64, 32), 9, 64);
    const together = index.searchVectors(batch, { k: 20 });
    for (let q = 0; q < 9; q++) expect(index.searchVectors([batch.row(q)], { k: 20 })[0]).toEqual(together[q]);
  });

  it("takes queries as arrays of numbers of any length (they are normalised)", () => {
    const index = VectorIndex.fromVectors(new Embeddings(matrix, rows, dim));
    const query = Array.from(rowOf(matrix, dim, 123), (v) => v * 40);
    const [hits] = index.searchVectors([query], { k: 1 });
    expect(hits![0]!.id).toBe(123);
    expect(hits![0]!.score).toBeCloseTo(1, 6);
  });

  it("returns every row when k exceeds the size, and nothing for k = 0 or an empty index", () => {
    const index = VectorIndex.fromVectors([[1, 0], [0, 1], [1, 1]]);
    const [all] = index.searchVectors([[1, 0]], { k: 50 });
    expect(all!.map((hit) => hit.id)).toEqual([0, 2, 1]);
    expect(all!.map((hit) => hit.score)).toEqual([1, expect.closeTo(Math.SQRT1_2, 6), 0]);
    expect(index.searchVectors([[1, 0]], { k: 0 })).toEqual([[]]);
    expect(new VectorIndex(2).searchVectors([[1, 0]])).toEqual([[]]);
  });

  it("breaks ties by insertion order, within a block and across blocks", () => {
    // dim 4 → 4,096 rows per block; 10,000 rows put copies of the same vector in three blocks.
    const count = 10_000;
    const data = randomMatrix(count, 4, 3);
    const copies = [9_999, 17, 4_100, 8_500, 2, 4_095];
    for (const row of copies) data.set([0.5, -0.5, 0.5, 0.5], row * 4);
    // Scaled copies tie too: normalisation makes them the same unit vector.
    data.set([5, -5, 5, 5], 6_000 * 4);
    const index = VectorIndex.fromVectors(new Embeddings(data, count, 4), { ids: Array.from({ length: count }, (_, i) => `r${i}`) });
    const [hits] = index.searchVectors([[1, -1, 1, 1]], { k: 5 });
    expect(hits!.map((hit) => hit.id)).toEqual(["r2", "r17", "r4095", "r4100", "r6000"]);
    expect(new Set(hits!.map((hit) => hit.score))).toEqual(new Set([hits![0]!.score]));
  });

  it("scores a zero vector 0 against everything", () => {
    const index = VectorIndex.fromVectors([[0, 0], [-1, 0]], { ids: ["zero", "opposite"] });
    const [hits] = index.searchVectors([[1, 0]]);
    expect(hits).toEqual([{ id: "zero", score: 0 }, { id: "opposite", score: -1 }]);
  });
});

describe("VectorIndex add, remove and filter", () => {
  it("keeps ids, texts and metadata with their rows through adds and removes", async () => {
    const index = await VectorIndex.fromTexts(letterEncoder, ["aaa", "bbb", "abab"], { metadata: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    await index.add(["ccc", "cab"], { ids: ["c", "cab"] });
    expect(index.size).toBe(5);
    expect(index.ids()).toEqual([0, 1, 2, "c", "cab"]);
    expect(await index.search("a", { k: 2 })).toEqual([
      { id: 0, score: expect.closeTo(1, 6), text: "aaa", metadata: { n: 1 } },
      { id: 2, score: expect.closeTo(Math.SQRT1_2, 6), text: "abab", metadata: { n: 3 } },
    ]);
    expect(index.remove([0, "nope", "c"])).toBe(2);
    expect(index.size).toBe(3);
    expect(index.has(0)).toBe(false);
    expect(index.ids()).toEqual([1, 2, "cab"]);
    const [forA, forC] = await index.search(["a", "c"], { k: 3 });
    expect(forA!.map((hit) => hit.id)).toEqual([2, "cab", 1]);
    expect(forC![0]).toEqual({ id: "cab", score: expect.closeTo(1 / Math.sqrt(3), 6), text: "cab" });
    // Default ids are insertion numbers (rows 6 and 7 of the index's life); 6 is taken, so 7 and 8.
    index.addVectors([[1, 0, 0, 0, 0, 0, 0, 0]], { ids: [6] });
    index.addVectors([[0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0]]);
    expect(index.ids()).toEqual([1, 2, "cab", 6, 7, 8]);
  });

  it("after removing rows, searches exactly like an index built from the rows that are left", () => {
    const dim = 16;
    const matrix = randomMatrix(2000, dim, 11);
    const index = VectorIndex.fromVectors(new Embeddings(matrix, 2000, dim));
    // The first and last rows, every third row, and a long run.
    const removed = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i % 3 === 0 || (i > 500 && i < 900) || i === 1999);
    expect(index.remove(removed)).toBe(removed.length);
    const keptIds = Array.from({ length: 2000 }, (_, i) => i).filter((i) => !removed.includes(i));
    const rebuilt = VectorIndex.fromVectors(keptIds.map((i) => rowOf(matrix, dim, i)), { ids: keptIds });
    const queries = new Embeddings(randomMatrix(5, dim, 12), 5, dim);
    expect(index.searchVectors(queries, { k: 20 })).toEqual(rebuilt.searchVectors(queries, { k: 20 }));
    expect(index.rows().vectors).toEqual(rebuilt.rows().vectors);
  });

  it("filters like a brute-force search over the accepted rows, asking about each row at most once", () => {
    const dim = 12;
    const matrix = randomMatrix(3000, dim, 21);
    const metadata = Array.from({ length: 3000 }, (_, i) => ({ even: i % 2 === 0 }));
    const index = VectorIndex.fromVectors(new Embeddings(matrix, 3000, dim), { metadata });
    const queries = randomMatrix(6, dim, 22);
    const asked: number[] = [];
    const results = index.searchVectors(new Embeddings(queries, 6, dim), {
      k: 15,
      filter: (entry) => {
        asked.push(entry.id as number);
        return entry.metadata!.even;
      },
    });
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked.length).toBeLessThan(3000);
    for (let q = 0; q < 6; q++) {
      const expected = bruteForceRanking(matrix, dim, rowOf(queries, dim, q)).filter((hit) => hit.position % 2 === 0).slice(0, 15);
      expect(results[q]!.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.position));
    }
  });
});

describe("VectorIndex input errors", () => {
  it("names the method and what was expected", async () => {
    const index = VectorIndex.fromVectors([[1, 2, 3]], { ids: ["a"] });
    const cases: [() => unknown, string][] = [
      [() => index.addVectors([[1, 2]]), "VectorIndex.addVectors: vector 0 has 2 values, the index has 3 dimensions"],
      [() => index.addVectors([[1, NaN, 3]]), "VectorIndex.addVectors: vector 0 has a value that is not a finite number"],
      [() => index.addVectors([[1, 2, 3]], { ids: ["a"] }), 'VectorIndex.addVectors: id "a" is already in the index'],
      [() => index.addVectors([[1, 2, 3], [3, 2, 1]], { ids: ["x", "x"] }), 'VectorIndex.addVectors: id "x" is already in the index'],
      [() => index.addVectors([[1, 2, 3]], { metadata: [] }), "VectorIndex.addVectors: options.metadata must have one entry per row (1)"],
      [() => index.searchVectors(new Embeddings(new Float32Array(4), 1, 4)), "VectorIndex.search: vectors have 4 dimensions, the index has 3"],
      [() => index.searchVectors([[1, 2, 3]], { k: 1.5 }), "VectorIndex.search: k must be a non-negative integer"],
      [() => new VectorIndex(0), "VectorIndex: dim must be a positive integer"],
      [() => new VectorIndex(3, { model: letterEncoder }), "the model makes 8-dimensional vectors, the index holds 3"],
      [() => VectorIndex.fromVectors([]), "VectorIndex.fromVectors: no vectors and no model to take the width from"],
    ];
    for (const [call, message] of cases) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toContain(message);
    }
    const noModel = await rejection(index.search("abc"));
    expect(noModel).toBeInstanceOf(InvalidInputError);
    expect(noModel.message).toContain("VectorIndex.search: this index has no model");
    // With no vectors, the width is the model's.
    expect(VectorIndex.fromVectors([], { model: letterEncoder }).dim).toBe(8);
    // A failed add leaves the index as it was.
    expect(index.size).toBe(1);
    expect(index.ids()).toEqual(["a"]);
  });
});

describe("VectorIndex with the bundled model", () => {
  it("takes a StaticModel as its encoder and finds each text's own row first", async () => {
    const { StaticModel } = await import("../../src/model/static-model.js");
    const model = await StaticModel.fromPretrained(new URL("../../models/default", import.meta.url).pathname);
    const texts = ["The cat sat on the mat.", "Stock markets fell sharply today.", "A recipe for mushroom risotto.", "The rocket reached orbit."];
    const index = await VectorIndex.fromTexts(model, texts);
    const hits = await index.search(texts, { k: 1 });
    expect(hits.map((hit) => hit[0]!.text)).toEqual(texts);
    hits.forEach((hit) => expect(hit[0]!.score).toBeCloseTo(1, 5));
    const [risotto] = await index.search(["How do I cook rice with mushrooms?"], { k: 1 });
    expect(risotto![0]!.id).toBe(2);
  });
});

describe("VectorIndex given its own rows", () => {
  it("searches with and adds views of its own matrix, though its memory grows meanwhile", () => {
    const dim = 32;
    const matrix = randomMatrix(300, dim, 41);
    const index = VectorIndex.fromVectors(new Embeddings(matrix, 300, dim));
    // Searching with all 300 rows needs more scratch than the index has: its memory grows.
    const own = () => ({ data: index.rows().vectors, rows: index.size, dim });
    const results = index.searchVectors(own(), { k: 1 });
    expect(results.map((hits) => hits[0]!.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    results.forEach((hits) => expect(hits[0]!.score).toBeCloseTo(1, 5));
    // Doubling the index with its own rows (a view of the memory that adding grows).
    index.addVectors(own());
    index.addVectors([index.rows().vectors.subarray(0, dim)]);
    expect(index.size).toBe(601);
    const [hits] = index.searchVectors([matrix.subarray(0, dim)], { k: 3 });
    expect(hits!.map((hit) => hit.id)).toEqual([0, 300, 600]);
  });
});
