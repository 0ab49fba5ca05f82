/**
 * A specialised byte-level BPE tokenizer: the tokenizer.json shape of GPT-2 /
 * RoBERTa-style models (ByteLevel pre-tokenizer with the GPT-2 regex, BPE over the
 * 256-symbol byte alphabet, literal added tokens), run with a hand-written
 * pre-tokenizer, a word cache keyed in place in the text and merges over integer
 * ids. Its ids are identical to `HuggingFaceTokenizer` (which wraps
 * `@huggingface/tokenizers`) on every input; `fromJSON` returns null for any
 * other shape, so callers fall back.
 */
import type { IdSink, Tokenizer } from "../tokenizer.js";
import { AddedTokenSplitter } from "./added-token-splitter.js";
import { BpeMerges } from "./bpe-merges.js";
import { BYTE_CHARS } from "./byte-alphabet.js";
import { astralClass, bmpClasses, C_OTHER, C_SPACE, C_SURROGATE } from "./gpt2-classes.js";
import { hashUnits, MAX_CACHED_UNITS, WordCache } from "./word-cache.js";
import { isRecord, specialisableDocument } from "../tokenizer-json.js";
import { isWellFormed } from "../text.js";

/** An added token as matching needs it. */
interface AddedToken {
  content: string;
  id: number;
  lstrip: boolean;
  rstrip: boolean;
  /** Matched after the normalizer runs (tokenizers.js: only when there is a normalizer). */
  normalized: boolean;
}

/** Everything `fromJSON` validated, for the constructor. */
interface Shape {
  json: Record<string, unknown>;
  vocab: Map<string, number>;
  vocabulary: string[];
  unkId: number | null;
  merges: [string, string][];
  ignoreMerges: boolean;
  addPrefixSpace: boolean;
  nfc: boolean;
  added: AddedToken[];
}

/** Distinct words remembered with their ids (Rust `tokenizers` uses 10,000; wider vocabularies of text repay more). */
const CACHE_CAPACITY = 50_000;

const LOW_SURROGATE = 0xdc00;

/**
 * A byte-level BPE tokenizer.json of the GPT-2 / RoBERTa shape, encoded without
 * regular expressions or per-word strings. Build it with `fromJSON`.
 */
export class ByteLevelBpeTokenizer implements Tokenizer {
  readonly vocabulary: readonly string[];
  readonly unkId: number | null;
  readonly #json: Record<string, unknown>;
  readonly #addPrefixSpace: boolean;
  readonly #nfc: boolean;
  readonly #merges: BpeMerges;
  /** The vocabulary id of each byte's symbol, or -(byte + 1) when the vocabulary lacks it. */
  readonly #byteSymbol = new Int32Array(256);
  /** The id a lacking byte symbol is reported as, or -1 to drop it. */
  readonly #lackingByteId = new Int32Array(256);
  /** With ignore_merges, whole words found here skip the merges. */
  readonly #wholeWords: Map<string, number> | null;
  readonly #classes: Uint8Array;
  readonly #cache = new WordCache(CACHE_CAPACITY);
  /** tokenizers.js's `added_tokens_map`: content (and normalized content) → token. */
  readonly #added = new Map<string, AddedToken>();
  readonly #addedLengths = new Set<number>();
  readonly #stripping: boolean;
  readonly #rawSplitter: AddedTokenSplitter | null;
  readonly #normalizedSplitter: AddedTokenSplitter | null;
  #out = new Int32Array(1024);
  #length = 0;
  #symbols = new Int32Array(256);

