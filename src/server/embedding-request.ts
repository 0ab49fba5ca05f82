/** The fields of `POST /v1/embeddings`, checked against the served models and the limits. */
import type { StaticModel } from "../model/static-model.js";
import { ApiError } from "./api-error.js";
import type { HandlerLimits } from "./handler-options.js";

/** A checked embeddings request. */
export interface EmbeddingRequest {
  name: string;
  model: StaticModel;
  texts: string[];
  base64: boolean;
  /** Leading dimensions kept (Matryoshka); null for all. */
  dimensions: number | null;
}

/** @throws ApiError 400 for a bad field, 404 `model_not_found` for a model not served. */
export function parseEmbeddingRequest(
  body: unknown,
  models: ReadonlyMap<string, StaticModel>,
  defaultModel: string,
  limits: HandlerLimits,
): EmbeddingRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "The request body must be a JSON object.");
  }
  const fields = body as Record<string, unknown>;
  const name = fields.model ?? defaultModel;
  if (typeof name !== "string") throw new ApiError(400, "`model` must be a string.", "model");
  const model = models.get(name);
  if (model === undefined) throw modelNotFound(name);
  const texts = textsOf(fields.input);
  if (texts.length > limits.batchSize) {
    throw new ApiError(400, `\`input\` has ${texts.length} texts; at most ${limits.batchSize} are allowed per request.`, "input", "batch_too_large");
  }
  for (let i = 0; i < texts.length; i++) {
    if (texts[i]!.length > limits.textLength) {
      throw new ApiError(
        400,
        `\`input[${i}]\` is ${texts[i]!.length} characters long; at most ${limits.textLength} are allowed.`,
        "input",
        "text_too_long",
      );
    }
  }
  const format = fields.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    throw new ApiError(400, `\`encoding_format\` must be "float" or "base64", got ${JSON.stringify(format)}.`, "encoding_format");
  }
  let dimensions: number | null = null;
  if (fields.dimensions !== undefined && fields.dimensions !== null) {
    const d = fields.dimensions;
    const dim = model.dim;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > dim) {
      throw new ApiError(400, `\`dimensions\` must be an integer from 1 to ${dim} for model ${JSON.stringify(name)}, got ${JSON.stringify(d)}.`, "dimensions");
    }
    dimensions = d;
  }
  return { name, model, texts, base64: format === "base64", dimensions };
}

/** The 404 of a model not served. */
export function modelNotFound(name: string): ApiError {
  return new ApiError(404, `The model ${JSON.stringify(name)} does not exist.`, "model", "model_not_found");
}

function textsOf(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (input === undefined || input === null) throw new ApiError(400, "`input` is required: a string or an array of strings.", "input");
  if (!Array.isArray(input)) throw new ApiError(400, "`input` must be a string or an array of strings.", "input");
  if (input.length === 0) throw new ApiError(400, "`input` must not be an empty array.", "input");
  for (let i = 0; i < input.length; i++) {
    const item: unknown = input[i];
    if (typeof item === "string") continue;
    if (typeof item === "number" || Array.isArray(item)) {
      throw new ApiError(400, "`input` holds token ids; this server embeds text only, so send strings.", "input", "token_input_unsupported");
    }
    throw new ApiError(400, `\`input[${i}]\` must be a string, got ${item === null ? "null" : typeof item}.`, "input");
  }
  return input as string[];
}
