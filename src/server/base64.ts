/**
 * Base64 without importing Node's Buffer, for the runtimes the handler runs on: the
 * runtime's own encoder where there is one (`Uint8Array.prototype.toBase64`, or a
 * global `Buffer` in Node and Bun: 20× faster than a JavaScript loop), else a loop.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

type NativeBase64 = (bytes: Uint8Array) => string;

const native: NativeBase64 | null = (() => {
  const proto = Uint8Array.prototype as { toBase64?: (this: Uint8Array) => string };
  if (typeof proto.toBase64 === "function") return (bytes) => proto.toBase64!.call(bytes);
  const buffer = (globalThis as { Buffer?: { from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string } } }).Buffer;
  if (buffer !== undefined) return (bytes) => buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return null;
})();

/** The standard (padded) base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return native === null ? loopBase64(bytes) : native(bytes);
}

/** The fallback, exported for its test. */
export function loopBase64(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + "==";
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + "=";
  }
  return s;
}
