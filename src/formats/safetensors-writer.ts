/** A dependency-free safetensors writer, producing files the Python and Rust readers accept. */
import { InvalidInputError } from "../errors.js";
import { DTYPE_SIZES, type Dtype } from "./safetensors.js";

/** A tensor to write. `data` holds the raw values of `dtype` (float16 and bfloat16 as Uint16Array bits). */
export interface TensorToWrite {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data:
    | Float64Array
    | Float32Array
    | Uint16Array
    | BigInt64Array
    | Int32Array
    | Int8Array
    | Uint8Array;
}

/**
 * Serialises tensors to safetensors bytes. Tensors are laid out by descending
 * dtype size, then name (as the reference writer does), so every tensor starts
 * aligned; the header is padded with spaces to a multiple of 8 bytes.
 */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const ordered = [...tensors].sort(
    (a, b) => DTYPE_SIZES[b.dtype] - DTYPE_SIZES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  // No prototype, so names such as "constructor" or "__proto__" are ordinary keys.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const tensor of ordered) {
    if (tensor.name === "__metadata__" || Object.hasOwn(header, tensor.name)) {
      throw new InvalidInputError(`tensor name "${tensor.name}" is reserved or repeated`);
    }
    if (!tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new InvalidInputError(`tensor "${tensor.name}": shape ${JSON.stringify(tensor.shape)} is not a list of non-negative integers`);
    }
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    const byteLength = elements * DTYPE_SIZES[tensor.dtype];
    if (tensor.data.byteLength !== byteLength) {
      throw new InvalidInputError(
        `tensor "${tensor.name}": shape ${JSON.stringify(tensor.shape)} × ${tensor.dtype} needs ${byteLength} bytes, data has ${tensor.data.byteLength}`,
      );
    }
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padding = (8 - (headerBytes.byteLength % 8)) % 8;
  if (padding) headerBytes = encoder.encode((json += " ".repeat(padding)));

  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.byteLength;
  for (const tensor of ordered) {
    out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  return out;
}
