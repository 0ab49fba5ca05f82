/** quantizeEmbeddings, storedTensor and the rounding helpers, against values worked out for Python's steps. */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { float16ToFloat32, float32ToFloat16Bits } from "../../src/formats/float16.js";
import { InvalidInputError, ModelFormatError, decodeFloat32, readSafetensors } from "../../src/index.js";
import {
  parseQuantizeDtype,
  quantizeEmbeddings,
  roundHalfEven,
  roundToFloat16,
  storedTensor,
} from "../../src/quantize/dtype.js";
import { sharedPath } from "../shared.js";

const f32 = (values: number[]) => Float32Array.from(values);
const list = (values: Float32Array) => Array.from(values);

/** What model2vec < 0.8 did: `np.round(E / scale)` in float32, no float16 step. */
function directInt8(values: Float32Array): number[] {
  const scale = Math.fround(values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127);
  return Array.from(values, (v) => Math.max(-127, Math.min(127, roundHalfEven(Math.fround(v / scale)))) + 0);
}

/** The same rounding done in float64 throughout. */
function float64Int8(values: Float32Array): number[] {
  const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127;
  return Array.from(values, (v) => Math.max(-127, Math.min(127, roundHalfEven(v / scale))) + 0);
}

describe("parseQuantizeDtype", () => {
  it("accepts the four dtypes", () => {
    for (const dtype of ["float16", "float32", "float64", "int8"]) expect(parseQuantizeDtype(dtype)).toBe(dtype);
  });

  it("names the option and the allowed values", () => {
    for (const bad of ["int4", "F16", "", 8, null, undefined]) {
      expect(() => parseQuantizeDtype(bad)).toThrow(InvalidInputError);
    }
    expect(() => parseQuantizeDtype("int4")).toThrow('quantizeTo must be one of "float16", "float32", "float64", "int8", got "int4"');
    expect(() => parseQuantizeDtype(8, "dtype")).toThrow(/^dtype must be one of .*, got number$/);
  });
});

