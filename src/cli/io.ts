/** Reading texts and writing results: stdin, files, stdout with backpressure. */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile, readdir, rename, rm, stat } from "node:fs/promises";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { ModelFormatError } from "../errors.js";
import { temporaryPath } from "../io/atomic-write.js";
import { removeOnSignal } from "../io/remove-on-signal.js";
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

/** A sink for one command's output. `write` waits while the stream's buffer is full. */
export interface Output {
  write(chunk: string | Uint8Array): Promise<void>;
}

/**
 * Runs `fill` with an output to `path`, or to stdout when undefined or "-".
 *
 * A regular file is written to a temporary file beside it and renamed over it
 * once `fill` is done, so a failed run leaves any earlier file as it was. A
 * device or pipe (`/dev/full`, `/dev/stdout`) cannot be replaced and is written
 * directly. Either way every write error rejects, naming `path`.
 */
export async function writeOutput(path: string | undefined, fill: (out: Output) => Promise<void>): Promise<void> {
  if (path === undefined || path === "-") return fill(streamOutput(process.stdout));
  const replaceable = await isReplaceable(path);
  const target = replaceable ? temporaryPath(path) : path;
  const stream = createWriteStream(target);
  const stopWatching = replaceable ? removeOnSignal(target) : () => {};
  try {
    await fill(streamOutput(stream));
    stream.end();
    await finished(stream);
    if (replaceable) await rename(target, path);
  } catch (error) {
    // Closed before removal: an open still in flight would recreate the file.
    await destroyed(stream);
    if (replaceable) await rm(target, { force: true });
    throw nameTarget(error, target, path);
  } finally {
    stopWatching();
  }
}

/**
 * Refuses to save a model into `folder` when it already holds files, unless
 * `force`: saving replaces files of the same names and would leave a mix of two models.
 */
export async function checkOutputFolder(folder: string, force: boolean): Promise<void> {
  if (force) return;
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch {
    return; // Missing, or not a folder: saving creates it or reports what is in the way.
  }
  if (entries.length > 0) throw new UsageError(`${folder} already exists and is not empty: pass --force to write into it`);
}

/** Whether `path` is a regular file or does not exist yet (not a device, pipe or folder). */
async function isReplaceable(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return true;
  }
}

/** Destroys `stream` and waits until its file is closed. */
async function destroyed(stream: Writable): Promise<void> {
  stream.destroy();
  if (!stream.closed) await new Promise((resolve) => stream.once("close", resolve));
}

/** An output over `stream`; its errors are read from `stream.errored` rather than thrown as events. */
function streamOutput(stream: Writable): Output {
  stream.on("error", () => {});
  return {
    async write(chunk) {
      if (stream.errored) throw stream.errored;
      if (!stream.write(chunk)) await once(stream, "drain");
    },
  };
}

/** A system error reworded to name the file the user asked for: not the temporary file, nor nothing (a failed `write` names no path). */
function nameTarget(error: unknown, temporary: string, path: string): unknown {
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).syscall !== "string") return error;
  error.message = error.message.split(temporary).join(path);
  if (!error.message.includes(path)) error.message += ` '${path}'`;
  return error;
}

/**
 * The shortest decimal that reads back as the same float32 (JSON numbers are
 * doubles; printing the double would add noise digits). `value` is finite.
 */
function formatFloat32(value: number): string {
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

/**
 * A float32 as a JSON number.
 *
 * @param where - Names the value in the error, e.g. "dimension 3 of the embedding of text 2".
 * @throws ModelFormatError when it is NaN or infinite: JSON has no such numbers.
 */
export function float32Json(value: number, where: () => string): string {
  if (!Number.isFinite(value)) {
    throw new ModelFormatError(
      `${where()} is ${value}, which JSON cannot represent: the model's table or weights hold NaN or infinite values, or values too large for float32`,
    );
  }
  return formatFloat32(value);
}

/** A vector as a JSON array; `what` names it in errors, e.g. "the embedding of text 2". */
export function vectorJson(row: Float32Array, what: string): string {
  let out = "[";
  for (let i = 0; i < row.length; i++) out += (i ? "," : "") + float32Json(row[i]!, () => `dimension ${i} of ${what}`);
  return out + "]";
}
