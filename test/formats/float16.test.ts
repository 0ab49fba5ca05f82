/** Half-precision and bfloat16 conversions: known values, ties to even, and exhaustive round trips. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bfloat16ToFloat32, float16ToFloat32, float32ToFloat16Bits } from "../../src/formats/float16.js";

/** Every one of the 65,536 16-bit patterns. */
const ALL_BITS = Uint16Array.from({ length: 65536 }, (_, i) => i);

const isHalfNaN = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x03ff) !== 0;
const half = (bits: number) => float16ToFloat32(new Uint16Array([bits]))[0]!;
const hex = (bits: number) => `0x${bits.toString(16).padStart(4, "0")}`;

describe("float32ToFloat16Bits", () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [1 / 3, 0x3555],
    [65504, 0x7bff], // largest finite half
    [Math.fround(65520 - 2 ** -8), 0x7bff], // just below the overflow midpoint
    [65520, 0x7c00], // the midpoint rounds (to even) to Infinity
    [-65520, 0xfc00],
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -24, 0x0001], // smallest subnormal
    [-(2 ** -24), 0x8001],
    [1e-8, 0x0000], // below half the smallest subnormal
    [-1e-8, 0x8000], // keeps its sign
  ])("%d → %i", (value, bits) => {
    expect(hex(float32ToFloat16Bits(value))).toBe(hex(bits));
  });

  it.each([
    // Normal range, ulp 2^-10 at 1: exact ties go to the even mantissa.
    ["1 + 2^-11 (tie, down to even)", 1 + 2 ** -11, 0x3c00],
    ["1 + 3·2^-11 (tie, up to even)", 1 + 3 * 2 ** -11, 0x3c02],
    ["1 + 2^-11 + 2^-20 (above the tie)", 1 + 2 ** -11 + 2 ** -20, 0x3c01],
    ["1 + 2^-11 - 2^-20 (below the tie)", 1 + 2 ** -11 - 2 ** -20, 0x3c00],
    ["2047.5 → 2048 (carry into the exponent)", 2047.5, 0x6800],
    // Subnormal range, ulp 2^-24.
    ["2^-25 (tie, down to 0)", 2 ** -25, 0x0000],
    ["3·2^-25 (tie, up to 2·2^-24)", 3 * 2 ** -25, 0x0002],
    ["2^-25 + 2^-35 (above the tie)", 2 ** -25 + 2 ** -35, 0x0001],
    ["2^-26", 2 ** -26, 0x0000],
    ["2^-14 - 2^-25 (rounds up into the smallest normal)", 2 ** -14 - 2 ** -25, 0x0400],
  ])("%s", (_, value, bits) => {
    expect(hex(float32ToFloat16Bits(value))).toBe(hex(bits));
  });

  it("maps NaN to a NaN pattern", () => {
    const bits = float32ToFloat16Bits(NaN);
    expect(isHalfNaN(bits)).toBe(true);
    expect(Number.isNaN(half(bits))).toBe(true);
  });

  it("round trips all 65,536 half bit patterns through float32 (NaNs stay NaN)", () => {
    const floats = float16ToFloat32(ALL_BITS);
    let nans = 0;
    const mismatches: string[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const back = float32ToFloat16Bits(floats[bits]!);
      if (isHalfNaN(bits)) {
        nans++;
        if (!Number.isNaN(floats[bits]) || !isHalfNaN(back)) mismatches.push(hex(bits));
      } else if (back !== bits) {
        mismatches.push(`${hex(bits)} → ${floats[bits]} → ${hex(back)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(nans).toBe(2 * 1023);
  });

  it("rounds any float32 to the nearest half, ties to even", () => {
    // Checked against the neighbouring half values: none is strictly nearer, and a tie picks the even one.
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -65504, max: 65504 }), (x) => {
        const bits = float32ToFloat16Bits(x);
        const value = half(bits);
        const distance = Math.abs(value - x);
        const magnitude = bits & 0x7fff;
        for (const neighbour of [magnitude - 1, magnitude + 1]) {
          if (neighbour < 0 || neighbour > 0x7bff) continue;
          const other = Math.abs(half((bits & 0x8000) | neighbour) - x);
          expect(other).toBeGreaterThanOrEqual(distance);
          if (other === distance && distance !== 0) expect(magnitude % 2).toBe(0);
        }
        if (x !== 0) expect(Math.sign(value) === Math.sign(x) || value === 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("float16ToFloat32", () => {
  it("decodes known bit patterns", () => {
    const bits = new Uint16Array([0x0000, 0x8000, 0x3c00, 0xc000, 0x3555, 0x7bff, 0x0400, 0x03ff, 0x0001, 0x7c00, 0xfc00]);
    expect(Array.from(float16ToFloat32(bits))).toEqual([
      0, -0, 1, -2, 0.333251953125, 65504, 2 ** -14, 2 ** -14 - 2 ** -24, 2 ** -24, Infinity, -Infinity,
    ]);
    expect(Number.isNaN(half(0x7e00))).toBe(true);
    expect(Number.isNaN(half(0xfc01))).toBe(true);
  });

  it("returns a new array of the same length, empty for empty input", () => {
    expect(float16ToFloat32(new Uint16Array(0))).toEqual(new Float32Array(0));
    const input = new Uint16Array([0x3c00, 0x4000]);
    const out = float16ToFloat32(input);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.buffer).not.toBe(input.buffer);
    expect(Array.from(out)).toEqual([1, 2]);
  });
});

describe("bfloat16ToFloat32", () => {
  it("decodes known bit patterns", () => {
    const bits = new Uint16Array([0x3f80, 0xc060, 0x0000, 0x8000, 0x4049, 0x7f7f, 0x0001, 0x7f80, 0xff80]);
    expect(Array.from(bfloat16ToFloat32(bits))).toEqual([
      1, -3.5, 0, -0, 3.140625, 3.3895313892515355e38, 2 ** -133, Infinity, -Infinity,
    ]);
    expect(Number.isNaN(bfloat16ToFloat32(new Uint16Array([0x7fc0]))[0])).toBe(true);
  });

  it("puts each of the 65,536 patterns in the upper half of a float32, lower half zero", () => {
    const out = bfloat16ToFloat32(ALL_BITS);
    const words = new Uint32Array(out.buffer, out.byteOffset, out.length);
    let wrong = 0;
    for (let bits = 0; bits < 65536; bits++) if (words[bits] !== bits * 65536) wrong++;
    expect(wrong).toBe(0);
  });
});
