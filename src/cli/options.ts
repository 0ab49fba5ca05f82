/** Parsers of option values; a bad value is a usage error (exit code 2). */
import { InvalidArgumentError } from "commander";
import { isLicense } from "../persistence/model-card.js";

/**
 * What a parser returns for "none". Commander takes a parser's `null` for "no
 * value given" and stores `""` instead, so "none" stays a string until the
 * command turns it into the API's `null` with {@link noneToNull}.
 */
export const NONE = "none";
export type None = typeof NONE;

/** The API's spelling of an option value: `null` for "none". */
export function noneToNull<T>(value: T | None): T | null {
  return value === NONE ? null : value;
}

function isNone(value: string): boolean {
  return value.trim().toLowerCase() === NONE;
}

/** The integer written in `value` (digits only, surrounding spaces allowed), or null. */
function parseInteger(value: string): number | null {
  const n = Number(value);
  return /^\s*\d+\s*$/.test(value) && Number.isSafeInteger(n) ? n : null;
}

/** A positive integer. */
export function positiveInteger(value: string): number {
  const n = parseInteger(value);
  if (n === null || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

/** A non-negative integer. */
export function nonNegativeInteger(value: string): number {
  const n = parseInteger(value);
  if (n === null) throw new InvalidArgumentError("expected a non-negative integer.");
  return n;
}

/** A positive integer, or "none" for no limit. */
export function positiveIntegerOrNone(value: string): number | None {
  if (isNone(value)) return NONE;
  const n = parseInteger(value);
  if (n === null || n < 1) throw new InvalidArgumentError('expected a positive integer or "none".');
  return n;
}

/** A TCP port, 0 to 65535 (0: any free port). */
export function port(value: string): number {
  const n = parseInteger(value);
  if (n === null || n > 65535) throw new InvalidArgumentError("expected a port number from 0 to 65535.");
  return n;
}

/** A number strictly between 0 and 1, or "none". */
export function fractionOrNone(value: string): number | None {
  if (isNone(value)) return NONE;
  const n = Number(value);
  if (value.trim() === "" || !(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1 (exclusive) or "none".');
  return n;
}

/** A probability: a number from 0 to 1. */
export function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError("expected a number from 0 to 1.");
  return n;
}

/** `--pca-dims`: an integer width, a variance fraction in (0, 1), "auto" (rotation only) or "none" (no PCA). */
export function pcaDims(value: string): number | "auto" | None {
  const text = value.trim().toLowerCase();
  if (text === "auto") return "auto";
  if (isNone(text)) return NONE;
  const n = Number(text);
  if (text !== "" && Number.isFinite(n) && ((Number.isSafeInteger(n) && n >= 1) || (n > 0 && n < 1))) return n;
  throw new InvalidArgumentError('expected a positive integer, a fraction in (0, 1), "auto" or "none".');
}

/** `--license`: a Hugging Face licence identifier such as "apache-2.0". */
export function licenseId(value: string): string {
  if (!isLicense(value)) throw new InvalidArgumentError('expected a licence identifier such as "apache-2.0" or "mit".');
  return value;
}

/** Appends to a repeatable option's list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A comma-separated list, empty items dropped; repeatable. */
export function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}
