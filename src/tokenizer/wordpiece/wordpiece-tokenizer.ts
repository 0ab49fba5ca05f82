/**
 * A specialised BERT WordPiece tokenizer: the tokenizer.json shape of bge / BERT
 * models (BertNormalizer, BertPreTokenizer, WordPiece "##", literal special
 * tokens), run without regular expressions or per-word allocations. Its ids are
 * identical to `HuggingFaceTokenizer` (which wraps `@huggingface/tokenizers`) on
 * every input; `fromJSON` returns null for any other shape, so callers fall back.
 */
import { type BertNormalizerOptions, bertNormalize, parseBertNormalizer } from "../bert-normalizer.js";
import type { IdSink, Tokenizer } from "../tokenizer.js";
import { astralFlags, bmpFlags, F_PUNCT, F_REMOVE, F_SPACE, F_SURROGATE } from "../char-classes.js";
import { AddedTokens } from "../added-tokens.js";
import { DoubleArrayTrie } from "../double-array-trie.js";
import { isRecord, specialisableDocument } from "../tokenizer-json.js";
import { isWellFormed } from "../text.js";

const CONTINUATION = "##";

export class WordPieceTokenizer implements Tokenizer {
  readonly vocabulary: readonly string[];
  readonly unkId: number;
  readonly #json: Record<string, unknown>;
  readonly #normalizer: BertNormalizerOptions | null;
  readonly #maxChars: number;
  readonly #vocab: DoubleArrayTrie;
  /** The trie node of "##", where every piece after a word's first starts; -1 when absent. */
  readonly #continuation: number;
  /** Added tokens, matched in the raw text; null when there are none. */
  readonly #added: AddedTokens | null;
  readonly #flags: Uint8Array;
  /** Each code unit as the trie sees it: A-Z lowered when the normalizer lowercases, else itself. */
  readonly #units: Uint16Array;
  /** Units (bmpFlags) that make an ASCII segment differ from its normalized form beyond A-Z case. */
  readonly #asciiChanged: number;

  private constructor(
    json: Record<string, unknown>,
    vocabulary: string[],
    unkId: number,
    normalizer: BertNormalizerOptions | null,
    maxChars: number,
    added: Map<string, number>,
  ) {
    this.#json = json;
    this.vocabulary = vocabulary;
    this.unkId = unkId;
    this.#normalizer = normalizer;
    this.#maxChars = maxChars;
    this.#flags = bmpFlags();
    this.#units = trieUnits(normalizer?.lowercase ?? false);
    this.#asciiChanged = normalizer?.cleanText ? F_REMOVE : 0;
    const trie = new DoubleArrayTrie(vocabulary);
    const hashNode = trie.child(0, CONTINUATION.charCodeAt(0));
    this.#continuation = hashNode < 0 ? -1 : trie.child(hashNode, CONTINUATION.charCodeAt(1));
    this.#vocab = trie;
    this.#added = added.size === 0 ? null : new AddedTokens(added);
  }

  /**
   * The fast tokenizer for a tokenizer.json of the supported BERT shape, or null
   * when the document is anything else (the caller then uses HuggingFaceTokenizer).
   */
  static fromJSON(source: string | Uint8Array | object): WordPieceTokenizer | null {
    const json = specialisableDocument(source);
    if (json === null) return null;

    const model = json.model;
    if (!isRecord(model) || model.type !== "WordPiece") return null;
    if (model.continuing_subword_prefix !== CONTINUATION) return null;
    const maxChars = model.max_input_chars_per_word ?? 100;
    if (typeof maxChars !== "number" || !Number.isInteger(maxChars) || maxChars < 0) return null;
    if (model.fuse_unk !== undefined && model.fuse_unk !== false) return null;
    if (typeof model.unk_token !== "string" || !isRecord(model.vocab)) return null;

    // Keys and lookups rather than Object.entries: a pair array per token made V8 double its
    // young generation for good (16 MiB more resident memory after loading a 30k vocabulary).
    const vocab = model.vocab as Record<string, unknown>;
    const tokens = Object.keys(vocab);
    if (tokens.length > DoubleArrayTrie.MAX_KEYS) return null;
    const vocabulary: string[] = new Array(tokens.length);
    for (const token of tokens) {
      const id = vocab[token];
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= tokens.length) return null;
      if (vocabulary[id] !== undefined || token.length === 0 || !isWellFormed(token)) return null;
      vocabulary[id] = token;
    }
    if (!Object.hasOwn(vocab, model.unk_token)) return null;
    const unkId = vocab[model.unk_token] as number;

