/** Validation of the arguments callers pass to StaticModel, with errors that name the argument. */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { availableThreads } from "../linalg/worker-threads.js";

/** Re-exported for the callers that validate their own arguments the same way (train/). */
export { describe };

const DEFAULT_BATCH_SIZE = 1024;

export function textsOf(input: unknown): readonly string[] {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) {
    throw new InvalidInputError(`expected a string or an array of strings, got ${describe(input)}`);
  }
  for (let i = 0; i < input.length; i++) {
    if (typeof input[i] !== "string") {
      throw new InvalidInputError(`input at index ${i} is ${describe(input[i])}, expected a string`);
    }
  }
  return input as readonly string[];
}

export function maxLengthOption(options: { maxLength?: number | null | undefined }, fallback: number | null): number | null {
  const value = options.maxLength === undefined ? fallback : options.maxLength;
  if (value !== null && (!Number.isSafeInteger(value) || value < 1)) {
    throw new InvalidInputError(`maxLength must be a positive integer or null, got ${describe(value)}`);
  }
  return value;
}

export function batchSizeOption(options: { batchSize?: number | undefined }): number {
  const value = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`batchSize must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/**
 * `threads`, defaulting to every available core (1 where that cannot be known) and
 * capped there: more threads than cores only add workers (each a tokenizer and
 * tens of MB) without adding speed.
 */
export function threadsOption(options: { threads?: number | undefined }): number {
  const cores = availableThreads();
  const value = options.threads ?? cores;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`threads must be a positive integer, got ${describe(value)}`);
  }
  return Math.min(value, cores);
}

/**
 * A method's options argument: `{}` when omitted. `null` or a non-object is refused
 * here, naming the method, rather than failing later as a TypeError.
 */
export function optionsOf<T extends object>(options: T | undefined, method: string): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new InvalidInputError(`${method} options must be an object, got ${describe(options)}`);
  }
  return options;
}

export function booleanOption<K extends string>(options: { [key in K]?: unknown }, key: K): boolean {
  const value = options[key];
  if (typeof value !== "boolean") throw new InvalidInputError(`${key} must be a boolean, got ${describe(value)}`);
  return value;
}