describe("quantizeEmbeddings: float dtypes", () => {
  it("rounds to half precision for float16 (ties to even, overflow to Infinity, underflow to 0)", () => {
    const values = f32([0.1, 1 / 3, -2.0004, 65519, 70000, 1e-8, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
    expect(list(quantizeEmbeddings(values, "float16"))).toEqual([
      0.0999755859375,
      0.333251953125,
      -2,
      65504,
      Infinity,
      0,
      1, // the tie 1 + 2^-11 goes down to the even mantissa
      1 + 2 ** -9, // the tie 1 + 3·2^-11 goes up to the even mantissa
    ]);
  });

  it("leaves values unchanged for float32 and float64, and always returns a copy", () => {
    const values = f32([0.1, -1e-30, 3.4e38, 1 / 3]);
    for (const dtype of ["float32", "float64"] as const) {
      const out = quantizeEmbeddings(values, dtype);
      expect(list(out)).toEqual(list(values));
      expect(out.buffer).not.toBe(values.buffer);
    }
  });

  it("returns the values unchanged when the source already has the dtype", () => {
    const ints = f32([3, -5, 7]);
    expect(list(quantizeEmbeddings(ints, "int8", { sourceDtype: "int8" }))).toEqual([3, -5, 7]);
    // The same numbers as float32 are rescaled so that max|E| maps to 127: 3 / (7/127) = 54.43 → 54.
    expect(list(quantizeEmbeddings(ints, "int8"))).toEqual([54, -91, 127]);
    const halves = quantizeEmbeddings(f32([0.1, 0.7]), "float16");
    expect(list(quantizeEmbeddings(halves, "float16", { sourceDtype: "float16" }))).toEqual(list(halves));
  });
});

describe("quantizeEmbeddings: int8 (Python v0.8: float16 buffer, divide, rint, clip)", () => {
  it("rounds the float16 buffer, not the float32 value, when the scale is 1", () => {
    // max|E| = 127, so scale = 1 and each result is rint(float16(x)).
    const values = f32([127, 2.5004, 3.4999, 0.5, -2.5, 1.5, 65.47, -126.6]);
    // 2.5004 → float16 2.5 (spacing 2^-9) → rint 2, where rounding the float32 value gives 3.
    // 3.4999 → float16 3.5 → rint 4 (ties to even), where the float32 value gives 3.
    // 0.5 → 0 and -2.5 → -2 (ties to even); 1.5 → 2.
    // 65.47 → float16 65.5 (spacing 2^-4) → 66, where the float32 value gives 65.
    expect(list(quantizeEmbeddings(values, "int8"))).toEqual([127, 2, 4, 0, -2, 2, 66, -127]);
    expect(directInt8(values)).toEqual([127, 3, 3, 0, -2, 2, 65, -127]);
    expect(float64Int8(values)).toEqual([127, 3, 3, 0, -2, 2, 65, -127]);
  });

  it("divides the float16 value by the scale", () => {
    // scale = 254 / 127 = 2; float16(5.001) = 5 (spacing 2^-8), 5 / 2 = 2.5 → 2 (float32 route: 2.5005 → 3).
    const values = f32([254, 5.001, -7, 0.1]);
    expect(list(quantizeEmbeddings(values, "int8"))).toEqual([127, 2, -4, 0]);
    expect(float64Int8(values)).toEqual([127, 3, -4, 0]);
  });

  it("rounds the quotient to float16 before rint", () => {
    // Both values are exact float16 numbers. scale = float32(0.68798828125 / 127) = 0.0054172305…;
    // -0.251953125 / scale = -46.5095825… (float32) → float16 (spacing 2^-5) -46.5 → rint -46.
    // Rounding the float32 quotient directly gives -47.
    const values = f32([0.68798828125, -0.251953125]);
    expect(list(quantizeEmbeddings(values, "int8"))).toEqual([127, -46]);
    expect(directInt8(values)).toEqual([127, -47]);
  });

  it("quantizes a small table as numpy does", () => {
    // scale = float32(0.7 / 127); e.g. float16(-0.35) = -0.35009765625, / scale = -63.5177… →
    // float16 -63.53125 → -64.
    const values = f32([0.1, -0.35, 0.2, 0.7, 0.05, -0.0042]);
    expect(list(quantizeEmbeddings(values, "int8"))).toEqual([18, -64, 36, 127, 9, -1]);
  });

  it("computes the scale in the source dtype", () => {
    // All four values are exact float16 numbers. As float16, scale = float16(0.84716796875 / 127)
    // = 0.006671905517578125; as float32 it is 0.0066706137…, and 0.60400390625 lands on 90 vs 91.
    const values = f32([-0.040008544921875, -0.53515625, 0.60400390625, 0.84716796875]);
    expect(list(quantizeEmbeddings(values, "int8", { sourceDtype: "float16" }))).toEqual([-6, -80, 90, 127]);
    expect(list(quantizeEmbeddings(values, "int8", { sourceDtype: "float32" }))).toEqual([-6, -80, 91, 127]);
  });

  it("gives integers in [-127, 127], symmetric, with no negative zero", () => {
    const values = f32([-1, 1, -0.001, 0.001, -0]);
    const out = quantizeEmbeddings(values, "int8");
    expect(list(out)).toEqual([-127, 127, 0, 0, 0]);
    expect(Object.is(out[2], -0)).toBe(false);
  });

  it("maps an all-zero table to zeros", () => {
    expect(list(quantizeEmbeddings(new Float32Array(5), "int8"))).toEqual([0, 0, 0, 0, 0]);
  });

  it("does not modify its input", () => {
    const values = f32([0.5, -0.25, 0.125]);
    quantizeEmbeddings(values, "int8");
    quantizeEmbeddings(values, "float16");
    expect(list(values)).toEqual([0.5, -0.25, 0.125]);
  });
});

describe("roundHalfEven and roundToFloat16", () => {
  it("rounds ties to even like np.rint", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6, 7].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3, -3, 7]);
  });

  it("agrees with the float32 → float16 bit conversion on every float32 value", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (value) => {
        const expected = float16ToFloat32(Uint16Array.of(float32ToFloat16Bits(value)))[0]!;
        expect(Object.is(roundToFloat16(value), expected)).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it("rounds a double once, not through float32", () => {
    // Through float32 this is the tie 1 + 2^-11, which goes to 1; directly it is just above the tie.
    expect(roundToFloat16(1 + 2 ** -11 + 2 ** -40)).toBe(1 + 2 ** -10);
    expect(roundToFloat16(-(2 ** -25) - 2 ** -50)).toBe(-(2 ** -24)); // subnormal, just above half the smallest
    expect(roundToFloat16(65519.999)).toBe(65504);
    expect(roundToFloat16(-65520)).toBe(-Infinity);
  });
});

