/**
 * A specialised SentencePiece-style tokenizer: the tokenizer.json shape of Unigram
 * models with a Metaspace pre-tokenizer (model2vec's vocab-quantized models, the
 * tokenizer our Universal Sentence Encoder converter writes), run without regular
 * expressions on ASCII text and without per-word allocations. Its ids are identical
 * to `HuggingFaceTokenizer` (which wraps `@huggingface/tokenizers`) on every input,
 * including where tokenizers.js and Rust tokenizers disagree (final sigma, astral
 * CJK, Unicode versions, near-tie segmentations: see the tests); `fromJSON` returns
 * null for any other shape, so callers fall back.
 */
import type { IdSink, Tokenizer } from "../tokenizer.js";
import { AddedTokens } from "../added-tokens.js";
import { UnigramNormalizer, type Window } from "./normalizer.js";
import { UnigramModel } from "./unigram-model.js";
import { DoubleArrayTrie } from "../double-array-trie.js";
import { isRecord, specialisableDocument } from "../tokenizer-json.js";
import { isWellFormed } from "../text.js";

/** The Metaspace pre-tokenizer's options. tokenizers.js never splits on the replacement, whatever `split` says (Rust does when it is true). */
interface Metaspace {
  /** The replacement character's one UTF-16 unit (usually "▁", U+2581). */
  replacement: number;
  prependScheme: "first" | "always" | "never";
}

const DECODERS = new Set(["ByteLevel", "WordPiece", "Metaspace", "BPEDecoder", "CTC", "Sequence", "Replace", "Fuse", "Strip", "ByteFallback"]);

/**
 * A Unigram (SentencePiece) tokenizer.json run without `@huggingface/tokenizers`,
 * with ids identical to `HuggingFaceTokenizer`'s for the same document. Build it
 * with {@link UnigramTokenizer.fromJSON}, which returns null for other shapes.
 */
export class UnigramTokenizer implements Tokenizer {
  readonly vocabulary: readonly string[];
  readonly unkId: number;
  readonly #json: Record<string, unknown>;
  readonly #normalizer: UnigramNormalizer;
  readonly #metaspace: Metaspace | null;
  readonly #model: UnigramModel;
  /** Added tokens, matched in the raw text; null when there are none. */
  readonly #added: AddedTokens | null;
  /** Units free before the normalized text: the normalizer's Prepend steps, then Metaspace's prefix. */
  readonly #head: number;
  #units = new Uint16Array(1024);
  #ids = new Int32Array(256);
  readonly #window: Window = { lo: 0, hi: 0 };

  private constructor(
    json: Record<string, unknown>,
    pieces: string[],
    scores: number[],
    unkId: number,
    normalizer: UnigramNormalizer,
    metaspace: Metaspace | null,
    added: Map<string, number>,
  ) {
    this.#json = json;
    this.vocabulary = pieces;
    this.unkId = unkId;
    this.#normalizer = normalizer;
    this.#metaspace = metaspace;
    this.#model = new UnigramModel(pieces, scores, unkId);
    this.#head = normalizer.headroom + 1;
    this.#added = added.size === 0 ? null : new AddedTokens(added);
  }

