/**
 * BertNormalizer exactly as tokenizers.js runs it (clean_text, tokenize_chinese_chars,
 * lowercase, strip_accents), with a fast path for text that needs none of the first two.
 * Shared by the WordPiece and Unigram fast paths.
 */
import { astralFlags, bmpFlags, F_CJK, F_REMOVE, F_SPACE, F_SURROGATE, isAstralCjk } from "./char-classes.js";
import { lowercase } from "./lowercase.js";
import { isRecord } from "./tokenizer-json.js";

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  lowercase: boolean;
  stripAccents: boolean;
}

const MARK_NONSPACING = /\p{Mn}/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The options of a `{ type: "BertNormalizer", ... }` document, or undefined when
 * they are not all given (Rust and tokenizers.js default missing ones differently).
 */
export function parseBertNormalizer(config: unknown): BertNormalizerOptions | undefined {
  if (!isRecord(config) || config.type !== "BertNormalizer") return undefined;
  const { clean_text, handle_chinese_chars, lowercase, strip_accents } = config;
  if (typeof clean_text !== "boolean" || typeof handle_chinese_chars !== "boolean" || typeof lowercase !== "boolean") return undefined;
  if (strip_accents !== null && strip_accents !== undefined && typeof strip_accents !== "boolean") return undefined;
  // tokenizers.js: with lowercase, accents go unless strip_accents is exactly false; without, only when true.
  const stripAccents = lowercase ? strip_accents !== false : strip_accents === true;
  return { cleanText: clean_text, handleChineseChars: handle_chinese_chars, lowercase, stripAccents };
}

export function bertNormalize(input: string, options: BertNormalizerOptions): string {
  let text = input;
  if (options.cleanText || options.handleChineseChars) text = cleanAndPad(text, options.cleanText, options.handleChineseChars);
  if (options.lowercase) text = lowercase(text);
  if (options.stripAccents && NON_ASCII.test(text)) text = text.normalize("NFD").replace(MARK_NONSPACING, "");
  return text;
}

/**
 * clean_text (drop NUL, U+FFFD, controls other than \t \n \r, format and private-use
 * characters and lone surrogates; map each BMP whitespace character to a space),
 * then tokenize_chinese_chars (pad CJK ideographs with spaces, astral ones included
 * as Rust does; tokenizers.js tests UTF-16 units and misses those, see
 * {@link padAstralCjk}).
 */
function cleanAndPad(text: string, clean: boolean, chinese: boolean): string {
  const flags = bmpFlags();
  const n = text.length;
  const mask = (clean ? F_REMOVE | F_SURROGATE | F_SPACE : 0) | (chinese ? F_CJK | F_SURROGATE : 0);
  let k = 0;
  // A plain space needs no change.
  while (k < n && ((flags[text.charCodeAt(k)]! & mask) === 0 || text.charCodeAt(k) === 0x20)) k++;
  if (k === n) return text;
  const parts: string[] = [text.slice(0, k)];
  let run = k;
  let i = k;
  while (i < n) {
    const unit = text.charCodeAt(i);
    const f = flags[unit]!;
    if (f & F_SURROGATE) {
      const pair = unit <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      const cp = pair ? ((unit - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000 : unit;
      if (clean && (!pair || astralFlags(cp) & F_REMOVE)) {
        if (i > run) parts.push(text.slice(run, i));
        i += pair ? 2 : 1;
        run = i;
        continue;
      }
      if (chinese && pair && isAstralCjk(cp)) {
        if (i > run) parts.push(text.slice(run, i));
        parts.push(" ", text.slice(i, i + 2), " ");
        i += 2;
        run = i;
        continue;
      }
      i += pair ? 2 : 1;
      continue;
    }
    if (clean && f & (F_REMOVE | F_SPACE) && unit !== 0x20) {
      if (i > run) parts.push(text.slice(run, i));
      if (!(f & F_REMOVE)) parts.push(" ");
      run = ++i;
      continue;
    }
    if (chinese && f & F_CJK) {
      if (i > run) parts.push(text.slice(run, i));
      parts.push(" ", text[i]!, " ");
      run = ++i;
      continue;
    }
    i++;
  }
  if (run < n) parts.push(text.slice(run));
  return parts.join("");
}

/**
 * `text` with spaces around each astral CJK ideograph, which Rust's
 * handle_chinese_chars pads and tokenizers.js's misses. Applied before a
 * tokenizers.js BertNormalizer, it gives Rust's result: clean_text, which runs
 * first there, neither removes these characters nor changes a space.
 */
export function padAstralCjk(text: string): string {
  let out: string | null = null;
  let run = 0;
  for (let i = 0; i + 1 < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff) continue;
    const low = text.charCodeAt(i + 1);
    if ((low & 0xfc00) !== 0xdc00) continue;
    if (isAstralCjk(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000)) {
      out = (out ?? "") + text.slice(run, i) + " " + text.slice(i, i + 2) + " ";
      run = i + 2;
    }
    i++;
  }
  return out === null ? text : out + text.slice(run);
}

