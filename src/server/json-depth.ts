/**
 * A nesting check run on a request body before `JSON.parse`: parsing a few
 * megabytes of `[[[[…` blocks the event loop for seconds, while this scan stops
 * at the first bracket past the limit.
 */

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether the JSON text `text` nests arrays and objects more than `maxDepth`
 * levels deep. Brackets inside strings do not count. Malformed text is left for
 * `JSON.parse` to report.
 */
export function nestedDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/**
 * The index of the quote that ends the string opened at `open` (or the end of
 * the text). Jumps from quote to quote with `indexOf`: texts are most of a
 * request, and a character loop over them costs several times `JSON.parse`.
 */
function closingQuote(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote; // an odd count escapes this quote
  }
}
