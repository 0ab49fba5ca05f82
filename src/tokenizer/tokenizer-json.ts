/** Reading a tokenizer.json document given as text, bytes or an already parsed object. */
import { TokenizerError } from "../errors.js";

/**
 * The tokenizer.json document as an object.
 *
 * @throws TokenizerError when the JSON does not parse or is not an object.
 */
export function parseTokenizerJson(source: string | Uint8Array | object): Record<string, unknown> {
  let json: unknown = source;
  if (typeof source === "string" || source instanceof Uint8Array) {
    const text = typeof source === "string" ? source : new TextDecoder().decode(source);
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new TokenizerError(`tokenizer.json does not parse: ${(error as Error).message}`, { cause: error });
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new TokenizerError("tokenizer.json is not a JSON object");
  return json as Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The document for a specialised tokenizer to inspect, or null when it does not
 * parse or lacks a key tokenizers.js requires: the specialised paths then
 * decline, and the general tokenizer reports the error.
 */
export function specialisableDocument(source: string | Uint8Array | object): Record<string, unknown> | null {
  let json: unknown = source;
  if (typeof source === "string" || source instanceof Uint8Array) {
    try {
      json = JSON.parse(typeof source === "string" ? source : new TextDecoder().decode(source));
    } catch {
      return null;
    }
  }
  if (!isRecord(json)) return null;
  for (const key of ["model", "decoder", "post_processor", "pre_tokenizer", "normalizer"]) if (!(key in json)) return null;
  return json;
}
