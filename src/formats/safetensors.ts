/**
 * A dependency-free safetensors reader. The format is an 8-byte little-endian
 * header length N, N bytes of JSON describing each tensor, then the data buffer.
 * Every check of the specification is made before any tensor is decoded, and
 * every failure is a ModelFormatError naming the tensor or byte offset.
 */
import { ModelFormatError } from "../errors.js";
import { bfloat16ToFloat32, float16ToFloat32 } from "./float16.js";

/** The dtypes this reader decodes. */
export const DTYPE_SIZES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I8: 1, U8: 1 } as const;
export type Dtype = keyof typeof DTYPE_SIZES;

/**
 * Headers larger than this are refused before any JSON parsing. A model2vec
 * header is about 300 bytes; 1 MiB leaves 1 KiB per tensor at {@link MAX_TENSORS}
 * and bounds what parsing a hostile header can cost (a 60 MB header of 1 M empty
 * tensors took 5 s and 988 MB).
 */
export const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Files with more tensors than this are refused. A model2vec file holds at most 3
 * (embeddings, weights, mapping); a classifier head or a tokenlearn shard a few more.
 */
export const MAX_TENSORS = 1024;

/** One tensor of a safetensors file: its description and a view of its bytes (no copy). */
export interface RawTensor {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** The tensor's bytes, a view into the file's buffer. */
  readonly bytes: Uint8Array;
}

/** A parsed safetensors file whose tensors are views into the original bytes. */
export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, RawTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Parses and validates a safetensors file held in memory. Tensors are views into
 * `bytes`; nothing is copied until a tensor is decoded.
 *
 * @param source - Names the file in error messages.
 * @throws ModelFormatError when the file breaks any rule of the format.
 */
export function readSafetensors(bytes: Uint8Array, source = "safetensors file"): SafetensorsFile {
  const fail = (what: string): never => {
    throw new ModelFormatError(`${source}: ${what}`);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) {
    fail(`header length ${headerLength} at byte 0 exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (headerLength > bytes.byteLength - 8) {
    fail(`header length ${headerLength} at byte 0 is larger than the ${bytes.byteLength - 8} bytes after it`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`header JSON (bytes 8 to ${8 + headerLength}) does not parse: ${(error as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail(`header JSON (bytes 8 to ${8 + headerLength}) is not an object`);
  }

  const count = Object.keys(header as object).length - (Object.hasOwn(header as object, "__metadata__") ? 1 : 0);
  if (count > MAX_TENSORS) fail(`header lists ${count} tensors, over the limit of ${MAX_TENSORS}`);

  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, RawTensor>();
  const spans: { name: string; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};

  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(entry, fail);
      continue;
    }
    const info = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof info !== "object" || info === null) fail(`tensor "${name}": entry is not an object`);
    const dtype = info!.dtype;
    if (typeof dtype !== "string" || !Object.hasOwn(DTYPE_SIZES, dtype)) {
      fail(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(DTYPE_SIZES).join(", ")})`);
    }
    const shape = info!.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const offsets = info!.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      fail(`tensor "${name}": data_offsets ${JSON.stringify(offsets)} are not [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) {
      fail(`tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the ${dataLength}-byte data buffer (file byte ${dataStart + end})`);
    }
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = elements * DTYPE_SIZES[dtype as Dtype];
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      fail(`tensor "${name}": shape ${JSON.stringify(shape)} × ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    spans.push({ name, begin, end });
    tensors.set(name, {
      name,
      dtype: dtype as Dtype,
      shape: shape as number[],
      bytes: bytes.subarray(dataStart + begin, dataStart + end),
    });
  }

  // The data buffer must be covered exactly: no overlap, no hole, nothing trailing.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin < covered) fail(`tensor "${span.name}": data_offsets start at ${span.begin}, overlapping the previous tensor, which ends at ${covered}`);
    if (span.begin > covered) fail(`tensor "${span.name}": data_offsets start at ${span.begin}, leaving bytes ${covered} to ${span.begin} of the data buffer uncovered`);
    covered = span.end;
  }
  if (covered !== dataLength) {
    fail(`data buffer is ${dataLength} bytes but the tensors cover only ${covered} (file bytes ${dataStart + covered} to ${bytes.byteLength} are not part of any tensor)`);
  }
  return { tensors, metadata };
}

function parseMetadata(entry: unknown, fail: (what: string) => never): Record<string, string> {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail(`"__metadata__" is not an object`);
  for (const [key, value] of Object.entries(entry as object)) {
    if (typeof value !== "string") fail(`"__metadata__" entry "${key}" is not a string`);
  }
  return entry as Record<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed-array view of the tensor's bytes when aligned, else of an aligned copy. */
export function typedView<T>(
  tensor: RawTensor,
  Ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T {
  if (!LITTLE_ENDIAN) throw new ModelFormatError("safetensors decoding needs a little-endian host");
  let { bytes } = tensor;
  // A fresh Uint8Array, not bytes.slice(): a Node Buffer's slice() is a view at the same misaligned offset.
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT !== 0) bytes = new Uint8Array(bytes);
  return new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
}

/**
 * Decodes any tensor to float32. F32 tensors are returned as a view of the file's
 * bytes when they are aligned (no copy); other dtypes are converted.
 */
export function decodeFloat32(tensor: RawTensor): Float32Array {
  switch (tensor.dtype) {
    case "F32":
      return typedView(tensor, Float32Array);
    case "F16":
      return float16ToFloat32(typedView(tensor, Uint16Array));
    case "BF16":
      return bfloat16ToFloat32(typedView(tensor, Uint16Array));
    case "F64":
      return Float32Array.from(typedView(tensor, Float64Array));
    case "I64":
      return Float32Array.from(typedView(tensor, BigInt64Array), Number);
    case "I32":
      return Float32Array.from(typedView(tensor, Int32Array));
    case "I8":
      return Float32Array.from(typedView(tensor, Int8Array));
    case "U8":
      return Float32Array.from(tensor.bytes);
  }
}

/**
 * Decodes an integer tensor to int32. I64 values must fit in int32.
 *
 * @throws ModelFormatError for float dtypes or out-of-range I64 values.
 */
export function decodeInt32(tensor: RawTensor): Int32Array {
  switch (tensor.dtype) {
    case "I32":
      return typedView(tensor, Int32Array);
    case "I64": {
      const wide = typedView(tensor, BigInt64Array);
      const out = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const value = wide[i]!;
        if (value > 2147483647n || value < -2147483648n) {
          throw new ModelFormatError(`tensor "${tensor.name}": I64 value ${value} at index ${i} does not fit in int32`);
        }
        out[i] = Number(value);
      }
      return out;
    }
    case "I8":
      return Int32Array.from(typedView(tensor, Int8Array));
    case "U8":
      return Int32Array.from(tensor.bytes);
    default:
      throw new ModelFormatError(`tensor "${tensor.name}": dtype ${tensor.dtype} is not an integer type`);
  }
}
