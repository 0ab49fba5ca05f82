/**
 * Character classes of the GPT-2 pre-tokenization regex
 * `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
 * built once from the same JavaScript regular expressions `@huggingface/tokenizers`
 * runs, so both agree on every code point (including the engine's Unicode version
 * and JavaScript's own `\s`, which differs from Rust's at U+0085 and U+FEFF).
 */

/** Neither letter, number nor space: `[^\s\p{L}\p{N}]`. Lone surrogates are OTHER. */
export const C_OTHER = 0;
/** `\p{L}`. */
export const C_LETTER = 1;
/** `\p{N}`. */
export const C_NUMBER = 2;
/** JavaScript `\s`. */
export const C_SPACE = 3;
/** A surrogate unit: the code point decides (see `astralClass`). Only in the BMP table. */
export const C_SURROGATE = 4;

const LETTER = /^\p{L}$/u;
const NUMBER = /^\p{N}$/u;
const SPACE = /^\s$/u;

let table: Uint8Array | null = null;

/** The class of every BMP code unit, surrogates marked C_SURROGATE. Built on first use (~10 ms). */
export function bmpClasses(): Uint8Array {
  if (table !== null) return table;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) t[c] = C_SURROGATE;
    else t[c] = classOf(String.fromCharCode(c));
  }
  table = t;
  return t;
}

const astral = new Map<number, number>();

/** The class of a supplementary-plane code point; cached. */
export function astralClass(cp: number): number {
  let c = astral.get(cp);
  if (c === undefined) {
    c = classOf(String.fromCodePoint(cp));
    astral.set(cp, c);
  }
  return c;
}

function classOf(ch: string): number {
  if (LETTER.test(ch)) return C_LETTER;
  if (NUMBER.test(ch)) return C_NUMBER;
  if (SPACE.test(ch)) return C_SPACE;
  return C_OTHER;
}
