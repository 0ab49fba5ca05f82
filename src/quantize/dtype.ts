/**
 * Embedding dtypes of Python model2vec's `quantize_embeddings` (v0.8): the values
 * each dtype stores, computed on the float32 table this library keeps in memory,
 * and the typed arrays to write them back out.
 */
import { InvalidInputError, ModelFormatError } from "../errors.js";
import { float16ToFloat32, float32ToFloat16Bits, halfBitsToNumber } from "../formats/float16.js";

/** The dtypes a model can be quantized to (Python's `DType` enum). */
export type QuantizeDtype = "float16" | "float32" | "float64" | "int8";

/** The accepted dtype names, in the order error messages list them. */
export const QUANTIZE_DTYPES: readonly QuantizeDtype[] = ["float16", "float32", "float64", "int8"];

/** Safetensors dtype codes of the stored tensors, by dtype name. */
const SAFETENSORS_CODES = { float16: "F16", float32: "F32", float64: "F64", int8: "I8" } as const;

/** A tensor ready for the safetensors writer: its dtype code and its stored values. */
export type StoredTensor =
  | { dtype: "F16"; data: Uint16Array }
  | { dtype: "F32"; data: Float32Array }
  | { dtype: "F64"; data: Float64Array }
  | { dtype: "I8"; data: Int8Array };

/** Options of {@link quantizeEmbeddings}. */
export interface QuantizeEmbeddingsOptions {
  /**
   * The numpy dtype the table came from (a model's `embeddingDtype`); default
   * "float32". Python skips a conversion to the same dtype, and computes the
   * int8 scale (and divides by it) in this dtype.
   */
  sourceDtype?: string;
}

/**
 * Validates a dtype name.
 *
 * @param option - The option name used in the error message.
 * @throws InvalidInputError naming the option and the allowed values.
 */
export function parseQuantizeDtype(value: unknown, option = "quantizeTo"): QuantizeDtype {
  if (typeof value === "string" && (QUANTIZE_DTYPES as readonly string[]).includes(value)) return value as QuantizeDtype;
  const shown = typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value;
  throw new InvalidInputError(`${option} must be one of ${QUANTIZE_DTYPES.map((d) => `"${d}"`).join(", ")}, got ${shown}`);
}

/**
 * The values Python's `quantize_embeddings(E, dtype)` stores, as float32:
 *
 * - same dtype as `sourceDtype`: unchanged;
 * - "float32" / "float64": unchanged (float32 values are exact in both);
 * - "float16": each value rounded to half precision (ties to even), as `astype(float16)`;
 * - "int8": `scale = max|E| / 127` in the source dtype, `buf = E.astype(float16)`,
 *   `buf /= scale` (in float32, or float64 for a float64 source, rounded back to
 *   float16), `np.rint` (ties to even), clip to [−127, 127]. The result is the
 *   integers, with no scale: inference averages the raw values, so only
 *   normalized or cosine outputs compare with the float model.
 *
 * An all-zero table gives zeros for int8 (numpy divides 0 by 0 there).
 *
 * @returns A new Float32Array; `values` is not modified.
 * @throws InvalidInputError for an unknown dtype.
 */
export function quantizeEmbeddings(
  values: Float32Array,
  dtype: QuantizeDtype,
  options: QuantizeEmbeddingsOptions = {},
): Float32Array {
  const target = parseQuantizeDtype(dtype, "dtype");
  const source = options.sourceDtype ?? "float32";
  if (target === source) return values.slice();
  switch (target) {
    case "float32":
    case "float64":
      return values.slice();
    case "float16":
      return roundArrayToFloat16(values);
    case "int8":
      return quantizeInt8(values, source);
  }
}

/**
 * Rounds a number to the nearest float16 value (ties to even), directly from
 * its double value, as numpy's float64 → float16 cast does. Overflow gives ±Infinity.
 */
