import { describe, expect, it } from "vitest";
import { buildVocabulary } from "../../src/distill/vocabulary.js";
import { sifWeights } from "../../src/distill/sif.js";
import { HuggingFaceTokenizer, InvalidInputError } from "../../src/index.js";
import { byteLevelBpeTokenizerJson, unigramTokenizerJson, wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const tokensOf = (json: Record<string, unknown>, text: string) => {
  const tokenizer = HuggingFaceTokenizer.fromJSON(json);
  return Array.from(tokenizer.encode(text), (id) => tokenizer.vocabulary[id]);
};

/** The BERT fixture plus [unused0..2] tokens after [MASK], as bert-base has them. */
function bertWithUnused(): Record<string, unknown> {
  const json = wordPieceTokenizerJson();
  const vocab = (json.model as { vocab: Record<string, number> }).vocab;
  const shifted = Object.fromEntries(Object.entries(vocab).map(([token, id]) => [token, id < 5 ? id : id + 3]));
  for (let i = 0; i < 3; i++) shifted[`[unused${i}]`] = 5 + i;
  return { ...json, model: { ...(json.model as object), vocab: shifted } };
}

describe("buildVocabulary: cleaning", () => {
  const teacher = bertWithUnused();
  const teacherTokenizer = HuggingFaceTokenizer.fromJSON(teacher);
  const size = teacherTokenizer.vocabulary.length;

  it("prunes added tokens to unk and pad and drops [unusedN] by default, re-indexing contiguously", () => {
    const logs: string[] = [];
    const { tokens, tokenizerJson } = buildVocabulary(teacher, { onLog: (m) => logs.push(m) });
    expect(tokens.length).toBe(size - 3 - 3); // [CLS] [SEP] [MASK], and three [unusedN]
    expect(tokens.slice(0, 3)).toEqual(["[PAD]", "[UNK]", "a"]);
    expect(tokens.some((t) => t.startsWith("[unused") || ["[CLS]", "[SEP]", "[MASK]"].includes(t))).toBe(false);
    expect(tokenizerJson.post_processor).toBeNull();
    expect((tokenizerJson.added_tokens as { content: string; id: number }[]).map((t) => [t.content, t.id])).toEqual([
      ["[UNK]", 1],
      ["[PAD]", 0],
    ]);
    expect(logs).toContain("removed 3 tokens matching /^\\[unused\\d+\\]/");
    // The student tokenizes like the teacher, minus the removed tokens.
    expect(tokensOf(tokenizerJson, "Hello, worlds!")).toEqual(["hello", ",", "world", "##s", "!"]);
  });

  it("keeps everything but pruned added tokens with tokenRemovePattern null (Python: 30522 − 3 for BERT)", () => {
    expect(buildVocabulary(teacher, { tokenRemovePattern: null }).tokens.length).toBe(size - 3);
  });

  it("anchors the pattern at the start and never removes the WordPiece unk", () => {
    const { tokens } = buildVocabulary(teacher, { tokenRemovePattern: "\\[UNK\\]|##" });
    expect(tokens).toContain("[UNK]");
    expect(tokens.some((t) => t.startsWith("##"))).toBe(false);
    expect(tokens).toContain("[unused0]");
    expect(() => buildVocabulary(teacher, { tokenRemovePattern: "([" })).toThrow(InvalidInputError);
  });

  it("feeds the teacher [CLS] id [SEP] with the teacher's own ids", () => {
    const { tokens, teacherInputs } = buildVocabulary(teacher);
    const hello = tokens.indexOf("hello");
    const id = (t: string) => teacherTokenizer.vocabulary.indexOf(t);
    expect(Array.from(teacherInputs[hello]!)).toEqual([id("[CLS]"), id("hello"), id("[SEP]")]);
    expect(Array.from(teacherInputs[0]!)).toEqual([id("[CLS]"), id("[PAD]"), id("[SEP]")]);
  });
});

describe("buildVocabulary: custom words", () => {
  it("WordPiece: appends new single pieces, makes multiword added tokens, skips duplicates and empties", () => {
    const teacher = wordPieceTokenizerJson();
    const logs: string[] = [];
    const { tokens, tokenizerJson, teacherInputs } = buildVocabulary(teacher, {
      vocabulary: ["zebra", "Hello", "", "   ", "new york", "ZEBRA", "Café"],
      onLog: (m) => logs.push(m),
    });
    const base = buildVocabulary(teacher).tokens.length;
    // "Café" normalizes to "cafe", which the vocabulary (holding "café") lacks.
    expect(tokens.slice(base)).toEqual(["zebra", "cafe", "new york"]);
    expect(logs).toEqual(expect.arrayContaining(["skipped 2 custom words that are empty after normalization", "skipped 2 custom words already in the vocabulary"]));
    const multiword = (tokenizerJson.added_tokens as Record<string, unknown>[]).find((t) => t.content === "new york");
    expect(multiword).toMatchObject({ id: base + 2, normalized: true, special: false, lstrip: true, rstrip: true, single_word: false });
    expect(tokensOf(tokenizerJson, "a zebra in New York")).toEqual(["a", "zebra", "in", "new york"]);
    // New tokens are embedded from their text, with the teacher's special tokens.
    const teacherTokenizer = HuggingFaceTokenizer.fromJSON(teacher);
    expect(Array.from(teacherInputs[base]!)).toEqual(teacherTokenizer.encodeWithSpecialTokens("zebra"));
    expect(teacherTokenizer.encodeWithSpecialTokens("zebra").length).toBeGreaterThan(3);
  });

  it("Unigram: appends at the minimum score and keeps unk_id", () => {
    const teacher = unigramTokenizerJson();
    const { tokens, tokenizerJson } = buildVocabulary(teacher, { vocabulary: ["zebra"] });
    const model = tokenizerJson.model as { vocab: [string, number][]; unk_id: number };
    const minimum = Math.min(...(teacher.model as { vocab: [string, number][] }).vocab.map(([, s]) => s));
    expect(model.vocab[model.vocab.length - 1]).toEqual(["▁zebra", minimum]);
    expect(tokens[model.unk_id]).toBe("[UNK]");
    expect(tokensOf(tokenizerJson, "zebra")).toEqual(["▁zebra"]);
  });

  it("BPE: adds merges (and intermediate tokens) that make a new piece reachable", () => {
    const teacher = byteLevelBpeTokenizerJson();
    const before = buildVocabulary(teacher, { tokenRemovePattern: null });
    expect(tokensOf(before.tokenizerJson, "xyz")).toEqual(["Ġ", "x", "y", "z"]);
    const { tokens, tokenizerJson } = buildVocabulary(teacher, { vocabulary: ["xyz", "help", "hello"], tokenRemovePattern: null });
    expect(tokens.slice(before.tokens.length)).toEqual(["Ġx", "Ġxy", "Ġxyz", "Ġhelp"]);
    expect(tokensOf(tokenizerJson, "xyz help hello")).toEqual(["Ġxyz", "Ġhelp", "Ġhello"]);
    expect((tokenizerJson.model as { merges: string[] }).merges.slice(-4)).toEqual(["Ġ x", "Ġx y", "Ġxy z", "Ġhel p"]);
    expect((tokenizerJson.pre_tokenizer as { add_prefix_space: boolean }).add_prefix_space).toBe(true);
  });

  it("rejects a non-string word with its index", () => {
    expect(() => buildVocabulary(wordPieceTokenizerJson(), { vocabulary: ["ok", 5 as unknown as string] })).toThrow(/index 1/);
  });
});

describe("sifWeights", () => {
  it("computes s / (s + p) with Zipf probabilities over the rank order", () => {
    const weights = sifWeights(4, 0.1);
    const harmonic = 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5;
    const expected = [2, 3, 4, 5].map((r) => 0.1 / (0.1 + 1 / r / harmonic));
    expect(Array.from(weights)).toEqual(expected.map((v) => expect.closeTo(v, 12)));
    expect(weights[0]!).toBeLessThan(weights[3]!);
    expect(Array.from(sifWeights(3, null))).toEqual([1, 1, 1]);
  });

  it("rejects coefficients outside (0, 1)", () => {
    for (const bad of [0, 1, -0.5, 2, Number.NaN]) expect(() => sifWeights(3, bad)).toThrow(/sifCoefficient must be between 0 and 1/);
  });
});
