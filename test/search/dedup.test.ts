import { describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { deduplicate } from "../../src/search/deduplicate.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { mulberry32 } from "../fixtures/random.js";
import { WORDS } from "../fixtures/words.js";
import { bruteForceGreedy, expectInvalidInput, plantedVectors, tableEncoder } from "./dedup-reference.js";

const DIM = 48;

function decisions(result: { filtered: readonly { index: number; duplicateOfIndex: number; score: number; exact: boolean }[] }) {
  return result.filtered.map(({ index, duplicateOfIndex, score, exact }) => ({ index, duplicateOfIndex, score, exact }));
}

describe("deduplicate", () => {
  it("equals the brute-force all-pairs greedy on 5,000 records with planted near-duplicates and exact copies", async () => {
    const vectors = plantedVectors(4600, 3000, DIM, 7);
    const next = mulberry32(11);
    // 400 exact copies of earlier texts, spread through the set.
    const texts = Array.from({ length: 4600 }, (_, r) => `v${r}`);
    for (let i = 0; i < 400; i++) texts.splice(1 + Math.floor(next() * texts.length), 0, texts[Math.floor(next() * texts.length)]!);
    const encoder = tableEncoder(vectors, DIM);
    for (const threshold of [0.9, 0.8]) {
      const result = await deduplicate(encoder, texts, { threshold });
      const expected = bruteForceGreedy(texts.map((t) => [t]), (batch) => encoder.encode(batch).data, DIM, threshold);
      expect(result.selectedIndices).toEqual(expected.kept);
      expect(decisions(result)).toEqual(expected.removed);
      expect(result.selected).toEqual(expected.kept.map((i) => texts[i]));
      // The planted set exercises the hard cases: many semantic removals, some just above the threshold.
      const semantic = result.filtered.filter((d) => !d.exact);
      expect(semantic.length).toBeGreaterThan(400);
      expect(semantic.some((d) => d.score < threshold + 0.005)).toBe(true);
      expect(result.filtered.filter((d) => d.exact).length).toBeGreaterThan(100);
    }
  }, 120_000);

  it("finds the same duplicates with the JavaScript bound kernel (MODEL2VEC_WASM=off) as with WebAssembly", async () => {
    const encoder = tableEncoder(plantedVectors(3000, 2000, DIM, 9), DIM);
    const texts = Array.from({ length: 3000 }, (_, r) => `v${r}`);
    const withWasm = await deduplicate(encoder, texts);
    const setting = process.env.MODEL2VEC_WASM;
    process.env.MODEL2VEC_WASM = "off";
    try {
      const withJs = await deduplicate(encoder, texts);
      expect(decisions(withJs)).toEqual(decisions(withWasm));
      expect(withJs.filtered.length).toBeGreaterThan(300);
    } finally {
      if (setting === undefined) delete process.env.MODEL2VEC_WASM;
      else process.env.MODEL2VEC_WASM = setting;
    }
  });

  it("embeds each distinct record once", async () => {
    const encoder = tableEncoder(plantedVectors(3, 3, DIM, 1), DIM);
    await deduplicate(encoder, ["v0", "v1", "v0", "v2", "v1"]);
    expect(encoder.calls).toEqual([["v0", "v1", "v2"]]);
  });

  it("reports a copy of a kept record as its exact duplicate, and a copy of a removed record against the same kept record", async () => {
    // v1 is v0 with a little noise: cosine ≈ 0.99.
    const vectors = new Float32Array(3 * DIM);
    for (let d = 0; d < DIM; d++) {
      vectors[d] = d % 3 === 0 ? 1 : 0;
      vectors[DIM + d] = vectors[d]! + (d === 1 ? 0.1 : 0);
      vectors[2 * DIM + d] = d === 2 ? 1 : 0;
    }
    const result = await deduplicate(tableEncoder(vectors, DIM), ["v0", "v1", "v0", "v2", "v1"]);
    expect(result.selected).toEqual(["v0", "v2"]);
    expect(result.selectedIndices).toEqual([0, 3]);
    const cosine = 16 / Math.sqrt(16 * 16.01);
    expect(result.filtered).toEqual([
      { record: "v1", index: 1, duplicateOf: "v0", duplicateOfIndex: 0, score: expect.closeTo(cosine, 6), exact: false },
      { record: "v0", index: 2, duplicateOf: "v0", duplicateOfIndex: 0, score: 1, exact: true },
      { record: "v1", index: 4, duplicateOf: "v0", duplicateOfIndex: 0, score: result.filtered[0]!.score, exact: false },
    ]);
    expect(result.threshold).toBe(0.9);
  });

  it("picks the kept record that scores highest, and the earliest of equal scores", async () => {
    const vectors = new Float32Array(4 * DIM);
    // v0 and v1 are 0.85 apart (both kept at 0.9); v2 is closer to v1 than to v0; v3 equals v0 in direction.
    vectors[0] = 1;
    vectors[DIM] = 0.85; vectors[DIM + 1] = Math.sqrt(1 - 0.85 * 0.85);
    vectors[2 * DIM] = 0.95; vectors[2 * DIM + 1] = 0.3;
    vectors[3 * DIM] = 2;
    const result = await deduplicate(tableEncoder(vectors, DIM), ["v0", "v1", "v2", "v3"]);
    expect(result.selectedIndices).toEqual([0, 1]);
    const [v2, v3] = result.filtered;
    const v2Norm = Math.hypot(0.95, 0.3);
    expect(v2!.duplicateOfIndex).toBe(1);
    expect(v2!.score).toBeCloseTo((0.85 * 0.95 + Math.sqrt(1 - 0.85 * 0.85) * 0.3) / v2Norm, 6);
    expect(v3).toMatchObject({ index: 3, duplicateOfIndex: 0, score: 1, exact: false });
  });

  it("with columns, removes a record only when every column matches, and reports the smallest column cosine", async () => {
    const vectors = new Float32Array(4 * DIM);
    vectors[0] = 1; // v0
    vectors[DIM] = 0.95; vectors[DIM + 1] = Math.sqrt(1 - 0.95 * 0.95); // v1: 0.95 to v0
    vectors[2 * DIM + 2] = 1; // v2: orthogonal to all
    vectors[3 * DIM] = 0.92; vectors[3 * DIM + 1] = Math.sqrt(1 - 0.92 * 0.92); // v3: 0.92 to v0
    const records = [
      { title: "v0", body: "v0", id: 1 },
      { title: "v1", body: "v2", id: 2 }, // title matches, body does not: kept
      { title: "v1", body: "v3", id: 3 }, // both match record 0: 0.95 and 0.92
    ];
    const result = await deduplicate(tableEncoder(vectors, DIM), records, { columns: ["title", "body"] });
    expect(result.selected.map((r) => r.id)).toEqual([1, 2]);
    expect(result.filtered).toHaveLength(1);
    expect(result.filtered[0]).toMatchObject({ index: 2, duplicateOfIndex: 0, exact: false });
    expect(result.filtered[0]!.score).toBeCloseTo(0.92, 6);
    expect(result.filtered[0]!.duplicateOf).toBe(records[0]);
  });

  it("against a reference set, removes the records that match it and compares records with nothing else", async () => {
    const vectors = plantedVectors(800, 500, DIM, 3);
    const encoder = tableEncoder(vectors, DIM);
    const train = Array.from({ length: 400 }, (_, r) => `v${r}`);
    const test = [...Array.from({ length: 400 }, (_, r) => `v${400 + r}`), "v3", "v3"];
    const result = await deduplicate(encoder, test, { reference: train });
    // The reference's definition: the best train record scoring ≥ 0.9, exact copies first.
    const unit = (row: number) => {
      const v = vectors.subarray(row * DIM, (row + 1) * DIM);
      const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return Float32Array.from(v, (x) => x / n);
    };
    const expected = test.flatMap((text, index) => {
      if (train.includes(text)) return [{ index, duplicateOfIndex: train.indexOf(text), score: 1, exact: true }];
      const q = unit(Number(text.slice(1)));
      let best = -Infinity;
      let bestIndex = -1;
      train.forEach((_, t) => {
        const r = unit(t);
        let s = 0;
        for (let d = 0; d < DIM; d++) s += q[d]! * r[d]!;
        if (s >= 0.9 && s > best) [best, bestIndex] = [s, t];
      });
      return bestIndex < 0 ? [] : [{ index, duplicateOfIndex: bestIndex, score: best, exact: false }];
    });
    expect(expected.length).toBeGreaterThan(50);
    expect(decisions(result)).toEqual(expected);
    expect(result.filtered.at(-1)!.duplicateOf).toBe("v3");
    expect(result.selected.length + result.filtered.length).toBe(test.length);
  });

  it("against a VectorIndex, removes the records that match its rows, as against the same reference set", async () => {
    const vectors = plantedVectors(800, 500, DIM, 3);
    const encoder = tableEncoder(vectors, DIM);
    const train = Array.from({ length: 400 }, (_, r) => `v${r}`);
    const test = [...Array.from({ length: 400 }, (_, r) => `v${400 + r}`), "v7"];
    const index = await VectorIndex.fromTexts(encoder, train, { metadata: train.map((_, r) => ({ row: r })) });
    const result = await deduplicate(index, test);
    const expected = await deduplicate(encoder, test, { reference: train });
    expect(expected.filtered.length).toBeGreaterThan(50);
    expect(decisions(result)).toEqual(decisions(expected));
    expect(result.selectedIndices).toEqual(expected.selectedIndices);
    const last = result.filtered.at(-1)!;
    expect(last).toMatchObject({ index: 400, duplicateOfIndex: 7, score: 1, exact: true });
    expect(last.duplicateOf).toEqual({ id: 7, text: "v7", metadata: { row: 7 } });
    const errors: [Promise<unknown>, string][] = [
      [deduplicate(VectorIndex.fromVectors({ data: vectors.slice(0, DIM), rows: 1, dim: DIM }), test), "the index has no model to embed the records with"],
      [deduplicate(index, test, { reference: train } as never), "give the reference set as the index or as options.reference, not both"],
      [deduplicate(index, [{ a: "v1", b: "v2" }], { columns: ["a", "b"] }), "records can have one column, got 2"],
    ];
    for (const [promise, message] of errors) await expectInvalidInput(promise, message);
  });

  it("deduplicates real sentences with the default model like the brute-force definition", async () => {
    const model = await StaticModel.fromPretrained();
    const next = mulberry32(5);
    const words = [...WORDS];
    const sentences: string[] = [];
    for (let i = 0; i < 600; i++) {
      if (i > 50 && next() < 0.3) {
        // A near-copy of an earlier sentence: one word changed or dropped.
        const source = sentences[Math.floor(next() * sentences.length)]!.split(" ");
        source[Math.floor(next() * source.length)] = next() < 0.5 ? "" : words[Math.floor(next() * words.length)]!;
        sentences.push(source.filter(Boolean).join(" "));
      } else {
        sentences.push(Array.from({ length: 6 + Math.floor(next() * 10) }, () => words[Math.floor(next() * words.length)]!).join(" "));
      }
    }
    const result = await deduplicate(model, sentences, { threshold: 0.9 });
    const expected = bruteForceGreedy(sentences.map((s) => [s]), (batch) => model.encode(batch).data, model.dim, 0.9);
    expect(result.selectedIndices).toEqual(expected.kept);
    expect(decisions(result)).toEqual(expected.removed);
    expect(result.filtered.length).toBeGreaterThan(20);
  }, 60_000);

  it("returns empty results for no records", async () => {
    const result = await deduplicate(tableEncoder(new Float32Array(0), DIM), []);
    expect(result).toEqual({ selected: [], selectedIndices: [], filtered: [], threshold: 0.9 });
  });

  it("rejects bad thresholds, mixed records, missing and non-string columns with InvalidInputError", async () => {
    const encoder = tableEncoder(plantedVectors(2, 2, DIM, 1), DIM);
    const cases: [Promise<unknown>, string][] = [
      [deduplicate(encoder, ["v0"], { threshold: 1.5 }), "threshold must be a number from -1 to 1, got number 1.5"],
      [deduplicate(encoder, ["v0"], { threshold: Number.NaN }), "threshold must be a number from -1 to 1"],
      [deduplicate(encoder, ["v0", { text: "v1" }] as never), "record 1 is an object, but record 0 is a string"],
      [deduplicate(encoder, [{ text: "v0" }]), "object records need columns"],
      [deduplicate(encoder, ["v0"], { columns: ["text"] }), "columns name fields of object records; these records are strings"],
      [deduplicate(encoder, [{ text: "v0" }, { body: "v1" }], { columns: ["text"] }), 'record 1 has no column "text"'],
      [deduplicate(encoder, [{ text: 3 }], { columns: ["text"] }), 'column "text" of record 0 is number 3, expected a string'],
      [deduplicate(encoder, ["v0"], { reference: [{ text: "v1" }] as never }), "deduplicate: reference: object records need columns"],
    ];
    for (const [promise, message] of cases) await expectInvalidInput(promise, message);
  });
});