export function roundToFloat16(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const magnitude = Math.abs(value);
  if (magnitude >= 65520) return value > 0 ? Infinity : -Infinity;
  // The spacing of float16 values around `magnitude`: 2^(e − 10), or 2^−24 below the normal range.
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  if (exponent < -14) exponent = -14;
  const ulp = 2 ** (exponent - 10);
  const rounded = roundHalfEven(magnitude / ulp) * ulp;
  return value < 0 ? -rounded : rounded;
}

/** `np.rint`: rounds to the nearest integer, ties to even, keeping the sign of zero. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  const rounded = fraction < 0.5 ? floor : fraction > 0.5 ? floor + 1 : floor % 2 === 0 ? floor : floor + 1;
  return rounded === 0 && value < 0 ? -0 : rounded;
}

/**
 * The typed array a table is saved as in `dtype` (a numpy name such as a model's
 * `embeddingDtype`, or a safetensors code "F16", "F32", "F64", "I8"). Lossless
 * for values produced by {@link quantizeEmbeddings} for that dtype; float16
 * rounds other values to half precision.
 *
 * @throws InvalidInputError for another dtype;
 *   ModelFormatError when an int8 value is not an integer in [−128, 127].
 */
export function storedTensor(table: Float32Array, dtype: QuantizeDtype | string): StoredTensor {
  const name = storedDtypeName(dtype);
  switch (name) {
    case "float16": {
      const data = new Uint16Array(table.length);
      for (let i = 0; i < table.length; i++) data[i] = float32ToFloat16Bits(table[i]!);
      return { dtype: "F16", data };
    }
    case "float32":
      return { dtype: "F32", data: table };
    case "float64":
      return { dtype: "F64", data: Float64Array.from(table) };
    case "int8": {
      const data = new Int8Array(table.length);
      for (let i = 0; i < table.length; i++) {
        const value = table[i]!;
        if (!Number.isInteger(value) || value < -128 || value > 127) {
          throw new ModelFormatError(`an int8 table must hold integers in [-128, 127], but value ${i} is ${value}`);
        }
        data[i] = value;
      }
      return { dtype: "I8", data };
    }
  }
}

function storedDtypeName(dtype: string): QuantizeDtype {
  for (const name of QUANTIZE_DTYPES) if (dtype === name || dtype === SAFETENSORS_CODES[name]) return name;
  const allowed = QUANTIZE_DTYPES.flatMap((d) => [`"${d}"`, `"${SAFETENSORS_CODES[d]}"`]).join(", ");
  throw new InvalidInputError(`storedTensor: dtype must be one of ${allowed}, got ${typeof dtype === "string" ? JSON.stringify(dtype) : typeof dtype}`);
}

function roundArrayToFloat16(values: Float32Array): Float32Array {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = float32ToFloat16Bits(values[i]!);
  return float16ToFloat32(bits);
}

/** Python v0.8's int8 path; see {@link quantizeEmbeddings}. */
function quantizeInt8(values: Float32Array, source: string): Float32Array {
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]!);
    if (magnitude > maxAbs) maxAbs = magnitude;
  }
  // numpy keeps the scale in the source dtype; a float16 array divides in float32
  // (the half loop widens both operands), float32 in float32, float64 in float64.
  const wide = source === "float64";
  const scale = source === "float16" ? roundToFloat16(Math.fround(maxAbs / 127)) : wide ? maxAbs / 127 : Math.fround(maxAbs / 127);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const half = wide ? roundToFloat16(values[i]!) : halfOf(values[i]!);
    const quotient = wide ? half / scale : Math.fround(half / scale);
    const buffered = wide ? roundToFloat16(quotient) : halfOf(quotient);
    // 0 / 0 (an all-zero table) is NaN in numpy, whose int8 cast is undefined; use 0.
    const rounded = Number.isNaN(buffered) ? 0 : roundHalfEven(buffered);
    out[i] = rounded > 127 ? 127 : rounded < -127 ? -127 : rounded + 0; // + 0 turns −0 into 0
  }
  return out;
}

/** float32 → nearest float16 value, via the shared bit conversion, without allocating. */
function halfOf(value: number): number {
  return halfBitsToNumber(float32ToFloat16Bits(value));
}
