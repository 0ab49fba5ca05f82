/**
 * Picks the tokenizer implementation for a tokenizer.json: a specialised path
 * (BERT WordPiece, Metaspace Unigram, byte-level BPE) when the document matches
 * its shape exactly (ids identical to the general tokenizer, 10–40× faster),
 * else `@huggingface/tokenizers`.
 */
import { ByteLevelBpeTokenizer } from "./bpe/byte-level-bpe-tokenizer.js";
import { HuggingFaceTokenizer } from "./hf-tokenizer.js";
import type { Tokenizer } from "./tokenizer.js";
import { checkTokenIds, parseTokenizerJson } from "./tokenizer-json.js";
import { UnigramTokenizer } from "./unigram/unigram-tokenizer.js";
import { WordPieceTokenizer } from "./wordpiece/wordpiece-tokenizer.js";

/**
 * The fastest exact tokenizer for a tokenizer.json document.
 *
 * @param source - The JSON text, its UTF-8 bytes, or the parsed object.
 * @throws TokenizerError when the JSON does not parse, holds an id beyond its vocabulary, or describes no usable tokenizer.
 */
export function loadTokenizer(source: string | Uint8Array | object): Tokenizer {
  const json = parseTokenizerJson(source);
  checkTokenIds(json);
  const tokenizer =
    WordPieceTokenizer.fromJSON(json) ??
    UnigramTokenizer.fromJSON(json) ??
    ByteLevelBpeTokenizer.fromJSON(json) ??
    HuggingFaceTokenizer.fromJSON(json);
  loaded.add(tokenizer);
  return tokenizer;
}

/** Tokenizers made here: their `toJSON()` rebuilds an identical tokenizer, e.g. in a worker thread. */
const loaded = new WeakSet<Tokenizer>();

/** Whether `loadTokenizer(tokenizer.toJSON())` gives a tokenizer with the same ids (true for ours, unknown for others). */
export function isRebuildable(tokenizer: Tokenizer): boolean {
  return loaded.has(tokenizer);
}