  private constructor(shape: Shape) {
    this.#json = shape.json;
    this.vocabulary = shape.vocabulary;
    this.unkId = shape.unkId;
    this.#addPrefixSpace = shape.addPrefixSpace;
    this.#nfc = shape.nfc;
    this.#classes = bmpClasses();
    const { vocab } = shape;

    // tokenizers.js's `tokens_to_ids`: the model vocabulary plus every added token's content.
    const tokenIds = new Map(vocab);
    const raw: string[] = [];
    const normalized: string[] = [];
    for (const token of shape.added) {
      tokenIds.set(token.content, token.id);
      this.#added.set(token.content, token);
      if (token.normalized && shape.nfc) {
        const key = token.content.normalize("NFC");
        this.#added.set(key, token);
        normalized.push(key);
      } else {
        raw.push(token.content);
      }
    }
    for (const key of this.#added.keys()) this.#addedLengths.add(key.length);
    this.#stripping = shape.added.some((t) => t.lstrip || t.rstrip);
    this.#rawSplitter = raw.length > 0 ? new AddedTokenSplitter(raw) : null;
    this.#normalizedSplitter = normalized.length > 0 ? new AddedTokenSplitter(normalized) : null;

    this.#merges = new BpeMerges(shape.merges.length);
    shape.merges.forEach(([a, b], rank) => this.#merges.add(vocab.get(a)!, vocab.get(b)!, vocab.get(a + b)!, rank));
    for (let b = 0; b < 256; b++) {
      const char = BYTE_CHARS[b]!;
      const id = vocab.get(char);
      this.#byteSymbol[b] = id ?? -(b + 1);
      // tokenizers.js keeps a symbol missing from the model vocabulary (it merges with nothing),
      // then reports it by its added-token id, as the unk token, or not at all.
      this.#lackingByteId[b] = tokenIds.get(char) ?? shape.unkId ?? -1;
    }
    this.#wholeWords = shape.ignoreMerges ? tokenIds : null;
  }

  /**
   * The fast tokenizer for a tokenizer.json of the supported byte-level BPE shape,
   * or null when the document is anything else (the caller then uses HuggingFaceTokenizer).
   *
   * @param source - The JSON text, its UTF-8 bytes, or the parsed object.
   */
  static fromJSON(source: string | Uint8Array | object): ByteLevelBpeTokenizer | null {
    const shape = parseShape(source);
    return shape === null ? null : new ByteLevelBpeTokenizer(shape);
  }

  encode(text: string): Int32Array {
    this.#encodeText(text);
    return this.#out.slice(0, this.#length);
  }

  /** Appends the ids of `text` to `out`, as {@link encode} returns them. */
  encodeInto(text: string, out: IdSink): void {
    this.#encodeText(text);
    const ids = this.#out;
    for (let i = 0; i < this.#length; i++) out.push(ids[i]!);
  }

  toJSON(): Record<string, unknown> {
    return this.#json;
  }

  /** Writes the ids of `text` to `#out[0, #length)`. */
  #encodeText(text: string): void {
    this.#length = 0;
    const sections = this.#rawSplitter === null ? null : this.#rawSplitter.split(text);
    if (sections === null) {
      this.#encodeSection(text);
      return;
    }
    this.#strip(sections);
    for (const section of sections) this.#encodeSection(section);
  }

  /** One section between raw-matched added tokens, as tokenizers.js's `encode_text`. */
  #encodeSection(section: string): void {
    if (section.length === 0 || this.#pushAdded(section)) return;
    const text = this.#nfc ? section.normalize("NFC") : section;
    const subsections = this.#normalizedSplitter === null ? null : this.#normalizedSplitter.split(text);
    if (subsections === null) {
      this.#encodeSubsection(text);
      return;
    }
    this.#strip(subsections);
    for (const subsection of subsections) this.#encodeSubsection(subsection);
  }

  #encodeSubsection(text: string): void {
    if (text.length === 0 || this.#pushAdded(text)) return;
    this.#preTokenize(this.#addPrefixSpace && text.charCodeAt(0) !== 0x20 ? " " + text : text);
  }

  /** Pushes the id of an added token whose content is exactly `text`; false when there is none. */
  #pushAdded(text: string): boolean {
    if (!this.#addedLengths.has(text.length)) return false;
    const token = this.#added.get(text);
    if (token === undefined) return false;
    this.#reserve(1);
    this.#out[this.#length++] = token.id;
    return true;
  }

  /** lstrip / rstrip as tokenizers.js applies them: trim the neighbouring sections. */
  #strip(sections: string[]): void {
    if (!this.#stripping) return;
    for (let i = 0; i < sections.length; i++) {
      const token = this.#added.get(sections[i]!);
      if (token === undefined) continue;
      if (token.lstrip && i > 0) sections[i - 1] = sections[i - 1]!.trimEnd();
      if (token.rstrip && i < sections.length - 1) sections[i + 1] = sections[i + 1]!.trimStart();
    }
  }

  /**
   * The GPT-2 regex as a scanner. At each position, in the regex's order: a
   * contraction; an optional U+0020 then a run of letters, of numbers, or of
   * anything else but whitespace; else a whitespace run, less its last unit when
   * non-whitespace follows and the run is longer than one (`\s+(?!\S)`, then `\s+`).
   */
  #preTokenize(s: string): void {
    const n = s.length;
    let i = 0;
    while (i < n) {
      const unit = s.charCodeAt(i);
      let end = unit === 0x27 ? contractionEnd(s, i, n) : -1;
      if (end < 0) {
        const from = unit === 0x20 && i + 1 < n ? i + 1 : i;
        const cls = this.#classAt(s, from, n);
        end = cls === C_SPACE ? this.#spaceEnd(s, i, n) : this.#runEnd(s, from, n, cls);
      }
      this.#encodeWord(s, i, end);
      i = end;
    }
  }

  #classAt(s: string, i: number, n: number): number {
    const unit = s.charCodeAt(i);
    const cls = this.#classes[unit]!;
    if (cls !== C_SURROGATE) return cls;
    return unit <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === LOW_SURROGATE ? astralClass(s.codePointAt(i)!) : C_OTHER;
  }