    const normalizer = parseNormalizer(json.normalizer);
    if (normalizer === undefined) return null;
    const pre = json.pre_tokenizer;
    if (!isRecord(pre) || pre.type !== "BertPreTokenizer") return null;

    const added = new Map<string, number>();
    const addedTokens = json.added_tokens ?? [];
    if (!Array.isArray(addedTokens)) return null;
    for (const token of addedTokens) {
      if (!isRecord(token)) return null;
      const { content, id } = token;
      if (typeof content !== "string" || content.length === 0 || !isWellFormed(content) || /\s/u.test(content)) return null;
      if (token.special !== true) return null;
      if ((token.normalized ?? false) !== false) return null;
      if ((token.lstrip ?? false) !== false || (token.rstrip ?? false) !== false || (token.single_word ?? false) !== false) return null;
      // The added token must already be the vocabulary's entry, so ids and `vocabulary` agree.
      if (typeof id !== "number" || !Object.hasOwn(vocab, content) || vocab[content] !== id || added.has(content)) return null;
      added.set(content, id);
    }
    return new WordPieceTokenizer(json, vocabulary, unkId, normalizer, maxChars, added);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    this.encodeInto(text, out);
    return out;
  }

  /** Appends the ids of `text` to `out`, as {@link encode} returns them. */
  encodeInto(text: string, out: IdSink): void {
    const added = this.#added;
    if (added === null) {
      this.#encodeSegment(text, out);
      return;
    }
    let start = 0;
    while (added.find(text, start)) {
      if (added.start > start) this.#encodeSegment(text.slice(start, added.start), out);
      out.push(added.id);
      start = added.end;
    }
    const n = text.length;
    if (start < n) this.#encodeSegment(start === 0 ? text : text.slice(start), out);
  }

  toJSON(): Record<string, unknown> {
    return this.#json;
  }

  /** One stretch of text between added tokens: normalize, pre-tokenize, WordPiece. */
  #encodeSegment(segment: string, out: IdSink): void {
    if (this.#encodeRaw(segment, out)) return;
    const text = this.#normalize(segment);
    if (text.length === 0) return;
    // tokenizers.js checks the whole normalized segment against the added tokens.
    const whole = this.#added === null ? -1 : this.#added.idOf(text);
    if (whole >= 0) {
      out.push(whole);
      return;
    }
    this.#encodeNormalized(text, out);
  }

  #normalize(text: string): string {
    return this.#normalizer === null ? text : bertNormalize(text, this.#normalizer);
  }

  /** Pre-tokenizes normalized text (BertPreTokenizer: split on whitespace, punctuation apart) and WordPieces each word. */
  #encodeNormalized(text: string, out: IdSink): void {
    const n = text.length;
    const flags = this.#flags;
    let wordStart = -1;
    let i = 0;
    while (i < n) {
      const unit = text.charCodeAt(i);
      let f = flags[unit]!;
      let width = 1;
      if (f & F_SURROGATE) {
        if (unit <= 0xdbff && i + 1 < n) {
          const low = text.charCodeAt(i + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            f = astralFlags(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
            width = 2;
          } else f = 0;
        } else f = 0;
      }
      if (f & (F_SPACE | F_PUNCT)) {
        if (wordStart >= 0) {
          this.#wordPiece(text, wordStart, i, out);
          wordStart = -1;
        }
        if (f & F_PUNCT && !(f & F_SPACE)) this.#wordPiece(text, i, i + width, out);
      } else if (wordStart < 0) {
        wordStart = i;
      }
      i += width;
    }
    if (wordStart >= 0) this.#wordPiece(text, wordStart, n, out);
  }

  /**
   * A segment without building its normalized string where it can: ASCII is pre-tokenized
   * on the raw units and lowered as the trie reads them; only a stretch holding anything
   * else (a non-ASCII character, or an ASCII one clean_text removes) is normalized, alone,
   * from the start of its word to the next ASCII space or punctuation. Normalizing is per
   * character (NFD reorders only runs of combining marks, which ASCII ends) and those
   * separators are their own normal form, so the words and ids are the whole segment's.
   * Returns false, with `out` as it was, when the general path must see the whole segment:
   * one that could normalize to an added token.
   */
  #encodeRaw(text: string, out: IdSink): boolean {
    const added = this.#added;
    // A segment as long as an added token may equal one once normalized: the general path checks.
    if (added !== null && added.hasLength(text.length)) return false;
    const mark = out.length;
    let start = this.#encodeAscii(text, 0, out);
    while (start >= 0) {
      // Normalizing may change the length; a space, which stays, rules out an added token (they hold none).
      if (added !== null && !text.includes(" ")) {
        out.length = mark;
        return false;
      }
      start = this.#encodeAscii(text, this.#encodeStretch(text, start, out), out);
    }
    return true;
  }

  /**
   * The ASCII words of `text` from `from`, up to the first unit normalizing changes: returns
   * the start of that unit's word (ids pushed up to it), or -1 at the end of the text. Kept
   * free of the rarer paths, so its optimized code never meets a call it has not seen.
   */
  #encodeAscii(text: string, from: number, out: IdSink): number {
    const n = text.length;
    const flags = this.#flags;
    const changed = this.#asciiChanged;
    let wordStart = -1;
    for (let i = from; i < n; i++) {
      const unit = text.charCodeAt(i);
      const f = flags[unit]!;
      if (unit >= 0x80 || f & changed) return wordStart >= 0 ? wordStart : i;
      if (f & (F_SPACE | F_PUNCT)) {
        if (wordStart >= 0) {
          this.#wordPiece(text, wordStart, i, out);
          wordStart = -1;
        }
        if (f & F_PUNCT) this.#wordPiece(text, i, i + 1, out);
      } else if (wordStart < 0) {
        wordStart = i;
      }
    }
    if (wordStart >= 0) this.#wordPiece(text, wordStart, n, out);
    return -1;
  }

  /**
   * Normalizes and encodes the stretch of `text` from `start` (a word's start, not a
   * separator) to the next ASCII separator; returns where it ends.
   */
  #encodeStretch(text: string, start: number, out: IdSink): number {
    const flags = this.#flags;
    const changed = this.#asciiChanged;
    const n = text.length;
    let end = start + 1;
    while (end < n && !isAsciiSeparator(text.charCodeAt(end), flags, changed)) end++;
    this.#encodeNormalized(this.#normalize(text.slice(start, end)), out);
    return end;
  }

  /** Greedy longest-match WordPiece of text[start, end), as tokenizers.js's WordPieceTokenizer. */
  #wordPiece(text: string, start: number, end: number, out: IdSink): void {
    if (end - start > this.#maxChars && codePoints(text, start, end) > this.#maxChars) {
      out.push(this.unkId);
      return;
    }
    // The trie's arrays, stepped inline: child = base[node] + unit, valid when check[child] === node.
    const { base, check, terminal } = this.#vocab;
    const units = this.#units;
    const mark = out.length;
    let pos = start;
    while (pos < end) {
      let node = pos === start ? 0 : this.#continuation;
      let best = -1;
      let bestEnd = -1;
      for (let j = pos; j < end && node >= 0; ) {
        const next = base[node]! + units[text.charCodeAt(j)]!;
        if (check[next] !== node) break;
        node = next;
        j++;
        const t = terminal[node]!;
        if (t >= 0) {
          best = t;
          bestEnd = j;
        }
      }
      if (best < 0) {
        out.length = mark;
        out.push(this.unkId);
        return;
      }
      out.push(best);
      pos = bestEnd;
    }
  }
}

/** The normalizer options, null for no normalizer, or undefined when unsupported. */
function parseNormalizer(value: unknown): BertNormalizerOptions | null | undefined {
  return value === null ? null : parseBertNormalizer(value);
}

/** The unit table of `WordPieceTokenizer.#units`: identity, with A-Z lowered when `lowercase`. */
function trieUnits(lowercase: boolean): Uint16Array {
  const units = new Uint16Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit++) units[unit] = unit;
  if (lowercase) for (let unit = 0x41; unit <= 0x5a; unit++) units[unit] = unit + 0x20;
  return units;
}

/** An ASCII space or punctuation unit that normalizing keeps: a word boundary in raw and normalized text alike. */
function isAsciiSeparator(unit: number, flags: Uint8Array, changed: number): boolean {
  return unit < 0x80 && (flags[unit]! & (F_SPACE | F_PUNCT)) !== 0 && (flags[unit]! & changed) === 0;
}

function codePoints(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    count++;
  }
  return count;
}


