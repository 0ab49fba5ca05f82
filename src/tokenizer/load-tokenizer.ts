/**
 * Picks the tokenizer implementation for a tokenizer.json: the specialised BERT
 * WordPiece path when the document matches its shape exactly (ids identical to
 * the general tokenizer, about 10× faster), else `@huggingface/tokenizers`.
 */
import { TokenizerError } from "../errors.js";
import { HuggingFaceTokenizer } from "./hf-tokenizer.js";
import type { Tokenizer } from "./tokenizer.js";
import { WordPieceTokenizer } from "./wordpiece/wordpiece-tokenizer.js";

/**
 * The fastest exact tokenizer for a tokenizer.json document.
 *
 * @param source - The JSON text, its UTF-8 bytes, or the parsed object.
 * @throws TokenizerError when the JSON does not parse or describes no usable tokenizer.
 */
export function loadTokenizer(source: string | Uint8Array | object): Tokenizer {
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
  return WordPieceTokenizer.fromJSON(json) ?? HuggingFaceTokenizer.fromJSON(json);
}
