/**
 * The WordPiece ASCII path, which pre-tokenizes and lowers raw units without
 * building the normalized string: every way an ASCII segment can differ from its
 * normalized form (case, clean_text's removals and whitespace mapping, a segment
 * that normalizes to an added token, non-ASCII late in a segment after ids were
 * already produced) must give the general tokenizer's ids, for each normalizer shape.
 * So must the stretches around non-ASCII characters, which the path normalizes alone:
 * accents and combining marks inside ASCII words, case mappings that change length,
 * Unicode spaces and punctuation, CJK padding, surrogates, and a stretch that makes the
 * whole segment an added token.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WordPieceTokenizer } from "../../../src/tokenizer/wordpiece/wordpiece-tokenizer.js";
import { wordPieceTokenizerJson } from "../../fixtures/tokenizers.js";
import { disagreements, pairFor } from "../differential.js";

const base = wordPieceTokenizerJson() as Record<string, any>;

/** The fixture with a lowercase special token "[x]", so "[X]" normalizes to an added token. */
function withLowercaseSpecial(): Record<string, unknown> {
  const vocab = { ...base.model.vocab, "[x]": Object.keys(base.model.vocab).length };
  const added = [...base.added_tokens, { id: vocab["[x]"], content: "[x]", special: true, normalized: false, lstrip: false, rstrip: false, single_word: false }];
  return { ...base, added_tokens: added, model: { ...base.model, vocab } };
}

const shapes: [string, Record<string, unknown>][] = [
  ["BERT normalizer", base],
  ["no lowercase", { ...base, normalizer: { ...base.normalizer, lowercase: false } }],
  ["no clean_text", { ...base, normalizer: { ...base.normalizer, clean_text: false } }],
  ["no normalizer", { ...base, normalizer: null }],
  ["a lowercase special token", withLowercaseSpecial()],
];

const inputs = [
  "Hello, WORLDS!",
  "HELLO world.Worlds",
  "a\tb\nc\rd\u000be\u000cf",
  "hel\u0000lo wor\u0001ld \u007f!",
  "[X]",
  "[x]",
  " [X]",
  "[X] hello",
  "[CLS]",
  "[cls]",
  "Hello world caf\u00e9",
  "Hello world NA\u00cfVE",
  "hello world \u03a3",
  "hello\u2003world",
  "HELLO".repeat(20),
  "A".repeat(101),
  "a".repeat(100),
  "",
  " ",
  "!!!",
  "na\u00efve caf\u00e9 r\u00e9sum\u00e9s, ok",
  "x\u0301y z\u0327\u0301 e\u0301\u0327q",
  "\uff21\uff42c DEF",
  "a\u00a0b c\u2014d e\u2019s",
  "\u6f22\u5b57abc def\u4e2dX",
  "\u03a3\u0391\u03a3 ab \u03a3",
  "\u0130stanbul x",
  "a\ud83d\ude00b c \ud800x y\udc00",
  "abc\u0001d\u00e9f ghi",
  "[X\u0301]",
  "[X\u0301] a",
  "\u00e9" + "a".repeat(100) + " x",
  "A".repeat(99) + "\u00e9 y",
];

describe("WordPieceTokenizer ASCII path", () => {
  for (const [name, json] of shapes) {
    it(`${name}: ids identical to HuggingFaceTokenizer on ASCII edge cases`, () => {
      const { fast, general } = pairFor((document) => WordPieceTokenizer.fromJSON(document), json);
      expect(disagreements(fast, general, inputs)).toEqual([]);
    });

    it(`${name}: ids identical on random ASCII-heavy strings (fast-check)`, () => {
      const { fast, general } = pairFor((document) => WordPieceTokenizer.fromJSON(document), json);
      const text = fc.string({ unit: fc.constantFrom(..."aAbBhHeEllLoO wWrRdD[]xXcCsS#.,!\t\n\r\u0000\u0001\u000b\u007f\u00e9\u00c9\u03a3\u0301\u00a0\u2014\u6f22\u0130\uff21\ud83d\ude00"), maxLength: 30 });
      fc.assert(
        fc.property(text, (s) => {
          expect(fast.encode(s)).toEqual(general.encode(s));
        }),
        { numRuns: 1_000, seed: 7 },
      );
    });
  }

  it("lowers A-Z as the normalizer does, and keeps case when it does not lowercase", () => {
    const lower = WordPieceTokenizer.fromJSON(base)!;
    const tokens = (t: WordPieceTokenizer, text: string) => t.encode(text).map((id) => t.vocabulary[id]);
    expect(tokens(lower, "HELLO World")).toEqual(["hello", "world"]);
    const cased = WordPieceTokenizer.fromJSON({ ...base, normalizer: { ...base.normalizer, lowercase: false } })!;
    expect(tokens(cased, "HELLO world")).toEqual(["[UNK]", "world"]);
    // A segment turning non-ASCII after its first words: the ids of those words are not kept twice.
    expect(tokens(lower, "Hello world Caf\u00e9")).toEqual(["hello", "world", "c", "##a", "##f", "##e"]);
  });
});
