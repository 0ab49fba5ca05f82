/** Reading texts and writing results: stdin, files, stdout with backpressure. */
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { UsageError } from "./errors.js";

/** Splits text into lines (LF or CRLF); a final newline does not start an empty last line; a BOM is dropped. */
export function splitLines(text: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Reads all of stdin as UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a file ("-" for stdin) as UTF-8. */
export async function readText(path: string): Promise<string> {
  return path === "-" ? readStdin() : readFile(path, "utf8");
}

/**
 * The texts to encode: the arguments, else the lines of `--file`, else the
 * lines of stdin (when it is not a terminal).
 */
export async function inputTexts(args: readonly string[], file: string | undefined): Promise<string[]> {
  if (args.length > 0 && file !== undefined) throw new UsageError("give texts as arguments or with --file, not both");
  if (args.length > 0) return [...args];
  if (file !== undefined) return splitLines(await readText(file));
  if (process.stdin.isTTY) throw new UsageError("no texts given: pass them as arguments, with --file <path>, or on stdin");
  return splitLines(await readStdin());
}

/** A text sink: a file, or stdout. `write` waits when the stream's buffer is full. */
export interface Output {
  write(chunk: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` for writing, or stdout when undefined or "-". */
export function openOutput(path: string | undefined): Output {
  const toStdout = path === undefined || path === "-";
  const stream: Writable = toStdout ? process.stdout : createWriteStream(path);
  let failure: Error | null = null;
  stream.on("error", (error: Error) => {
    failure = error;
  });
  const check = () => {
    if (failure) throw failure;
  };
  return {
    async write(chunk) {
      check();
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            stream.off("error", onError);
            resolve();
          };
          const onError = (error: Error) => {
            stream.off("drain", onDrain);
            reject(error);
          };
          stream.once("drain", onDrain);
          stream.once("error", onError);
        });
      }
    },
    async close() {
      check();
      if (toStdout) return;
      await new Promise<void>((resolve, reject) => {
        stream.once("error", reject);
        stream.end(() => resolve());
      });
    },
  };
}

/**
 * The shortest decimal that reads back as the same float32 (JSON numbers are
 * doubles; printing the double would add noise digits).
 */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return "null";
  if (value === 0) return "0";
  for (let digits = 6; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return trimNumber(text);
  }
  return trimNumber(value.toPrecision(9));
}

/** "1.2300" → "1.23", "1.200e-7" → "1.2e-7", "5.000" → "5". */
function trimNumber(text: string): string {
  const e = text.indexOf("e");
  let mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? "" : text.slice(e);
  if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
  return mantissa + exponent;
}

/** A vector as a JSON array. */
export function vectorJson(row: Float32Array): string {
  let out = "[";
  for (let i = 0; i < row.length; i++) out += (i ? "," : "") + formatFloat32(row[i]!);
  return out + "]";
}