describe("storedTensor", () => {
  const values = f32([0.1, -0.35, 0.2, 0.7, 0.05, -0.0042]);

  it("gives the typed array of each dtype, losslessly for quantized values", () => {
    const half = quantizeEmbeddings(values, "float16");
    const f16 = storedTensor(half, "float16");
    expect(f16.dtype).toBe("F16");
    expect(f16.data).toBeInstanceOf(Uint16Array);
    expect(list(float16ToFloat32(f16.data as Uint16Array))).toEqual(list(half));

    const f32tensor = storedTensor(values, "float32");
    expect(f32tensor).toEqual({ dtype: "F32", data: values });

    const f64 = storedTensor(values, "float64");
    expect(f64.dtype).toBe("F64");
    expect(Array.from(f64.data)).toEqual(list(values));

    const int8 = storedTensor(quantizeEmbeddings(values, "int8"), "int8");
    expect(int8.dtype).toBe("I8");
    expect(int8.data).toBeInstanceOf(Int8Array);
    expect(Array.from(int8.data)).toEqual([18, -64, 36, 127, 9, -1]);
  });

  it("accepts safetensors codes", () => {
    expect(storedTensor(f32([1, -128]), "I8").data).toEqual(Int8Array.of(1, -128));
    expect(storedTensor(f32([1]), "F16").data).toEqual(Uint16Array.of(0x3c00));
  });

  it("refuses int8 values that an int8 tensor cannot hold", () => {
    expect(() => storedTensor(f32([1, 2.5]), "int8")).toThrow(ModelFormatError);
    expect(() => storedTensor(f32([1, 2.5]), "int8")).toThrow("value 1 is 2.5");
    expect(() => storedTensor(f32([128]), "int8")).toThrow(ModelFormatError);
    expect(() => storedTensor(f32([NaN]), "int8")).toThrow(ModelFormatError);
  });

  it("refuses other dtypes", () => {
    expect(() => storedTensor(values, "bfloat16")).toThrow(InvalidInputError);
    expect(() => storedTensor(values, "bfloat16")).toThrow(/"float16", "F16", .*"int8", "I8", got "bfloat16"/);
  });
});

describe("against the model2vec-rs fixtures (same table saved as float32, float16 and int8)", () => {
  const root = sharedPath("reference/model2vec-rs-fixtures");
  const table = (name: string) => {
    const { tensors } = readSafetensors(new Uint8Array(readFileSync(`${root.path}/${name}/model.safetensors`)));
    return tensors.get("embeddings")!;
  };

  it.skipIf(!root.available)("float16 equals the Python-saved float16 tensor bit for bit", () => {
    const source = decodeFloat32(table("test-model-float32"));
    const saved = table("test-model-float16");
    const stored = storedTensor(quantizeEmbeddings(source, "float16"), "float16");
    expect(new Uint8Array(stored.data.buffer)).toEqual(saved.bytes);
  });

  it.skipIf(!root.available)("int8 is within 1 of the fixture, which predates the float16 step", () => {
    // The fixture was written by model2vec < 0.8 (`np.round(E / scale)` in float32): it matches
    // that formula exactly, and v0.8's float16 buffer moves some values by one step.
    const source = decodeFloat32(table("test-model-float32"));
    const saved = Array.from(new Int8Array(table("test-model-int8").bytes.slice().buffer));
    expect(directInt8(source)).toEqual(saved);
    const ours = quantizeEmbeddings(source, "int8");
    let differing = 0;
    for (let i = 0; i < ours.length; i++) {
      expect(Math.abs(ours[i]! - saved[i]!)).toBeLessThanOrEqual(1);
      if (ours[i] !== saved[i]) differing++;
    }
    expect(differing).toBeGreaterThan(0);
    expect(differing / ours.length).toBeLessThan(0.02);
  });
});
