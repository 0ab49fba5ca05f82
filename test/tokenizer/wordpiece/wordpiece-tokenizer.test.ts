import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toWellFormed } from "../../../src/tokenizer/text.js";
import { WordPieceTokenizer } from "../../../src/tokenizer/wordpiece/wordpiece-tokenizer.js";
import { unigramTokenizerJson, wordLevelTokenizerJson, wordPieceTokenizerJson } from "../../fixtures/tokenizers.js";
import { sharedPath } from "../../shared.js";
import { differentialCorpus } from "../differential-corpus.js";
import { disagreements, pairFor } from "../differential.js";

/** Inputs in the differential corpus; raise to 100_000 for a deeper (slower) run. */
const CORPUS_SIZE = Number(process.env.TOKENIZER_CORPUS_SIZE ?? 20_000);
const SEED = 0x5eed;

const bge = sharedPath("reference/model2vec-rs-fixtures/test-model-float32/tokenizer.json");

function pair(json: object) {
  return pairFor((document) => WordPieceTokenizer.fromJSON(document), json);
}

const corpus = differentialCorpus(CORPUS_SIZE, SEED);
const cases: [string, () => object][] = [["generated fixture (family A)", () => wordPieceTokenizerJson()], ["generated fixture (family C)", () => wordPieceTokenizerJson({ family: "C" })]];
if (bge.available) cases.push(["shared bge tokenizer", () => JSON.parse(readFileSync(bge.path, "utf8")) as object]);

describe("WordPieceTokenizer", () => {
  it("accepts the BERT shape and refuses everything else", () => {
    expect(WordPieceTokenizer.fromJSON(wordPieceTokenizerJson())).not.toBeNull();
    expect(WordPieceTokenizer.fromJSON(JSON.stringify(wordPieceTokenizerJson()))).not.toBeNull();
    expect(WordPieceTokenizer.fromJSON(unigramTokenizerJson())).toBeNull();
    expect(WordPieceTokenizer.fromJSON(wordLevelTokenizerJson())).toBeNull();
    expect(WordPieceTokenizer.fromJSON("{not json")).toBeNull();
    const base = wordPieceTokenizerJson() as Record<string, any>;
    const variants: Record<string, unknown>[] = [
      { ...base, pre_tokenizer: { type: "Whitespace" } },
      { ...base, normalizer: { type: "Sequence", normalizers: [] } },
      { ...base, normalizer: { ...base.normalizer, lowercase: "yes" } },
      { ...base, model: { ...base.model, continuing_subword_prefix: "@@" } },
      { ...base, model: { ...base.model, unk_token: "<unk>" } },
      { ...base, model: { ...base.model, fuse_unk: true } },
      { ...base, added_tokens: [...base.added_tokens, { id: 5, content: "a", special: false, normalized: true }] },
      { ...base, added_tokens: base.added_tokens.map((t: object) => ({ ...t, lstrip: true })) },
      { ...base, added_tokens: [{ ...base.added_tokens[0], id: 3 }] },
      Object.fromEntries(Object.entries(base).filter(([k]) => k !== "normalizer")),
      // An empty token has no place in the trie: the general tokenizer handles that vocabulary.
      { ...base, model: { ...base.model, vocab: { ...base.model.vocab, "": Object.keys(base.model.vocab).length } } },
    ];
    for (const variant of variants) expect(WordPieceTokenizer.fromJSON(variant)).toBeNull();
    // No normalizer is a supported shape too.
    expect(WordPieceTokenizer.fromJSON({ ...base, normalizer: null })).not.toBeNull();
  });

  it("has the general tokenizer's vocabulary and unk id", () => {
    for (const [, json] of cases) {
      const { fast, general } = pair(json());
      expect(fast.unkId).toBe(general.unkId);
      expect(fast.vocabulary).toEqual(general.vocabulary);
      expect(fast.toJSON()).toEqual(general.toJSON());
    }
  });

  it("encodes known examples", () => {
    const { fast } = pair(wordPieceTokenizerJson());
    const tokens = (text: string) => fast.encode(text).map((id) => fast.vocabulary[id]);
    expect(tokens("Hello, WORLDS!")).toEqual(["hello", ",", "world", "##s", "!"]);
    expect(tokens("[PAD] hello[CLS]")).toEqual(["[PAD]", "hello", "[CLS]"]);
    expect(tokens("Café NAÏVE")).toEqual(["c", "##a", "##f", "##e", "n", "##a", "##i", "##v", "##e"]);
    expect(tokens("☃")).toEqual(["[UNK]"]);
    expect(tokens("a".repeat(101))).toEqual(["[UNK]"]);
    expect(tokens("")).toEqual([]);
  });

  it("counts max_input_chars_per_word in code points, as the general tokenizer does", () => {
    const base = wordPieceTokenizerJson() as Record<string, any>;
    const vocab = { ...base.model.vocab };
    let next = Object.keys(vocab).length;
    for (const token of ["😀", "##😀", "𝐀", "##𝐀"]) vocab[token] = next++;
    const { fast, general } = pair({ ...base, model: { ...base.model, vocab } });
    const inputs = [60, 99, 100, 101, 150].flatMap((n) => ["😀".repeat(n), "a" + "𝐀".repeat(n - 1), "😀".repeat(n) + "a"]);
    expect(disagreements(fast, general, inputs)).toEqual([]);
    expect(fast.encode("😀".repeat(60)).length).toBe(60);
  });

  for (const [name, json] of cases) {
    it(`${name}: ids identical to HuggingFaceTokenizer on ${CORPUS_SIZE} corpus inputs`, () => {
      const { fast, general } = pair(json());
      expect(disagreements(fast, general, corpus.map(toWellFormed))).toEqual([]);
    });

    it(`${name}: ids identical on raw (not well-formed) corpus inputs`, () => {
      const { fast, general } = pair(json());
      expect(disagreements(fast, general, corpus.slice(0, Math.min(corpus.length, 5_000)))).toEqual([]);
    });

    it(`${name}: ids identical on random strings (fast-check)`, () => {
      const { fast, general } = pair(json());
      const text = fc.oneof(
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: fc.constantFrom(..."aA é[]CLSPADx#.,😀\u0301\u0000日 \t\n"), maxLength: 40 }),
      );
      fc.assert(
        fc.property(text, (s) => {
          expect(fast.encode(s)).toEqual(general.encode(s));
        }),
        { numRuns: 2_000, seed: 42 },
      );
    });
  }
});
