import { afterEach, describe, expect, it } from "vitest";
import { float16ToFloat32, float32ToFloat16Bits, halfBitsToNumber } from "../../src/formats/float16.js";
import type { StoredDtype, StoredTable } from "../../src/linalg/stored-table.js";
import { TEXTS_PER_CALL, TOKENS_PER_CALL } from "../../src/linalg/wasm/pool-memory.js";
import { type EmbeddingTable, PoolScratch, gatherRows, meanPool, meanPoolTexts, poolingTable } from "../../src/model/pooling.js";
import { mulberry32 } from "../../src/random.js";
import { maxRowRelativeError } from "../fixtures/row-error.js";

/** The textbook mean: each column summed over the tokens in order, in float64. */
function reference(table: Float32Array, dim: number, ids: number[], mapping: Int32Array | null, weights: Float32Array | null, normalize: boolean) {
  const sums = new Float64Array(dim);
  for (const id of ids) {
    const row = (mapping ? mapping[id]! : id) * dim;
    for (let j = 0; j < dim; j++) sums[j]! += table[row + j]! * (weights ? weights[id]! : 1);
  }
  const mean = sums.map((s) => (ids.length ? s / ids.length : 0));
  const norm = Math.sqrt(mean.reduce((a, m) => a + m * m, 0));
  return Float32Array.from(mean, (m) => (normalize ? m * (1 / (norm + 1e-32)) : m));
}

/** A table of `rows × dim` random values representable in `dtype`, and those values as float32. */
function randomTable(dtype: StoredDtype, rows: number, dim: number, random: () => number): { stored: StoredTable; decoded: Float32Array } {
  const length = rows * dim;
  if (dtype === "int8") {
    const values = Int8Array.from({ length }, () => Math.floor(random() * 255) - 127);
    return { stored: { dtype, values, rows, dim }, decoded: Float32Array.from(values) };
  }
  const floats = Float32Array.from({ length }, () => random() * 2 - 1);
  if (dtype === "float32") return { stored: { dtype, values: floats, rows, dim }, decoded: floats };
  const values = Uint16Array.from(floats, float32ToFloat16Bits);
  return { stored: { dtype, values, rows, dim }, decoded: float16ToFloat32(values) };
}

const DTYPES: StoredDtype[] = ["float32", "float16", "int8"];

/**
 * Pools random texts through `source` and compares each vector with the textbook mean,
 * for every combination of weights and mapping, normalised or not.
 */
function checkAgainstReference(
  kernel: "js" | "wasm",
  dtype: StoredDtype,
  dim: number,
  lengths: number[],
  compare: (actual: Float32Array, expected: Float32Array) => void,
) {
  const random = mulberry32(dim * 7 + lengths.length);
  const vocab = 50;
  const rows = 20;
  const full = randomTable(dtype, vocab, dim, random);
  const mapped = randomTable(dtype, rows, dim, random);
  const mapping = Int32Array.from({ length: vocab }, () => Math.floor(random() * rows));
  const weights = Float32Array.from({ length: vocab }, () => random());
  const sources: [EmbeddingTable, Float32Array, Int32Array | null, Float32Array | null][] = [
    [poolingTable(full.stored, null, null, 1), full.decoded, null, null],
    [poolingTable(full.stored, null, weights, 1), full.decoded, null, weights],
    [poolingTable(mapped.stored, mapping, weights, 1), mapped.decoded, mapping, weights],
    [poolingTable(mapped.stored, mapping, null, 1), mapped.decoded, mapping, null],
  ];
  for (const [source, decoded, map, w] of sources) {
    expect(source.memory === null).toBe(kernel === "js");
    const scratch = new PoolScratch(source);
    for (const length of lengths) {
      const ids = Array.from({ length }, () => Math.floor(random() * vocab));
      for (const normalize of [true, false]) {
        const out = new Float32Array(dim + 3).fill(9);
        meanPool(source, Int32Array.from([5, ...ids, 5]), 1, 1 + length, out, 2, normalize, scratch);
        compare(out.subarray(2, 2 + dim), reference(decoded, dim, ids, map, w, normalize));
        expect([out[0], out[1], out[dim + 2]]).toEqual([9, 9, 9]);
      }
    }
  }
}

