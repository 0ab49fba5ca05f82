/**
 * Reading data files as text: decoding (UTF-8, Latin-1, or UTF-8 with a Latin-1
 * fallback), byte-order marks, and naming a position as `file:line:column` in errors.
 * Node-only (reads the file system).
 */
import { readFile } from "node:fs/promises";
import { InvalidInputError } from "../../errors.js";

/**
 * How a file's bytes become text. `"utf-8"` rejects invalid bytes (naming the line),
 * `"latin1"` is ISO-8859-1 (every byte is the code point of the same value), and
 * `"auto"` is UTF-8 when the bytes are valid UTF-8 and Latin-1 otherwise.
 */
export type TextEncodingName = "utf-8" | "latin1" | "auto";

/** A 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/** The 1-based line and column of `index` in `text` (`\r\n`, `\n` and a lone `\r` each end a line). */
export function positionAt(text: string, index: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** `source:line:column: message` (column left out when not given). */
export function at(source: string, line: number, column?: number): string {
  return column === undefined ? `${source}:${line}` : `${source}:${line}:${column}`;
}

/** Removes one leading byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");

/** Decodes `bytes` (named `source` in errors). A leading UTF-8 byte-order mark is removed. */
export function decodeText(bytes: Uint8Array, encoding: TextEncodingName, source: string): string {
  if (encoding === "latin1") return latin1(bytes);
  try {
    return stripBom(utf8.decode(bytes));
  } catch (error) {
    if (encoding === "auto") return latin1(bytes);
    const lenient = utf8Lenient.decode(bytes);
    const bad = lenient.indexOf("\ufffd");
    const { line, column } = positionAt(lenient, Math.max(bad, 0));
    throw new InvalidInputError(
      `${at(source, line, column)}: not valid UTF-8 (read it with encoding "latin1" or "auto" if it is Latin-1)`,
      { cause: error },
    );
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The bytes of the file at `path`; a missing or unreadable file is an InvalidInputError naming it. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`${path}: cannot read the file (${reason})`, { cause: error });
  }
}

/** The text of the file at `path`, decoded as `encoding` (default UTF-8), without a byte-order mark. */
export async function readText(path: string, encoding: TextEncodingName = "utf-8"): Promise<string> {
  return decodeText(await readBytes(path), encoding, path);
}

/** The file's lines (split on `\r\n`, `\n` or `\r`), without a trailing empty line after a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
