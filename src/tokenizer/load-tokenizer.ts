/**
 * Picks the tokenizer implementation for a tokenizer.json: the specialised BERT
 * WordPiece path when the document matches its shape exactly (ids identical to
 * the general tokenizer, about 10× faster), else `@huggingface/tokenizers`.
 */
import { HuggingFaceTokenizer } from "./hf-tokenizer.js";
import type { Tokenizer } from "./tokenizer.js";
import { parseTokenizerJson } from "./tokenizer-json.js";
import { WordPieceTokenizer } from "./wordpiece/wordpiece-tokenizer.js";

/**
 * The fastest exact tokenizer for a tokenizer.json document.
 *
 * @param source - The JSON text, its UTF-8 bytes, or the parsed object.
 * @throws TokenizerError when the JSON does not parse or describes no usable tokenizer.
 */
export function loadTokenizer(source: string | Uint8Array | object): Tokenizer {
  const json = parseTokenizerJson(source);
  return WordPieceTokenizer.fromJSON(json) ?? HuggingFaceTokenizer.fromJSON(json);
}