describe("meanPool, JavaScript kernel (no SIMD, MODEL2VEC_WASM=off, or a width not a multiple of 4)", () => {
  afterEach(() => {
    delete process.env.MODEL2VEC_WASM;
  });

  for (const dtype of DTYPES) {
    it.each([1, 3, 7, 8, 13, 64, 256])(`${dtype} table: equals the textbook float64 mean bit for bit at width %i, weighted, mapped or not`, (dim) => {
      process.env.MODEL2VEC_WASM = "off";
      checkAgainstReference("js", dtype, dim, [0, 1, 2, 9, 700], (actual, expected) => expect(actual).toEqual(expected));
    });
  }

  it("is what poolingTable picks for widths that are not a multiple of 4, even with SIMD on", () => {
    const random = mulberry32(1);
    expect(poolingTable(randomTable("float32", 5, 6, random).stored, null, null, 1).memory).toBeNull();
    expect(poolingTable(randomTable("int8", 5, 8, random).stored, null, null, 1).memory).not.toBeNull();
  });
});

describe("meanPool, SIMD kernel", () => {
  for (const dtype of DTYPES) {
    it.each([4, 12, 16, 20, 64, 256, 260])(
      `${dtype} table: within 1e-6 (relative, L2) of the textbook float64 mean at width %i, weighted, mapped or not, including texts longer than one kernel call`,
      (dim) => {
        checkAgainstReference("wasm", dtype, dim, [0, 1, 2, 9, 700, TOKENS_PER_CALL + 3], (actual, expected) => {
          expect(maxRowRelativeError(actual, expected, dim)).toBeLessThanOrEqual(1e-6);
        });
      },
    );
  }

  it("decodes every finite float16 value exactly", () => {
    const finite = Array.from({ length: 65536 }, (_, bits) => bits).filter((bits) => (bits & 0x7c00) !== 0x7c00);
    const dim = 4;
    const rows = finite.length / dim;
    const source = poolingTable({ dtype: "float16", values: Uint16Array.from(finite), rows, dim }, null, null, 1);
    expect(source.memory).not.toBeNull();
    const scratch = new PoolScratch(source);
    const out = new Float32Array(finite.length);
    const ids = Int32Array.from({ length: rows }, (_, i) => i);
    for (let row = 0; row < rows; row++) meanPool(source, ids, row, row + 1, out, row * dim, false, scratch);
    // + 0: a sum that starts at 0 turns the half −0 into 0, in both kernels.
    expect(out).toEqual(Float32Array.from(finite, (bits) => halfBitsToNumber(bits) + 0));
  });

  it("reads every int8 value as its integer (Python pools int8 tables with no scale)", () => {
    const values = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    const source = poolingTable({ dtype: "int8", values, rows: 64, dim: 4 }, null, null, 1);
    const scratch = new PoolScratch(source);
    const out = new Float32Array(256);
    const ids = Int32Array.from({ length: 64 }, (_, i) => i);
    for (let row = 0; row < 64; row++) meanPool(source, ids, row, row + 1, out, row * 4, false, scratch);
    expect(out).toEqual(Float32Array.from(values));
  });

  it("keeps a zero mean zero when normalising (Python's x / (‖x‖ + 1e-32))", () => {
    const source = poolingTable({ dtype: "float32", values: Float32Array.from([1, -2, 3, 0, -1, 2, -3, 0]), rows: 2, dim: 4 }, null, null, 1);
    const out = new Float32Array(4).fill(9);
    meanPool(source, Int32Array.from([0, 1]), 0, 2, out, 0, true, new PoolScratch(source));
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  it("threads pool in their own scratch regions of one memory", () => {
    const random = mulberry32(9);
    const { stored } = randomTable("float32", 10, 8, random);
    const source = poolingTable(stored, null, null, 3);
    expect(source.memory!.layout.regions).toBe(3);
    const regions = [0, 1, 2].map((index) => new PoolScratch(source, index).region!);
    expect(new Set(regions.map((region) => region.sumsAddress)).size).toBe(3);
    expect(regions[1]!.rowsAddress - regions[0]!.rowsAddress).toBeGreaterThanOrEqual(8 * TOKENS_PER_CALL + 12 * 8);
    expect(source.memory!.tableAddress).toBeGreaterThanOrEqual(regions[2]!.outAddress + 4 * 8);
    expect(Array.from(source.table.values)).toEqual(Array.from(stored.values));
  });
});

describe("meanPoolTexts", () => {
  afterEach(() => {
    delete process.env.MODEL2VEC_WASM;
  });

  /**
   * A batch with empty texts, more texts than one kernel call takes, a run of texts whose
   * ids overflow one call together, and a text longer than a call alone; every vector must
   * be bit for bit what meanPool gives that text, and rows outside the batch untouched.
   */
  function checkBatch(dtype: StoredDtype, dim: number) {
    const random = mulberry32(dim * 13 + dtype.length);
    const vocab = 16; // ids index the table directly when there is no mapping
    const rows = 16;
    const { stored } = randomTable(dtype, rows, dim, random);
    const mapping = Int32Array.from({ length: vocab }, () => Math.floor(random() * rows));
    const weights = Float32Array.from({ length: vocab }, () => random());
    const lengths = [0, 3, 1, 0, ...Array.from({ length: 2 * TEXTS_PER_CALL }, () => Math.floor(random() * 30)), 1500, 2000, 900, TOKENS_PER_CALL + 5, 7, 0];
    const offsets = Int32Array.from([0, ...lengths.map((_, k) => lengths.slice(0, k + 1).reduce((a, b) => a + b, 0))]);
    const ids = Int32Array.from({ length: offsets[offsets.length - 1]! }, () => Math.floor(random() * vocab));
    for (const source of [poolingTable(stored, null, null, 1), poolingTable(stored, mapping, weights, 1)]) {
      const scratch = new PoolScratch(source);
      for (const normalize of [true, false]) {
        const outRow = 2;
        const actual = new Float32Array((lengths.length + 3) * dim).fill(9);
        meanPoolTexts(source, ids, offsets, actual, outRow, normalize, scratch);
        const expected = new Float32Array((lengths.length + 3) * dim).fill(9);
        for (let k = 0; k < lengths.length; k++) meanPool(source, ids, offsets[k]!, offsets[k + 1]!, expected, (outRow + k) * dim, normalize, scratch);
        expect(actual).toEqual(expected);
        expect(actual.subarray(0, outRow * dim).every((v) => v === 9)).toBe(true);
        expect(actual.subarray(outRow * dim, (outRow + 1) * dim).every((v) => v === 0)).toBe(true); // the empty first text
      }
    }
  }

  for (const dtype of DTYPES) {
    it.each([4, 20, 256])(`SIMD kernel, ${dtype} table: each vector is meanPool's bit for bit at width %i, across calls, empty and over-long texts`, (dim) => {
      checkBatch(dtype, dim);
    });
  }

  it("JavaScript kernel (MODEL2VEC_WASM=off): each vector is meanPool's bit for bit", () => {
    process.env.MODEL2VEC_WASM = "off";
    for (const dtype of DTYPES) checkBatch(dtype, 12);
  });
});

describe("gatherRows", () => {
  it("gathers weighted, mapped rows of every dtype, decoded to float32", () => {
    const ids = Int32Array.from([1, 0, 1]);
    const mapping = Int32Array.from([2, 0]);
    const weights = Float32Array.from([0.5, 2]);
    const tables: StoredTable[] = [
      { dtype: "float32", values: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 3, dim: 2 },
      { dtype: "float16", values: Uint16Array.from([1, 2, 3, 4, 5, 6], float32ToFloat16Bits), rows: 3, dim: 2 },
      { dtype: "int8", values: Int8Array.from([1, 2, 3, 4, 5, 6]), rows: 3, dim: 2 },
    ];
    for (const table of tables) {
      const out = new Float32Array(6);
      gatherRows({ table, mapping, weights, memory: null }, ids, 0, 3, out, 0);
      expect(Array.from(out)).toEqual([2, 4, 2.5, 3, 2, 4]);
    }
  });
});
