/** The options of `embeddingsHandler`, and their checks (shared with `startServer`, which passes them on). */
import { InvalidInputError } from "../errors.js";
import type { StaticModel } from "../model/static-model.js";
import { DEFAULT_LIMITS } from "./defaults.js";

/** The limits the handler enforces on each request. */
export interface HandlerLimits {
  /** Largest request body in bytes; default 10 MB. Larger → 413. */
  bodyBytes: number;
  /** Most texts per request; default 2048. More → 400. */
  batchSize: number;
  /** Longest text in UTF-16 code units (JavaScript `length`); default 100,000. Longer → 400. */
  textLength: number;
}

/** Options of {@link embeddingsHandler}. */
export interface HandlerOptions {
  /** The models served, by name (the request's `model` field). At least one. */
  models: Record<string, StaticModel>;
  /** Used when a request omits `model`; default the first of `models`. */
  defaultModel?: string | undefined;
  /** When set, every route but `GET /health` needs `Authorization: Bearer <apiKey>`; otherwise 401. Never logged. */
  apiKey?: string | undefined;
  limits?: { [key in keyof HandlerLimits]?: number | undefined } | undefined;
  /** Called once per request with `METHOD /path STATUS 1.2ms`: never the key, the query or the texts. */
  log?: ((line: string) => void) | undefined;
}

/** The checked models, default model and key of `options`. `caller` names the function in error messages. */
export function checkModels(options: HandlerOptions, caller: string) {
  if (options === null || typeof options !== "object") throw new InvalidInputError(`${caller} needs an options object`);
  const names = Object.keys(options.models ?? {});
  if (names.length === 0) throw new InvalidInputError(`${caller}: \`models\` must name at least one StaticModel`);
  const models = new Map<string, StaticModel>();
  for (const name of names) {
    const model = options.models[name];
    if (name === "" || !model || typeof model.encode !== "function" || typeof model.tokenCounts !== "function") {
      throw new InvalidInputError(`${caller}: models[${JSON.stringify(name)}] is not a StaticModel`);
    }
    models.set(name, model);
  }
  const defaultModel = options.defaultModel ?? names[0]!;
  if (!models.has(defaultModel)) {
    throw new InvalidInputError(`${caller}: defaultModel ${JSON.stringify(defaultModel)} is not one of ${names.join(", ")}`);
  }
  if (options.apiKey !== undefined && (typeof options.apiKey !== "string" || options.apiKey === "")) {
    throw new InvalidInputError(`${caller}: apiKey must be a non-empty string`);
  }
  return { models, defaultModel, apiKey: options.apiKey };
}

/** `given` over the defaults, for the keys `keys`: each a positive integer. */
export function checkLimits<K extends keyof typeof DEFAULT_LIMITS>(
  given: { [key in K]?: number | undefined } | undefined,
  keys: readonly K[],
  caller: string,
): { [key in K]: number } {
  const limits = {} as { [key in K]: number };
  for (const key of keys) {
    const value = given?.[key] ?? DEFAULT_LIMITS[key];
    if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`${caller}: limits.${key} must be a positive integer, got ${value}`);
    limits[key] = value;
  }
  return limits;
}
