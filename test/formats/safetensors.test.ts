/**
 * The safetensors reader and writer: exact round trips for every dtype, the
 * writer's layout (padding, ordering, alignment), one test per way a file can be
 * corrupt, and property-based round trips and fuzzing.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError, ModelFormatError } from "../../src/errors.js";
import {
  DTYPE_SIZES,
  type Dtype,
  MAX_HEADER_BYTES,
  type RawTensor,
  type SafetensorsFile,
  decodeFloat32,
  decodeInt32,
  readSafetensors,
} from "../../src/formats/safetensors.js";
import { type TensorToWrite, writeSafetensors } from "../../src/formats/safetensors-writer.js";

const DTYPES = Object.keys(DTYPE_SIZES) as Dtype[];
const INTEGER_DTYPES: readonly Dtype[] = ["I64", "I32", "I8", "U8"];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** A file from a header (object, or raw JSON text) and `dataLength` data bytes filled with `fill`. */
function craft(header: object | string, dataLength: number, fill = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.fill(fill, 8 + json.byteLength);
  return out;
}

/** An 8-byte header-length prefix followed by `rest` arbitrary bytes. */
function prefixOnly(headerLength: bigint, rest: number): Uint8Array {
  const out = new Uint8Array(8 + rest);
  new DataView(out.buffer).setBigUint64(0, headerLength, true);
  return out;
}

/** The error `fn` throws (failing the test when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error, none was thrown");
}

/** Asserts `fn` throws a ModelFormatError whose message contains every part. */
function expectFormatError(fn: () => unknown, ...parts: string[]): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ModelFormatError);
  for (const part of parts) expect((error as Error).message).toContain(part);
}

const read = (bytes: Uint8Array) => readSafetensors(bytes, "bad.safetensors");

/** The parsed header JSON and its byte length, read straight from the file. */
function rawHeader(file: Uint8Array): { length: number; text: string; json: Record<string, any> } {
  const length = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(file.subarray(8, 8 + length));
  return { length, text, json: JSON.parse(text) };
}

const elementsOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Float16 bits to a number, written independently of src/formats/float16.ts. */
function halfReference(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * Math.pow(2, -14) * (fraction / 1024);
  return sign * Math.pow(2, exponent - 15) * (1 + fraction / 1024);
}

/** The float32 values a tensor's little-endian bytes should decode to (via DataView, not typed arrays). */
function referenceFloat32(dtype: Dtype, raw: Uint8Array): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const scratch = new DataView(new ArrayBuffer(4));
  const size = DTYPE_SIZES[dtype];
  const out: number[] = [];
  for (let at = 0; at < raw.byteLength; at += size) {
    switch (dtype) {
      case "F64": out.push(Math.fround(view.getFloat64(at, true))); break;
      case "F32": out.push(view.getFloat32(at, true)); break;
      case "F16": out.push(halfReference(view.getUint16(at, true))); break;
      case "BF16":
        scratch.setUint32(0, view.getUint16(at, true) * 65536);
        out.push(scratch.getFloat32(0));
        break;
      case "I64": out.push(Math.fround(Number(view.getBigInt64(at, true)))); break;
      case "I32": out.push(Math.fround(view.getInt32(at, true))); break;
      case "I8": out.push(view.getInt8(at)); break;
      case "U8": out.push(view.getUint8(at)); break;
    }
  }
  return out;
}

/** The integer values of an integer tensor's bytes, as bigint (so I64 range is visible). */
function referenceIntegers(dtype: Dtype, raw: Uint8Array): bigint[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = DTYPE_SIZES[dtype];
  const out: bigint[] = [];
  for (let at = 0; at < raw.byteLength; at += size) {
    if (dtype === "I64") out.push(view.getBigInt64(at, true));
    else if (dtype === "I32") out.push(BigInt(view.getInt32(at, true)));
    else if (dtype === "I8") out.push(BigInt(view.getInt8(at)));
    else out.push(BigInt(view.getUint8(at)));
  }
  return out;
}

