/**
 * Hostile but spec-valid or oversized safetensors files (issue #13, items 6 and 9):
 * data that starts at an offset no multiple of the element size, read from a
 * Node Buffer (whose slice() is a view, not a copy) and from a plain Uint8Array;
 * and headers with too many tensors or too many bytes, refused by name before
 * they cost seconds and gigabytes.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ModelFormatError } from "../../src/errors.js";
import { DTYPE_SIZES, MAX_HEADER_BYTES, MAX_TENSORS, decodeFloat32, decodeInt32, readSafetensors } from "../../src/formats/safetensors.js";
import { type TensorToWrite, writeSafetensors } from "../../src/formats/safetensors-writer.js";
import { thrown } from "../fixtures/errors.js";

/** One tensor per dtype, each an odd number of elements so later offsets are misaligned too. */
const TENSORS: TensorToWrite[] = [
  { name: "f64", dtype: "F64", shape: [3], data: new Float64Array([0.5, -2, 1024]) },
  { name: "f32", dtype: "F32", shape: [3], data: new Float32Array([1.5, -2.25, 7]) },
  { name: "f16", dtype: "F16", shape: [3], data: new Uint16Array([0x3e00, 0xc000, 0x7bff]) }, // 1.5, -2, 65504
  { name: "bf16", dtype: "BF16", shape: [3], data: new Uint16Array([0x3f80, 0xc060, 0x4000]) }, // 1, -3.5, 2
  { name: "i64", dtype: "I64", shape: [3], data: new BigInt64Array([-5n, 2147483647n, 9n]) },
  { name: "i32", dtype: "I32", shape: [3], data: new Int32Array([-7, 0, 123456]) },
  { name: "i8", dtype: "I8", shape: [3], data: new Int8Array([-128, 0, 127]) },
  { name: "u8", dtype: "U8", shape: [3], data: new Uint8Array([0, 128, 255]) },
];

const FLOATS: Record<string, number[]> = {
  f64: [0.5, -2, 1024],
  f32: [1.5, -2.25, 7],
  f16: [1.5, -2, 65504],
  bf16: [1, -3.5, 2],
  i64: [-5, 2147483648, 9], // 2^31-1 rounds to 2^31 in float32
  i32: [-7, 0, 123456],
  i8: [-128, 0, 127],
  u8: [0, 128, 255],
};
const INTS: Record<string, number[]> = { i64: [-5, 2147483647, 9], i32: [-7, 0, 123456], i8: [-128, 0, 127], u8: [0, 128, 255] };

/** `file` with one more space at the end of its header (still valid JSON), so the data starts one byte later. */
function withOneMoreHeaderByte(file: Uint8Array): Uint8Array {
  const headerLength = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const out = new Uint8Array(file.byteLength + 1);
  out.set(file.subarray(0, 8 + headerLength));
  out[8 + headerLength] = 0x20;
  out.set(file.subarray(8 + headerLength), 9 + headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength + 1), true);
  return out;
}

/** A file with `count` zero-size U8 tensors named t0, t1, … (the red team's 1 M-tensor header, scaled). */
function zeroSizeTensors(count: number): Uint8Array {
  const entries: string[] = [];
  for (let i = 0; i < count; i++) entries.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
  const json = new TextEncoder().encode(`{${entries.join(",")}}`);
  const out = new Uint8Array(8 + json.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  return out;
}

describe("item 6: data offsets that are not a multiple of the element size", () => {
  const misaligned = withOneMoreHeaderByte(writeSafetensors(TENSORS));
  const inputs: [string, () => Uint8Array][] = [
    ["a Node Buffer", () => Buffer.from(misaligned)],
    ["a plain Uint8Array", () => misaligned.slice()],
    ["a Buffer that is a view into a larger allocation", () => Buffer.concat([Buffer.alloc(2), Buffer.from(misaligned)]).subarray(2)],
  ];

  for (const [label, input] of inputs) {
    it(`decodes every dtype exactly from ${label}`, () => {
      const bytes = input();
      const { tensors } = readSafetensors(bytes, "misaligned.safetensors");
      // The premise: every multi-byte tensor really is misaligned in its buffer.
      for (const tensor of tensors.values()) {
        const size = DTYPE_SIZES[tensor.dtype];
        if (size > 1) expect(tensor.bytes.byteOffset % size, tensor.name).not.toBe(0);
      }
      for (const [name, values] of Object.entries(FLOATS)) expect(Array.from(decodeFloat32(tensors.get(name)!)), name).toEqual(values);
      for (const [name, values] of Object.entries(INTS)) expect(Array.from(decodeInt32(tensors.get(name)!)), name).toEqual(values);
      // Decoding copied the misaligned bytes: the input is untouched.
      expect(Buffer.from(bytes).equals(Buffer.from(misaligned))).toBe(true);
    });
  }

  it("still decodes an aligned F32 tensor in a Buffer as a view (no copy)", () => {
    const bytes = Buffer.from(writeSafetensors([TENSORS[1]!]));
    const tensor = readSafetensors(bytes).tensors.get("f32")!;
    expect(tensor.bytes.byteOffset % 4).toBe(0);
    expect(decodeFloat32(tensor).buffer).toBe(bytes.buffer);
  });
});

describe("item 9: bounded headers", () => {
  afterEach(() => vi.restoreAllMocks());

  it("documents the limits: at most 1024 tensors and a 1 MiB header", () => {
    expect(MAX_TENSORS).toBe(1024);
    expect(MAX_HEADER_BYTES).toBe(1024 * 1024);
  });

  it(`accepts exactly ${1024} tensors`, () => {
    expect(readSafetensors(zeroSizeTensors(1024)).tensors.size).toBe(1024);
  });

  it("refuses 1025 tensors with a ModelFormatError naming the count and the limit", () => {
    const error = thrown(() => readSafetensors(zeroSizeTensors(1025), "many.safetensors"));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toContain("many.safetensors: ");
    expect(error.message).toContain("1025 tensors");
    expect(error.message).toContain("limit of 1024");
  });

  it("refuses a header over 1 MiB (20,000 zero-size tensors) before decoding or parsing it", () => {
    const file = zeroSizeTensors(20_000);
    const headerLength = file.byteLength - 8;
    expect(headerLength).toBeGreaterThan(1024 * 1024);
    const parse = vi.spyOn(JSON, "parse");
    const decode = vi.spyOn(TextDecoder.prototype, "decode");
    const error = thrown(() => readSafetensors(file, "huge-header.safetensors"));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toContain(`huge-header.safetensors: header length ${headerLength} at byte 0 exceeds the 1048576-byte limit`);
    expect(parse).not.toHaveBeenCalled();
    expect(decode).not.toHaveBeenCalled();
  });
});
