/**
 * tokenlearn's `create_vocab` (tokenlearn `utils.py`): the most
 * frequent tokens of the lowercased texts under the regex `\w+|[^\w\s]+`.
 *
 * Python's `re` treats `\w` as Unicode-aware for str patterns: letters (L*),
 * numerics (N*) and the underscore of every script, but not combining marks
 * (Mn/Mc), so the pattern here spells exactly that out with Unicode properties. Ties in frequency keep the order of first appearance, as
 * `Counter.most_common` does (its sort is stable over insertion order).
 */
import { InvalidInputError } from "../errors.js";

/** `\w+|[^\w\s]+` with Python's Unicode `\w`. */
export const CORPUS_TOKEN_PATTERN = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+/gu;

/** Token → count over the lowercased texts, in order of first appearance. */
export function countCorpusTokens(texts: Iterable<string>, counts: Map<string, number> = new Map()): Map<string, number> {
  for (const text of texts) {
    if (typeof text !== "string") throw new InvalidInputError(`corpus texts must be strings, got ${typeof text}`);
    for (const match of text.toLowerCase().matchAll(CORPUS_TOKEN_PATTERN)) {
      const token = match[0];
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * The `size` most frequent tokens of `texts` (lowercased), most frequent first.
 *
 * @throws InvalidInputError when `size` is not a non-negative integer or a text is not a string.
 */
export function corpusVocabulary(texts: Iterable<string>, size: number): string[] {
  if (!(Number.isSafeInteger(size) && size >= 0)) throw new InvalidInputError(`vocabSize must be a non-negative integer, got ${size}`);
  if (size === 0) return [];
  return mostFrequent(countCorpusTokens(texts), size);
}

/** The `size` most frequent tokens of `counts`, most frequent first; ties keep the map's order. */
export function mostFrequent(counts: ReadonlyMap<string, number>, size: number): string[] {
  const entries = [...counts];
  // Array.prototype.sort is stable: equal counts keep first-appearance order.
  entries.sort((a, b) => b[1] - a[1]);
  return entries.slice(0, size).map(([token]) => token);
}
