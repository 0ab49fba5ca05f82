/** How the CLI reports failures: exit codes, and one line per error unless --verbose. */
import type { Command } from "commander";
import { Model2VecError } from "../errors.js";

/** Exit code of a successful run. */
export const EXIT_OK = 0;
/** Exit code of a failure while running (a bad model file, a missing package, I/O). */
export const EXIT_RUNTIME = 1;
/** Exit code of a command line that does not make sense (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/** A mistake in the command line; reported with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A feature that is not part of this build (an optional module is missing); exit code 1. */
export class UnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnavailableError";
  }
}

/**
 * Writes `error` to stderr: its message alone, or with --verbose its stack and
 * the chain of causes.
 *
 * @returns The exit code for it.
 */
export function reportError(error: unknown, verbose: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  const code = error instanceof UsageError ? EXIT_USAGE : EXIT_RUNTIME;
  if (verbose) {
    write(`${describeVerbose(error)}\n`);
  } else {
    write(`error: ${messageOf(error)}\n`);
    if (code === EXIT_RUNTIME && !isExpected(error)) write("(run with --verbose for the stack trace)\n");
  }
  return code;
}

/** The error's message; for system errors (ENOENT…) Node's message already names the path. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Errors whose message says it all (the library's, usage, unavailable features, file system). */
function isExpected(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof UsageError || error instanceof UnavailableError) return true;
  if (error instanceof Model2VecError) return true;
  return typeof (error as NodeJS.ErrnoException).code === "string" && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

/** API option names the command line spells other than as the camelCase of a flag. */
const API_OPTION_FLAGS: Readonly<Record<string, string>> = { localFilesOnly: "--offline" };

/**
 * `message` with the API option names it quotes (`maxLength`, `localFilesOnly`)
 * replaced by the flags of `command` that set them (`--max-length`, `--offline`):
 * the library's messages speak of its options, a command line user knows flags.
 */
export function withFlagNames(message: string, command: Command): string {
  const flags = new Map(Object.entries(API_OPTION_FLAGS));
  for (const option of command.options) {
    const name = option.attributeName();
    if (option.long !== undefined && /[A-Z]/.test(name)) flags.set(name, option.long);
  }
  return message.replace(/\b[a-z]+[A-Z][A-Za-z]*\b/g, (word) => flags.get(word) ?? word);
}

function describeVerbose(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join("\n");
}
