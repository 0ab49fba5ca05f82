/** Argument checks of the classifier's methods, reported as InvalidInputError naming the argument. */
import { InvalidInputError } from "../errors.js";
import { describe } from "../model/arguments.js";

export function checkTexts(texts: unknown, what: string): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) throw new InvalidInputError(`${what} must be an array of strings, got ${describe(texts)}`);
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== "string") throw new InvalidInputError(`${what}[${i}] is ${describe(texts[i])}, expected a string`);
  }
}

export function integerOption(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidInputError(`${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  }
  return value;
}

export function positiveOption(value: unknown, name: string): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) throw new InvalidInputError(`${name} must be a positive number, got ${describe(value)}`);
  return value;
}
