/** String helpers that follow Python's code-point semantics. */

/**
 * The first `maxCodePoints` code points of `text`, as Python's `text[:n]` would
 * give. Surrogate pairs count as one code point; a lone surrogate counts as one.
 * Only the kept prefix is scanned, so a 50 MB string costs O(maxCodePoints).
 */
export function truncateCodePoints(text: string, maxCodePoints: number): string {
  // UTF-16 length bounds the code-point count from above.
  if (text.length <= maxCodePoints) return text;
  let index = 0;
  for (let count = 0; count < maxCodePoints && index < text.length; count++) {
    const unit = text.charCodeAt(index);
    const isPair =
      unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length && isLowSurrogate(text.charCodeAt(index + 1));
    index += isPair ? 2 : 1;
  }
  return text.slice(0, index);
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/** Whether `text` has no lone UTF-16 surrogate (so it has a UTF-8 form). */
export function isWellFormed(text: string): boolean {
  const s = text as string & { isWellFormed?: () => boolean };
  return typeof s.isWellFormed === "function" ? s.isWellFormed() : !LONE_SURROGATE.test(text);
}

/**
 * Replaces lone surrogates with U+FFFD. Python's tokenizers cannot encode them
 * at all (UTF-8 has no form for them); we map them to the replacement character,
 * as TextEncoder does, so they become unknown tokens instead of errors.
 */
export function toWellFormed(text: string): string {
  const s = text as string & { isWellFormed?: () => boolean; toWellFormed?: () => string };
  if (typeof s.isWellFormed === "function" && typeof s.toWellFormed === "function") {
    return s.isWellFormed() ? text : s.toWellFormed();
  }
  return text.replace(LONE_SURROGATES, "\ufffd");
}

/** Number of code points in `text`. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) i++;
    count++;
  }
  return count;
}
