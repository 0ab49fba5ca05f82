/** A writer of NumPy `.npy` files (format version 1.0), for float32 matrices. */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const PREAMBLE = MAGIC.length + 2 + 2; // magic, version, header length

/**
 * The bytes of a `.npy` file holding `data` as a C-order `rows × dim` array of
 * little-endian float32 (`<f4`). The header is padded with spaces and ends in a
 * newline, so the data starts at a multiple of 64 bytes, as NumPy writes it.
 */
export function npyBytes(data: Float32Array, rows: number, dim: number): Uint8Array {
  if (data.length !== rows * dim) throw new RangeError(`npyBytes: ${data.length} values do not make a ${rows} × ${dim} matrix`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  const unpadded = PREAMBLE + dict.length + 1;
  const headerText = dict + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const headerLength = headerText.length;
  if (headerLength > 0xffff) throw new RangeError("npyBytes: header too long for format 1.0");
  const out = new Uint8Array(PREAMBLE + headerLength + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  const view = new DataView(out.buffer);
  view.setUint16(8, headerLength, true);
  for (let i = 0; i < headerLength; i++) out[PREAMBLE + i] = headerText.charCodeAt(i);
  const start = PREAMBLE + headerLength;
  if (isLittleEndian()) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(start + 4 * i, data[i]!, true);
  }
  return out;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