/** Typed data of `dtype` holding a copy of `raw` (float16/bfloat16 as Uint16Array bits). */
function typedData(dtype: Dtype, raw: Uint8Array): TensorToWrite["data"] {
  const buffer = raw.slice().buffer;
  switch (dtype) {
    case "F64": return new Float64Array(buffer);
    case "F32": return new Float32Array(buffer);
    case "F16":
    case "BF16": return new Uint16Array(buffer);
    case "I64": return new BigInt64Array(buffer);
    case "I32": return new Int32Array(buffer);
    case "I8": return new Int8Array(buffer);
    case "U8": return new Uint8Array(buffer);
  }
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

/** One tensor of every dtype, with values at the edges of each type. */
const EVERY_DTYPE: TensorToWrite[] = [
  { name: "f32", dtype: "F32", shape: [2, 2], data: new Float32Array([1.5, -2.25, 3.4028234663852886e38, 2 ** -149]) },
  // float16 bits of 1.5, -2, 65504 (largest finite), 2^-24 (smallest subnormal)
  { name: "f16", dtype: "F16", shape: [4], data: new Uint16Array([0x3e00, 0xc000, 0x7bff, 0x0001]) },
  // bfloat16 bits of 1.0 and -3.5
  { name: "bf16", dtype: "BF16", shape: [2], data: new Uint16Array([0x3f80, 0xc060]) },
  { name: "f64", dtype: "F64", shape: [3], data: new Float64Array([0.1, -1e300, 2 ** -1074]) },
  { name: "i8", dtype: "I8", shape: [255], data: Int8Array.from({ length: 255 }, (_, i) => i - 127) },
  { name: "u8", dtype: "U8", shape: [1, 3], data: new Uint8Array([0, 128, 255]) },
  { name: "i32", dtype: "I32", shape: [4], data: new Int32Array([2147483647, -2147483648, 0, 7]) },
  { name: "i64", dtype: "I64", shape: [2, 1], data: new BigInt64Array([2147483647n, -2147483648n]) },
];
const METADATA = { format: "pt", note: "ünïcödé ✓" };

/** Asserts the decoded values of the EVERY_DTYPE tensors, exactly. */
function expectEveryDtypeValues(file: SafetensorsFile): void {
  const t = (name: string) => file.tensors.get(name)!;
  const floats = (name: string) => Array.from(decodeFloat32(t(name)));
  const ints = (name: string) => Array.from(decodeInt32(t(name)));

  expect(floats("f32")).toEqual([1.5, -2.25, 3.4028234663852886e38, 2 ** -149]);
  expect(floats("f16")).toEqual([1.5, -2, 65504, 2 ** -24]);
  expect(floats("bf16")).toEqual([1, -3.5]);
  // F64 decodes to float32 (0.1 rounds, -1e300 overflows, 2^-1074 underflows) ...
  expect(floats("f64")).toEqual([Math.fround(0.1), -Infinity, 0]);
  // ... but its stored bytes are the exact float64 values.
  expect(Array.from(new Float64Array(t("f64").bytes.slice().buffer))).toEqual([0.1, -1e300, 2 ** -1074]);

  const minus127to127 = Array.from({ length: 255 }, (_, i) => i - 127);
  expect(floats("i8")).toEqual(minus127to127);
  expect(ints("i8")).toEqual(minus127to127);
  expect(floats("u8")).toEqual([0, 128, 255]);
  expect(ints("u8")).toEqual([0, 128, 255]);
  expect(ints("i32")).toEqual([2147483647, -2147483648, 0, 7]);
  expect(floats("i32")).toEqual([2147483648, -2147483648, 0, 7]); // 2^31-1 rounds to 2^31 in float32
  expect(ints("i64")).toEqual([2147483647, -2147483648]);
  expect(floats("i64")).toEqual([2147483648, -2147483648]);
}

describe("round trip writer → reader → decode", () => {
  const file = writeSafetensors(EVERY_DTYPE, METADATA);

  it("preserves names, dtypes, shapes, bytes and metadata for every dtype", () => {
    const parsed = readSafetensors(file, "every.safetensors");
    expect([...parsed.tensors.keys()].sort()).toEqual(EVERY_DTYPE.map((t) => t.name).sort());
    for (const written of EVERY_DTYPE) {
      const tensor = parsed.tensors.get(written.name)!;
      expect(tensor.name).toBe(written.name);
      expect(tensor.dtype).toBe(written.dtype);
      expect(tensor.shape).toEqual(written.shape);
      const writtenBytes = new Uint8Array(written.data.buffer, written.data.byteOffset, written.data.byteLength);
      expect(tensor.bytes).toEqual(writtenBytes);
    }
    expect(parsed.metadata).toEqual(METADATA);
  });

  it("decodes exact values for every dtype", () => {
    expectEveryDtypeValues(readSafetensors(file));
  });

  it("decodes an aligned F32 tensor as a zero-copy view of the input bytes", () => {
    const tensor = readSafetensors(file).tensors.get("f32")!;
    const decoded = decodeFloat32(tensor);
    expect(decoded.buffer).toBe(file.buffer);
    expect(decoded.byteOffset).toBe(tensor.bytes.byteOffset);
    expect(tensor.bytes.buffer).toBe(file.buffer); // the raw tensor is a view too
  });

  it("decodes correctly from a misaligned input (byteOffset 1 of a larger buffer)", () => {
    const larger = new Uint8Array(file.byteLength + 1);
    larger.set(file, 1);
    const shifted = larger.subarray(1);
    const parsed = readSafetensors(shifted);
    // Every multi-byte tensor is now misaligned for its element size.
    for (const tensor of parsed.tensors.values()) {
      const size = DTYPE_SIZES[tensor.dtype];
      if (size > 1) expect(tensor.bytes.byteOffset % size).not.toBe(0);
    }
    expectEveryDtypeValues(parsed);
    // F32 can no longer be a view of the misaligned buffer; it is an aligned copy.
    expect(decodeFloat32(parsed.tensors.get("f32")!).buffer).not.toBe(larger.buffer);
  });

  it("round trips an empty tensor list and zero-sized tensors", () => {
    const empty = writeSafetensors([]);
    expect(rawHeader(empty).length).toBe(8); // "{}" + 6 spaces
    expect(readSafetensors(empty).tensors.size).toBe(0);
    expect(readSafetensors(empty).metadata).toEqual({});

    const zero = readSafetensors(
      writeSafetensors([
        { name: "none", dtype: "F32", shape: [0, 3], data: new Float32Array(0) },
        { name: "scalar", dtype: "I64", shape: [], data: new BigInt64Array([-5n]) },
      ]),
    );
    expect(zero.tensors.get("none")!.shape).toEqual([0, 3]);
    expect(decodeFloat32(zero.tensors.get("none")!)).toEqual(new Float32Array(0));
    expect(zero.tensors.get("scalar")!.shape).toEqual([]);
    expect(Array.from(decodeInt32(zero.tensors.get("scalar")!))).toEqual([-5]);
  });
});

// ---------------------------------------------------------------------------
// Writer layout
// ---------------------------------------------------------------------------

describe("writer layout", () => {
  it("orders tensors by descending dtype size, then name, so every tensor is aligned", () => {
    const one = (name: string, dtype: Dtype): TensorToWrite => ({
      name,
      dtype,
      shape: [3], // odd element count, so 1- and 2-byte tensors would misalign anything after them
      data: typedData(dtype, new Uint8Array(3 * DTYPE_SIZES[dtype]).map((_, i) => i)),
    });
    const tensors = [
      one("b_u8", "U8"), one("a_f16", "F16"), one("z_f64", "F64"), one("c_i64", "I64"),
      one("m_f32", "F32"), one("a_i8", "I8"), one("y_bf16", "BF16"), one("k_i32", "I32"),
    ];
    const file = writeSafetensors(tensors);
    const { length, json } = rawHeader(file);

    const byBegin = Object.entries(json).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
    expect(byBegin.map(([name]) => name)).toEqual([
      "c_i64", "z_f64", // 8 bytes
      "k_i32", "m_f32", // 4 bytes
      "a_f16", "y_bf16", // 2 bytes
      "a_i8", "b_u8", // 1 byte
    ]);
    // Contiguous from 0 to the end of the file.
    let expectedBegin = 0;
    for (const [, entry] of byBegin) {
      expect(entry.data_offsets[0]).toBe(expectedBegin);
      expectedBegin = entry.data_offsets[1];
    }
    expect(8 + length + expectedBegin).toBe(file.byteLength);

    // Each tensor's file offset is a multiple of its element size.
    for (const tensor of readSafetensors(file).tensors.values()) {
      expect(tensor.bytes.byteOffset % DTYPE_SIZES[tensor.dtype]).toBe(0);
    }
  });

  it("pads the header with spaces to a multiple of 8 bytes, for every padding amount", () => {
    const paddings = new Set<number>();
    for (let extra = 0; extra < 16; extra++) {
      // A non-ASCII name makes the UTF-8 byte length differ from the string length.
      const file = writeSafetensors(
        [{ name: "é", dtype: "F64", shape: [1], data: new Float64Array([extra]) }],
        { pad: "x".repeat(extra) },
      );
      const { length, text } = rawHeader(file);
      expect(length % 8).toBe(0);
      const unpadded = new TextEncoder().encode(text.trimEnd()).byteLength;
      paddings.add(length - unpadded);
      expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
      expect(Array.from(decodeFloat32(readSafetensors(file).tensors.get("é")!))).toEqual([extra]);
    }
    expect([...paddings].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("omits an empty metadata object", () => {
    expect(rawHeader(writeSafetensors([], {})).json).toEqual({});
    expect(rawHeader(writeSafetensors([], { a: "b" })).json).toEqual({ __metadata__: { a: "b" } });
  });
});

describe("writer errors", () => {
  it("rejects data whose byte length does not match the shape", () => {
    const error = thrown(() =>
      writeSafetensors([{ name: "short", dtype: "F32", shape: [2, 3], data: new Float32Array(5) }]),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain('"short"');
    expect((error as Error).message).toContain("needs 24 bytes, data has 20");
  });

  it("rejects F16 data given as float32 (4 bytes per element instead of 2)", () => {
    const error = thrown(() =>
      writeSafetensors([{ name: "h", dtype: "F16", shape: [2], data: new Float32Array(2) }]),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain("needs 4 bytes, data has 8");
  });

  it("rejects duplicate names and the reserved name __metadata__", () => {
    const t = (name: string): TensorToWrite => ({ name, dtype: "U8", shape: [1], data: new Uint8Array(1) });
    const duplicate = thrown(() => writeSafetensors([t("x"), t("y"), t("x")]));
    expect(duplicate).toBeInstanceOf(InvalidInputError);
    expect((duplicate as Error).message).toContain('"x"');
    const reserved = thrown(() => writeSafetensors([t("__metadata__")]));
    expect(reserved).toBeInstanceOf(InvalidInputError);
    expect((reserved as Error).message).toContain('"__metadata__"');
  });

  // KNOWN BUG (src/formats/safetensors-writer.ts): `tensor.name in header` also
  // sees Object.prototype, so these legal names are refused as "reserved or
  // repeated" (and "__proto__" would not become an own key). When fixed, turn
  // `it.fails` into `it`.
  it("accepts tensor names that are Object.prototype properties", () => {
    const names = ["constructor", "toString", "__proto__"];
    const file = writeSafetensors(names.map((name) => ({ name, dtype: "U8", shape: [1], data: new Uint8Array([7]) })));
    expect([...readSafetensors(file).tensors.keys()].sort()).toEqual([...names].sort());
  });

  // KNOWN BUG (src/formats/safetensors-writer.ts): shape entries are not
  // validated, so [-2, -2] (product 4) or [1.5, 2] (product 3) are written into
  // a file the reader then refuses. When fixed, turn `it.fails` into `it`.
  it("rejects negative or fractional shape entries", () => {
    expect(() =>
      writeSafetensors([{ name: "neg", dtype: "F32", shape: [-2, -2], data: new Float32Array(4) }]),
    ).toThrow(InvalidInputError);
  });
});

// ---------------------------------------------------------------------------
// Corrupt files: one test per rule of the format
// ---------------------------------------------------------------------------

describe("corrupt files", () => {
  afterEach(() => vi.restoreAllMocks());

  const f32 = (begin: number, end: number, shape: number[] = [(end - begin) / 4]) => ({
    dtype: "F32",
    shape,
    data_offsets: [begin, end],
  });

  it("file shorter than 8 bytes", () => {
    expectFormatError(() => read(new Uint8Array(5)), "bad.safetensors: ", "file is 5 bytes", "8-byte header length");
    expectFormatError(() => read(new Uint8Array(0)), "file is 0 bytes");
  });

  it("header length larger than the file", () => {
    expectFormatError(
      () => read(prefixOnly(1000n, 20)),
      "bad.safetensors: ",
      "header length 1000 at byte 0",
      "larger than the 20 bytes after it",
    );
  });

  it("header length over MAX_HEADER_BYTES (1 MiB) is refused before anything is read", () => {
    const parse = vi.spyOn(JSON, "parse");
    const decode = vi.spyOn(TextDecoder.prototype, "decode");
    expectFormatError(
      () => read(prefixOnly(BigInt(MAX_HEADER_BYTES + 1), 4)),
      `header length ${MAX_HEADER_BYTES + 1} at byte 0`,
      `exceeds the ${MAX_HEADER_BYTES}-byte limit`,
    );
    expectFormatError(() => read(prefixOnly(2n ** 64n - 1n, 4)), "at byte 0", "exceeds");
    expect(parse).not.toHaveBeenCalled();
    expect(decode).not.toHaveBeenCalled();
    // Exactly the limit is not "over" it: the file-size check reports it instead.
    expectFormatError(() => read(prefixOnly(BigInt(MAX_HEADER_BYTES), 4)), "larger than the 4 bytes after it");
  });

  it("header JSON that does not parse", () => {
    expectFormatError(() => read(craft('{"t": {', 0)), "header JSON (bytes 8 to 15) does not parse");
  });

  it("header bytes that are not UTF-8", () => {
    const bytes = craft('{"t":1}', 0);
    bytes[10] = 0xff; // inside the JSON string "t"
    expectFormatError(() => read(bytes), "header JSON (bytes 8 to 15) does not parse");
  });

  it("header JSON that is an array (or another non-object)", () => {
    expectFormatError(() => read(craft([{ dtype: "F32", shape: [0], data_offsets: [0, 0] }], 0)), "is not an object", "bytes 8 to");
    expectFormatError(() => read(craft("null", 0)), "is not an object", "bytes 8 to");
    expectFormatError(() => read(craft('"text"', 0)), "is not an object", "bytes 8 to");
  });

  it("a tensor entry that is not an object", () => {
    expectFormatError(() => read(craft({ t: 5 }, 0)), 'tensor "t": entry is not an object');
  });

  it("offsets past the end of the data buffer", () => {
    expectFormatError(
      () => read(craft({ t: f32(0, 8) }, 4)),
      'tensor "t"',
      "data_offsets [0, 8] run past the end of the 4-byte data buffer",
    );
  });

  it("begin > end", () => {
    expectFormatError(() => read(craft({ t: f32(8, 4, [1]) }, 8)), 'tensor "t"', "data_offsets [8,4]");
  });

  it("data_offsets that are not two non-negative integers", () => {
    for (const offsets of [[0], [0, 4, 8], [-4, 0], [0, 4.5], "0,4", null]) {
      expectFormatError(
        () => read(craft({ t: { dtype: "U8", shape: [4], data_offsets: offsets } }, 4)),
        'tensor "t"',
        "data_offsets",
      );
    }
  });

  it("overlapping tensors", () => {
    expectFormatError(
      () => read(craft({ a: f32(0, 8), b: f32(4, 12) }, 12)),
      'tensor "b"',
      "data_offsets start at 4, overlapping the previous tensor, which ends at 8",
    );
  });

  it("a hole between tensors", () => {
    expectFormatError(
      () => read(craft({ a: f32(0, 4), b: f32(8, 12) }, 12)),
      'tensor "b"',
      "leaving bytes 4 to 8 of the data buffer uncovered",
    );
  });

  it("a hole before the first tensor", () => {
    expectFormatError(() => read(craft({ a: f32(4, 8) }, 8)), 'tensor "a"', "leaving bytes 0 to 4");
  });

  it("trailing bytes after the last tensor", () => {
    const bytes = craft({ a: f32(0, 4) }, 6);
    const dataStart = bytes.byteLength - 6;
    expectFormatError(
      () => read(bytes),
      "data buffer is 6 bytes but the tensors cover only 4",
      `file bytes ${dataStart + 4} to ${bytes.byteLength}`,
    );
  });

  it("shape × dtype size ≠ byte span", () => {
    expectFormatError(
      () => read(craft({ t: f32(0, 8, [3]) }, 8)),
      'tensor "t"',
      "shape [3] × F32 needs 12 bytes but data_offsets [0, 8] span 8",
    );
    // The same span with a 2-byte dtype.
    expectFormatError(
      () => read(craft({ h: { dtype: "F16", shape: [2, 3], data_offsets: [0, 8] } }, 8)),
      'tensor "h"',
      "needs 12 bytes",
    );
  });

  it("unknown dtype", () => {
    for (const dtype of ["F8_E4M3", "Q4", "f32", "", 4, null]) {
      expectFormatError(
        () => read(craft({ t: { dtype, shape: [4], data_offsets: [0, 4] } }, 4)),
        'tensor "t"',
        `unknown dtype ${JSON.stringify(dtype)}`,
        "expected one of F64, F32, F16, BF16, I64, I32, I8, U8",
      );
    }
  });

  it("a dtype named after an Object.prototype property is still refused", () => {
    for (const dtype of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expectFormatError(() => read(craft({ t: { dtype, shape: [1], data_offsets: [0, 4] } }, 4)), 'tensor "t"');
    }
  });

  // KNOWN BUG (src/formats/safetensors.ts): `dtype in DTYPE_SIZES` accepts
  // inherited names, so "toString" is refused only later, by the size check,
  // with the misleading message "shape [1] × toString needs NaN bytes". When
  // fixed (Object.hasOwn), turn `it.fails` into `it`.
  it("reports a dtype named after an Object.prototype property as unknown", () => {
    expectFormatError(() => read(craft({ t: { dtype: "toString", shape: [1], data_offsets: [0, 4] } }, 4)), "unknown dtype");
  });

  it("non-integer or negative shape entries", () => {
    for (const shape of [[1.5], [-1], [2, -2], ["4"], [null], "4", 4]) {
      expectFormatError(
        () => read(craft({ t: { dtype: "U8", shape, data_offsets: [0, 4] } }, 4)),
        'tensor "t"',
        `shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
      );
    }
  });

  it("a shape whose byte size overflows a safe integer", () => {
    expectFormatError(
      () => read(craft({ t: { dtype: "F64", shape: [2 ** 30, 2 ** 30, 2 ** 10], data_offsets: [0, 8] } }, 8)),
      'tensor "t"',
      "data_offsets [0, 8] span 8",
    );
  });

  it("a non-string __metadata__ value", () => {
    expectFormatError(
      () => read(craft({ __metadata__: { format: "pt", version: 2 } }, 0)),
      '"__metadata__" entry "version" is not a string',
    );
    expectFormatError(() => read(craft({ __metadata__: ["pt"] }, 0)), '"__metadata__" is not an object');
    expectFormatError(() => read(craft({ __metadata__: null }, 0)), '"__metadata__" is not an object');
  });

  it("accepts a hand-crafted valid file, including a zero-length tensor and unpadded header", () => {
    const bytes = craft({ __metadata__: { k: "v" }, e: { dtype: "F32", shape: [0], data_offsets: [4, 4] }, a: f32(0, 4) }, 4);
    new DataView(bytes.buffer).setFloat32(bytes.byteLength - 4, -0.5, true);
    const parsed = read(bytes);
    expect(parsed.metadata).toEqual({ k: "v" });
    expect(Array.from(decodeFloat32(parsed.tensors.get("a")!))).toEqual([-0.5]);
    expect(decodeFloat32(parsed.tensors.get("e")!).length).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// decodeInt32
// ---------------------------------------------------------------------------

describe("decodeInt32", () => {
  const single = (tensor: TensorToWrite): RawTensor => readSafetensors(writeSafetensors([tensor])).tensors.get(tensor.name)!;

  it("refuses an I64 value above int32 range, naming the tensor and index", () => {
    const tensor = single({ name: "ids", dtype: "I64", shape: [3], data: new BigInt64Array([1n, 2n, 2147483648n]) });
    expectFormatError(() => decodeInt32(tensor), 'tensor "ids"', "I64 value 2147483648 at index 2 does not fit in int32");
  });

  it("refuses an I64 value below int32 range", () => {
    const tensor = single({ name: "neg", dtype: "I64", shape: [2], data: new BigInt64Array([-2147483649n, 0n]) });
    expectFormatError(() => decodeInt32(tensor), 'tensor "neg"', "-2147483649 at index 0");
  });

  it("refuses float dtypes", () => {
    const cases: TensorToWrite[] = [
      { name: "w", dtype: "F32", shape: [1], data: new Float32Array([1]) },
      { name: "w", dtype: "F64", shape: [1], data: new Float64Array([1]) },
      { name: "w", dtype: "F16", shape: [1], data: new Uint16Array([0x3c00]) },
      { name: "w", dtype: "BF16", shape: [1], data: new Uint16Array([0x3f80]) },
    ];
    for (const tensor of cases) {
      expectFormatError(() => decodeInt32(single(tensor)), 'tensor "w"', `dtype ${tensor.dtype} is not an integer type`);
    }
  });
});

// ---------------------------------------------------------------------------
// Property-based
// ---------------------------------------------------------------------------

describe("properties", () => {
  /** A tensor spec with random dtype, a small shape (zero-sized dims included) and random bytes. */
  const tensorArb = fc
    .record({
      // Object.prototype names are excluded because of the writer bug above.
      name: fc.string({ unit: "binary", maxLength: 6 }).filter((n) => n !== "__metadata__" && !(n in Object.prototype)),
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    })
    .chain((spec) => {
      const length = elementsOf(spec.shape) * DTYPE_SIZES[spec.dtype];
      return fc.uint8Array({ minLength: length, maxLength: length }).map((raw) => ({ ...spec, raw }));
    });
  const metadataArb = fc.dictionary(
    fc.string({ maxLength: 5 }).filter((k) => !(k in Object.prototype)),
    fc.string({ maxLength: 8 }),
    { maxKeys: 3 },
  );

  it("(a) random tensor lists round trip exactly", () => {
    fc.assert(
      fc.property(fc.uniqueArray(tensorArb, { selector: (t) => t.name, maxLength: 6 }), metadataArb, (specs, metadata) => {
        const file = writeSafetensors(
          specs.map((s) => ({ name: s.name, dtype: s.dtype, shape: s.shape, data: typedData(s.dtype, s.raw) })),
          metadata,
        );
        expect(rawHeader(file).length % 8).toBe(0);
        const parsed = readSafetensors(file);
        expect(parsed.metadata).toEqual(metadata);
        expect(parsed.tensors.size).toBe(specs.length);
        for (const spec of specs) {
          const tensor = parsed.tensors.get(spec.name)!;
          expect(tensor.dtype).toBe(spec.dtype);
          expect(tensor.shape).toEqual(spec.shape);
          expect(tensor.bytes).toEqual(spec.raw);
          expect(tensor.bytes.byteOffset % DTYPE_SIZES[spec.dtype]).toBe(0);
          expect(Array.from(decodeFloat32(tensor))).toEqual(referenceFloat32(spec.dtype, spec.raw));
          if (!INTEGER_DTYPES.includes(spec.dtype)) {
            expect(() => decodeInt32(tensor)).toThrow(ModelFormatError);
            continue;
          }
          const ints = referenceIntegers(spec.dtype, spec.raw);
          const firstOutOfRange = ints.findIndex((v) => v > 2147483647n || v < -2147483648n);
          if (firstOutOfRange === -1) {
            expect(Array.from(decodeInt32(tensor))).toEqual(ints.map(Number));
          } else {
            expectFormatError(() => decodeInt32(tensor), `at index ${firstOutOfRange}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  /** readSafetensors, with any ModelFormatError turned into null; other errors escape. */
  function readOrNull(bytes: Uint8Array): SafetensorsFile | null {
    try {
      return readSafetensors(bytes, "fuzz");
    } catch (error) {
      if (error instanceof ModelFormatError) return null;
      throw error;
    }
  }

  /** Invariants of an accepted file; decoding may only fail with ModelFormatError. */
  function checkAccepted(file: Uint8Array, parsed: SafetensorsFile): void {
    let covered = 0;
    for (const tensor of parsed.tensors.values()) {
      expect(Object.hasOwn(DTYPE_SIZES, tensor.dtype)).toBe(true);
      expect(tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
      const elements = elementsOf(tensor.shape);
      expect(tensor.bytes.byteLength).toBe(elements * DTYPE_SIZES[tensor.dtype]);
      expect(tensor.bytes.buffer).toBe(file.buffer);
      covered += tensor.bytes.byteLength;
      for (const decode of [decodeFloat32, decodeInt32]) {
        let decoded: ArrayLike<number> | undefined;
        try {
          decoded = decode(tensor);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFormatError);
        }
        if (decoded) expect(decoded.length).toBe(elements);
      }
    }
    expect(Object.values(parsed.metadata).every((v) => typeof v === "string")).toBe(true);
    // The tensors cover the data buffer, which runs from the end of the header to the end of the file.
    expect(covered).toBe(file.byteLength - 8 - rawHeader(file).length);
  }

  it("(b) mutated, truncated or re-lengthed files give a result or a ModelFormatError, nothing else", () => {
    const base = writeSafetensors(EVERY_DTYPE, METADATA);
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.option(fc.nat(), { freq: 1 }),
        fc.option(
          fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: base.byteLength + 8 }).map(BigInt)),
          { freq: 1 },
        ),
        (flips, truncate, headerLength) => {
          let bytes = base.slice();
          for (const [position, value] of flips) bytes[position % bytes.byteLength] = value;
          if (headerLength !== null) new DataView(bytes.buffer).setBigUint64(0, headerLength, true);
          if (truncate !== null) bytes = bytes.slice(0, truncate % (bytes.byteLength + 1));
          const parsed = readOrNull(bytes);
          if (parsed === null) outcomes.refused++;
          else {
            outcomes.accepted++;
            checkAccepted(bytes, parsed);
          }
        },
      ),
      { numRuns: 300 },
    );
    // The unmutated cases (and harmless flips in the data) are accepted; most others refused.
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("(c) random header JSON gives a valid file or a ModelFormatError, nothing else", () => {
    const junk = fc.jsonValue({ maxDepth: 2 });
    const entryArb = fc.record(
      {
        dtype: fc.oneof(fc.constantFrom(...DTYPES), fc.constantFrom("F8_E4M3", "Q4", "toString", "__proto__", ""), junk),
        shape: fc.oneof(
          fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }),
          fc.array(fc.oneof(fc.double(), junk), { maxLength: 2 }),
          junk,
        ),
        data_offsets: fc.oneof(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })), junk),
      },
      { requiredKeys: [] },
    );
    const headerArb = fc.dictionary(
      fc.constantFrom("a", "b", "c", "__metadata__", "constructor"),
      fc.oneof(entryArb, fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), junk)), junk),
      { maxKeys: 4 },
    );
    const junkCase = fc.record({ header: headerArb, dataLength: fc.integer({ min: 0, max: 48 }) });

    // Near-valid headers: tensors laid out contiguously, then occasionally nudged.
    const nearValidCase = fc
      .record({
        specs: fc.array(
          fc.record({
            dtype: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...DTYPES) }, { weight: 1, arbitrary: fc.constantFrom("toString", "Q4") }),
            shape: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.constant(-1) }), { maxLength: 2 }),
          }),
          { maxLength: 4 },
        ),
        nudges: fc.array(fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, -1, 4), { minLength: 9, maxLength: 9 }),
      })
      .map(({ specs, nudges }) => {
        const header: Record<string, unknown> = {};
        let offset = 0;
        specs.forEach((spec, i) => {
          const size = Object.hasOwn(DTYPE_SIZES, spec.dtype) ? DTYPE_SIZES[spec.dtype as Dtype] : 4;
          const begin = Math.max(0, offset + nudges[2 * i]!);
          const end = Math.max(0, begin + Math.abs(elementsOf(spec.shape)) * size + nudges[2 * i + 1]!);
          header[`t${i}`] = { dtype: spec.dtype, shape: spec.shape, data_offsets: [begin, end] };
          offset = end;
        });
        return { header, dataLength: Math.max(0, offset + nudges[8]!) };
      });

    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(junkCase, nearValidCase), fc.integer({ min: 0, max: 255 }), ({ header, dataLength }, fill) => {
        const bytes = craft(header, dataLength, fill);
        const parsed = readOrNull(bytes);
        if (parsed === null) return void outcomes.refused++;
        outcomes.accepted++;
        checkAccepted(bytes, parsed);
      }),
      { numRuns: 300 },
    );
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