  /** The end of the run of class `cls` (not whitespace) starting at `i`. */
  #runEnd(s: string, i: number, n: number, cls: number): number {
    const classes = this.#classes;
    while (i < n) {
      const unit = s.charCodeAt(i);
      const c = classes[unit]!;
      if (c === cls) {
        i++;
      } else if (c !== C_SURROGATE) {
        break;
      } else if (unit <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === LOW_SURROGATE) {
        if (astralClass(s.codePointAt(i)!) !== cls) break;
        i += 2;
      } else {
        if (cls !== C_OTHER) break; // a lone surrogate is "other"
        i++;
      }
    }
    return i;
  }

  /** The end of the whitespace token at `i` (JavaScript `\s` is all in the BMP). */
  #spaceEnd(s: string, i: number, n: number): number {
    const classes = this.#classes;
    let j = i + 1;
    while (j < n && classes[s.charCodeAt(j)] === C_SPACE) j++;
    return j === n || j - i === 1 ? j : j - 1;
  }

  /** Appends the ids of the word `s[start, end)`, from the cache when it has them. */
  #encodeWord(s: string, start: number, end: number): void {
    const cacheable = end - start <= MAX_CACHED_UNITS;
    let h = 0;
    if (cacheable) {
      h = hashUnits(s, start, end);
      const cache = this.#cache;
      const entry = cache.find(s, start, end, h);
      if (entry >= 0) {
        const from = cache.idStart(entry);
        const count = cache.idLength(entry);
        this.#reserve(count);
        const ids = cache.ids;
        const out = this.#out;
        let length = this.#length;
        for (let k = from; k < from + count; k++) out[length++] = ids[k]!;
        this.#length = length;
        return;
      }
    }
    const mark = this.#length;
    this.#bpeWord(s, start, end);
    if (cacheable) this.#cache.add(s, start, end, h, this.#out, mark, this.#length - mark);
  }

  /** UTF-8 bytes of the word → byte symbols → merges → ids. Lone surrogates are U+FFFD, as TextEncoder makes them. */
  #bpeWord(s: string, start: number, end: number): void {
    if (this.#symbols.length < (end - start) * 3) this.#symbols = new Int32Array((end - start) * 3);
    const symbols = this.#symbols;
    const byteSymbol = this.#byteSymbol;
    let count = 0;
    for (let i = start; i < end; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        symbols[count++] = byteSymbol[c]!;
        continue;
      }
      if (c < 0x800) {
        symbols[count++] = byteSymbol[0xc0 | (c >> 6)]!;
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          if (c <= 0xdbff && i + 1 < end && (s.charCodeAt(i + 1) & 0xfc00) === LOW_SURROGATE) {
            c = s.codePointAt(i++)!;
            symbols[count++] = byteSymbol[0xf0 | (c >> 18)]!;
            symbols[count++] = byteSymbol[0x80 | ((c >> 12) & 0x3f)]!;
          } else {
            c = 0xfffd;
            symbols[count++] = byteSymbol[0xe0 | (c >> 12)]!;
          }
        } else {
          symbols[count++] = byteSymbol[0xe0 | (c >> 12)]!;
        }
        symbols[count++] = byteSymbol[0x80 | ((c >> 6) & 0x3f)]!;
      }
      symbols[count++] = byteSymbol[0x80 | (c & 0x3f)]!;
    }
    if (this.#wholeWords !== null) {
      // A byte symbol's vocabulary entry is its own character.
      let word = "";
      for (let k = 0; k < count; k++) word += symbols[k]! >= 0 ? this.vocabulary[symbols[k]!] : BYTE_CHARS[-symbols[k]! - 1];
      const id = this.#wholeWords.get(word);
      if (id !== undefined) {
        this.#reserve(1);
        this.#out[this.#length++] = id;
        return;
      }
    }
    count = this.#merges.apply(symbols, count);
    this.#reserve(count);
    const out = this.#out;
    let length = this.#length;
    for (let k = 0; k < count; k++) {
      const symbol = symbols[k]!;
      const id = symbol >= 0 ? symbol : this.#lackingByteId[-symbol - 1]!;
      if (id >= 0) out[length++] = id;
    }
    this.#length = length;
  }

  #reserve(count: number): void {
    if (this.#length + count <= this.#out.length) return;
    const grown = new Int32Array(Math.max(this.#length + count, this.#out.length * 2));
    grown.set(this.#out.subarray(0, this.#length));
    this.#out = grown;
  }
}

/** The end of a contraction (`'s|'t|'re|'ve|'m|'ll|'d`) at `i`, or -1. */
function contractionEnd(s: string, i: number, n: number): number {
  if (i + 1 >= n) return -1;
  const a = s.charCodeAt(i + 1);
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return i + 2; // s t m d
  if (i + 2 >= n) return -1;
  const b = s.charCodeAt(i + 2);
  if ((a === 0x72 || a === 0x76) && b === 0x65) return i + 3; // re ve
  if (a === 0x6c && b === 0x6c) return i + 3; // ll
  return -1;
}

/** Validates the document against the supported shape; null when it is anything else. */
function parseShape(source: string | Uint8Array | object): Shape | null {
  const json = specialisableDocument(source);
  if (json === null) return null;

  const normalizer = json.normalizer;
  if (normalizer !== null && !(isRecord(normalizer) && normalizer.type === "NFC")) return null;
  const pre = json.pre_tokenizer;
  if (!isRecord(pre) || pre.type !== "ByteLevel" || typeof pre.add_prefix_space !== "boolean") return null;
  if (pre.use_regex !== undefined && pre.use_regex !== true) return null;

  const model = json.model;
  if (!isRecord(model) || model.type !== "BPE" || !isRecord(model.vocab) || !Array.isArray(model.merges)) return null;
  if (!isAbsent(model.dropout) || !isFalse(model.fuse_unk) || !isFalse(model.byte_fallback)) return null;
  // Affixes: "" (GPT-2's own files) behaves as none in both reference tokenizers.
  for (const key of ["continuing_subword_prefix", "end_of_word_suffix", "continuing_subword_suffix"]) {
    if (!isAbsent(model[key]) && model[key] !== "") return null;
  }
  const ignoreMerges = model.ignore_merges ?? false;
  if (typeof ignoreMerges !== "boolean") return null;

  const vocab = new Map<string, number>();
  const ids = new Set<number>();
  // By key rather than Object.entries, whose pair per token grows V8's young generation for good.
  const vocabJson = model.vocab;
  for (const token of Object.keys(vocabJson)) {
    const id = vocabJson[token];
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || ids.has(id)) return null;
    vocab.set(token, id);
    ids.add(id);
  }
  const unk = model.unk_token ?? null;
  if (unk !== null && (typeof unk !== "string" || !vocab.has(unk))) return null;
  const unkId = unk === null ? null : vocab.get(unk)!;

  const merges = parseMerges(model.merges, vocab);
  if (merges === null) return null;

  const nfc = normalizer !== null;
  const added = parseAddedTokens(json.added_tokens ?? [], vocab, ids, nfc);
  if (added === null) return null;

  // The vocabulary as HuggingFaceTokenizer reports it: every id from 0 up, no gaps.
  const vocabulary: string[] = new Array(vocab.size + added.filter((t) => !vocab.has(t.content)).length);
  for (const [token, id] of vocab) if (id < vocabulary.length) vocabulary[id] = token;
  for (const token of added) if (token.id < vocabulary.length) vocabulary[token.id] = token.content;
  for (let id = 0; id < vocabulary.length; id++) if (vocabulary[id] === undefined) return null;

  return { json, vocab, vocabulary, unkId, merges, ignoreMerges, addPrefixSpace: pre.add_prefix_space, nfc, added };
}

/** Merges as "a b" strings or [a, b] pairs, each part and the merged token in the vocabulary (Rust refuses others). */
function parseMerges(value: unknown[], vocab: Map<string, number>): [string, string][] | null {
  const pairs = value.length > 0 && Array.isArray(value[0]);
  const merges: [string, string][] = [];
  for (const merge of value) {
    let pair: unknown[];
    if (pairs) {
      if (!Array.isArray(merge)) return null;
      pair = merge;
    } else {
      if (typeof merge !== "string") return null;
      pair = merge.split(" ");
    }
    const [a, b] = pair;
    if (pair.length !== 2 || typeof a !== "string" || typeof b !== "string") return null;
    if (!vocab.has(a) || !vocab.has(b) || !vocab.has(a + b)) return null;
    merges.push([a, b]);
  }
  return merges;
}

/**
 * Added tokens tokenizers.js and Rust agree on: non-empty well-formed content,
 * not single_word, ids that either are the vocabulary's own for that content or
 * are new, and no two tokens sharing a content or an id.
 */
function parseAddedTokens(value: unknown, vocab: Map<string, number>, vocabIds: Set<number>, nfc: boolean): AddedToken[] | null {
  if (!Array.isArray(value)) return null;
  const added: AddedToken[] = [];
  const keys = new Set<string>();
  const ids = new Set<number>();
  for (const token of value) {
    if (!isRecord(token)) return null;
    const { content, id } = token;
    if (typeof content !== "string" || content.length === 0 || !isWellFormed(content)) return null;
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || ids.has(id)) return null;
    if (!isFalse(token.single_word)) return null;
    const lstrip = token.lstrip ?? false;
    const rstrip = token.rstrip ?? false;
    const special = token.special ?? false;
    const normalized = token.normalized ?? !special;
    if (typeof lstrip !== "boolean" || typeof rstrip !== "boolean" || typeof special !== "boolean" || typeof normalized !== "boolean") return null;
    const tokenKeys = normalized && nfc ? new Set([content, content.normalize("NFC")]) : new Set([content]);
    for (const key of tokenKeys) {
      if (keys.has(key)) return null;
      keys.add(key);
      if (vocab.has(key) && vocab.get(key) !== id) return null;
    }
    if (!vocab.has(content) && vocabIds.has(id)) return null;
    ids.add(id);
    added.push({ content, id, lstrip, rstrip, normalized });
  }
  return added;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function isFalse(value: unknown): boolean {
  return value === undefined || value === false;
}



