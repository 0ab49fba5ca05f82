/** Parsers of option values; a bad value is a usage error (exit code 2). */
import { InvalidArgumentError } from "commander";
import { isLicense } from "../formats/model-card.js";

/** A positive integer. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

/** A non-negative integer. */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected a non-negative integer.");
  return n;
}

/** A positive integer, or "none" for no limit (null). */
export function positiveIntegerOrNone(value: string): number | null {
  if (value.trim().toLowerCase() === "none") return null;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer or "none".');
  return n;
}

/** A TCP port, 0 to 65535 (0: any free port). */
export function port(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 65535) throw new InvalidArgumentError("expected a port number from 0 to 65535.");
  return n;
}

/** A finite number. */
export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("expected a number.");
  return n;
}

/** `--pca-dims`: an integer width, a variance fraction in (0, 1), "auto" (rotation only) or "none" (no PCA). */
export function pcaDims(value: string): number | "auto" | null {
  const text = value.trim().toLowerCase();
  if (text === "auto") return "auto";
  if (text === "none") return null;
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
