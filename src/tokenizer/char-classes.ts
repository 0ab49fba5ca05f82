/**
 * Character classes of BertNormalizer / BertPreTokenizer (the WordPiece and Unigram
 * fast paths), built once from the same
 * Unicode regular expressions `@huggingface/tokenizers` uses, so both agree on
 * every code point (including the JS engine's Unicode version).
 */

/** clean_text drops it: NUL, U+FFFD, or Cc/Cf/Co/Cs other than \t \n \r. */
export const F_REMOVE = 1;
/** handle_chinese_chars pads it with spaces (BMP ranges only, as tokenizers.js checks UTF-16 units). */
export const F_CJK = 2;
/** JavaScript `\s` (the BertPreTokenizer splits on it). */
export const F_SPACE = 4;
/** BERT punctuation: ASCII punctuation ranges and \p{P}. */
export const F_PUNCT = 8;
/** A surrogate unit: the code point decides (see `astralFlags`). */
export const F_SURROGATE = 16;

const CONTROL = /^(?:\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;
const SPACE = /^\s$/u;
const PUNCT = /^[\p{P}\u0021-\u002F\u003A-\u003F\u0040\u005B-\u0060\u007B-\u007E]$/u;

let table: Uint8Array | null = null;

/** Flags of every BMP code unit (surrogates flagged F_SURROGATE only). Built on first use (~tens of ms). */
export function bmpFlags(): Uint8Array {
  if (table !== null) return table;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      t[c] = F_SURROGATE;
      continue;
    }
    const ch = String.fromCharCode(c);
    let f = 0;
    if (c === 0 || c === 0xfffd || (c !== 9 && c !== 10 && c !== 13 && CONTROL.test(ch))) f |= F_REMOVE;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) f |= F_CJK;
    if (SPACE.test(ch)) f |= F_SPACE;
    if (PUNCT.test(ch)) f |= F_PUNCT;
    t[c] = f;
  }
  table = t;
  return t;
}

const astral = new Map<number, number>();

/** Flags of a supplementary-plane code point (F_REMOVE for Cf/Co, F_PUNCT for \p{P}); cached. */
export function astralFlags(cp: number): number {
  let f = astral.get(cp);
  if (f === undefined) {
    const ch = String.fromCodePoint(cp);
    f = (CONTROL.test(ch) ? F_REMOVE : 0) | (PUNCT.test(ch) ? F_PUNCT : 0) | (SPACE.test(ch) ? F_SPACE : 0);
    astral.set(cp, f);
  }
  return f;
}

/**
 * Rust tokenizers' astral CJK ranges of `handle_chinese_chars` (bert.rs; note 0x2B920, where
 * BERT's Python code has 0x2B820). tokenizers.js tests UTF-16 units and never pads these.
 */
export function isAstralCjk(cp: number): boolean {
  return (
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