  /**
   * The fast tokenizer for a tokenizer.json of the supported Unigram shape, or null
   * when the document is anything else (the caller then uses HuggingFaceTokenizer).
   *
   * Supported: model `Unigram` (distinct well-formed pieces, finite scores, an
   * `unk_id`, no byte fallback); pre-tokenizer `Metaspace` (one-unit replacement,
   * prepend_scheme first / always / never, any `split`) or none; normalizer none, or
   * any sequence of BertNormalizer, NFC / NFD / NFKC / NFKD, Lowercase,
   * StripAccents, Strip, Prepend and Replace (a literal, or the regex `\s+`); added
   * tokens that are vocabulary pieces, matched in the raw text.
   */
  static fromJSON(source: string | Uint8Array | object): UnigramTokenizer | null {
    const json = specialisableDocument(source);
    if (json === null) return null;

    const model = json.model;
    if (!isRecord(model) || model.type !== "Unigram" || !Array.isArray(model.vocab)) return null;
    // Rust would turn unknown characters into <0xNN> byte pieces; tokenizers.js would not.
    if (model.byte_fallback !== undefined && model.byte_fallback !== false) return null;
    const vocab = model.vocab as unknown[];
    if (vocab.length > DoubleArrayTrie.MAX_KEYS) return null;
    const pieces: string[] = [];
    const scores: number[] = [];
    const ids = new Map<string, number>();
    for (const entry of vocab) {
      if (!Array.isArray(entry) || entry.length !== 2) return null;
      const [piece, score] = entry as [unknown, unknown];
      if (typeof piece !== "string" || piece.length === 0 || !isWellFormed(piece) || ids.has(piece)) return null;
      if (typeof score !== "number" || !Number.isFinite(score)) return null;
      ids.set(piece, pieces.length);
      pieces.push(piece);
      scores.push(score);
    }
    const unkId = model.unk_id;
    if (typeof unkId !== "number" || !Number.isInteger(unkId) || unkId < 0 || unkId >= pieces.length) return null;

    const normalizer = UnigramNormalizer.parse(json.normalizer);
    if (normalizer === null) return null;
    const metaspace = parseMetaspace(json.pre_tokenizer);
    if (metaspace === undefined) return null;
    if (!isSupportedPostProcessor(json.post_processor)) return null;
    const decoder = json.decoder;
    if (decoder !== null && !(isRecord(decoder) && typeof decoder.type === "string" && DECODERS.has(decoder.type))) return null;

    const added = new Map<string, number>();
    const addedTokens = json.added_tokens;
    if (!Array.isArray(addedTokens)) return null;
    for (const token of addedTokens) {
      if (!isRecord(token)) return null;
      const { content, id } = token;
      if (typeof content !== "string" || content.length === 0 || !isWellFormed(content)) return null;
      // tokenizers.js: normalized defaults to !special. Only raw-text matching is supported.
      if ((token.normalized ?? token.special !== true) !== false) return null;
      if ((token.lstrip ?? false) !== false || (token.rstrip ?? false) !== false || (token.single_word ?? false) !== false) return null;
      // The added token must already be the vocabulary's piece, so ids and `vocabulary` agree.
      if (typeof id !== "number" || ids.get(content) !== id || added.has(content)) return null;
      added.set(content, id);
    }
    return new UnigramTokenizer(json, pieces, scores, unkId, normalizer, metaspace, added);
  }

  /**
   * Token ids of `text`, without special tokens; a run of unknown characters gives
   * one `unkId`. The returned array is the caller's (a fresh copy each call).
   */
  encode(text: string): Int32Array {
    const count = this.#encodeIds(text); // first: it may replace the buffer with a larger one
    return this.#ids.slice(0, count);
  }

  /** Appends the ids of `text` to `out`, as {@link encode} returns them. */
  encodeInto(text: string, out: IdSink): void {
    const count = this.#encodeIds(text);
    const ids = this.#ids;
    for (let i = 0; i < count; i++) out.push(ids[i]!);
  }

  /** Writes the ids of `text` to the start of the reusable id buffer; returns their count. */
  #encodeIds(text: string): number {
    let count = 0;
    const added = this.#added;
    if (added === null) {
      // An empty text has no section at all (a Prepend normalizer would otherwise give "▁").
      if (text.length > 0) count = this.#encodeSection(text, 0, text.length, true, 0);
      return count;
    }
    let start = 0;
    while (added.find(text, start)) {
      if (added.start > start) count = this.#encodeSection(text, start, added.start, start === 0, count);
      this.#reserveIds(count + 1);
      this.#ids[count++] = added.id;
      start = added.end;
    }
    const n = text.length;
    if (start < n) count = this.#encodeSection(text, start, n, start === 0, count);
    return count;
  }

  toJSON(): Record<string, unknown> {
    return this.#json;
  }

  /**
   * One stretch of raw text between added tokens: normalize, Metaspace, Viterbi.
   * `first` is whether it opens the text (Metaspace's prepend_scheme "first").
   */
  #encodeSection(text: string, start: number, end: number, first: boolean, count: number): number {
    const head = this.#head;
    const window = this.#window;
    const normalizer = this.#normalizer;
    let units: Uint16Array = this.#units;
    let fast = false;
    if (normalizer.hasFastPath) {
      units = this.#reserveUnits(head + (end - start) * normalizer.maxExpansion + 1);
      fast = normalizer.normalizeAsciiInto(text, start, end, units, head, window);
    }
    if (!fast) {
      const normalized = normalizer.normalize(start === 0 && end === text.length ? text : text.slice(start, end));
      units = this.#reserveUnits(head + normalized.length + 1);
      for (let k = 0; k < normalized.length; k++) units[head + k] = normalized.charCodeAt(k);
      window.lo = head;
      window.hi = head + normalized.length;
    }
    let { lo, hi } = window;
    if (hi === lo) return count;
    // tokenizers.js checks the whole normalized text against the added tokens.
    if (this.#added?.hasLength(hi - lo)) {
      const id = this.#added.idOf(String.fromCharCode(...units.subarray(lo, hi)));
      if (id >= 0) {
        this.#reserveIds(count + 1);
        this.#ids[count] = id;
        return count + 1;
      }
    }
    const metaspace = this.#metaspace;
    if (metaspace !== null) {
      const replacement = metaspace.replacement;
      for (let k = lo; k < hi; k++) if (units[k] === 0x20) units[k] = replacement;
      const prepend = metaspace.prependScheme === "always" || (metaspace.prependScheme === "first" && first);
      if (prepend && units[lo] !== replacement) units[--lo] = replacement;
    }
    this.#reserveIds(count + hi - lo);
    return this.#model.encode(units, lo, hi, this.#ids, count);
  }

  #reserveUnits(size: number): Uint16Array {
    if (this.#units.length < size) this.#units = new Uint16Array(Math.max(size, this.#units.length * 2));
    return this.#units;
  }

  #reserveIds(size: number): void {
    if (this.#ids.length >= size) return;
    const grown = new Int32Array(Math.max(size, this.#ids.length * 2));
    grown.set(this.#ids);
    this.#ids = grown;
  }
}

/** The Metaspace options, null for no pre-tokenizer, or undefined when unsupported. */
function parseMetaspace(value: unknown): Metaspace | null | undefined {
  if (value === null) return null;
  if (!isRecord(value) || value.type !== "Metaspace") return undefined;
  const { replacement, prepend_scheme, split, str_rep } = value;
  // One UTF-16 unit, so the space → replacement rewrite is in place.
  if (typeof replacement !== "string" || replacement.length !== 1 || (replacement.charCodeAt(0) & 0xf800) === 0xd800) return undefined;
  // tokenizers.js would prepend str_rep; Rust has no such option.
  if (str_rep !== undefined && str_rep !== replacement) return undefined;
  if (prepend_scheme !== "first" && prepend_scheme !== "always" && prepend_scheme !== "never") return undefined;
  if (split !== undefined && typeof split !== "boolean") return undefined;
  return { replacement: replacement.charCodeAt(0), prependScheme: prepend_scheme };
}

/** Post-processors that leave the tokens alone when no special tokens are added. */
function isSupportedPostProcessor(value: unknown): boolean {
  if (value === null) return true;
  if (!isRecord(value)) return false;
  if (value.type === "BertProcessing" || value.type === "RobertaProcessing" || value.type === "ByteLevel") return true;
  if (value.type !== "TemplateProcessing" || !Array.isArray(value.single)) return false;
  // tokenizers.js emits every Sequence item of the template, special tokens or not.
  const sequences = value.single.filter((item) => isRecord(item) && "Sequence" in item);
  const sequence = sequences[0] as { Sequence?: { id?: unknown } } | undefined;
  return sequences.length === 1 && sequence?.Sequence?.id === "A" && value.single.every((item) => isRecord(item) && ("Sequence" in item || "SpecialToken" in item));
}

