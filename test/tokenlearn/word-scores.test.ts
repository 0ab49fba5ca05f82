/**
 * scoreAddedWords: corpus words added to a SentencePiece (Unigram) student get
 * their corpus log-probability as score, so segmentation uses them instead of
 * the teacher's pieces; teacher pieces and other tokenizers are left alone.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { StaticModel } from "../../src/model/static-model.js";
import { loadTokenizer } from "../../src/tokenizer/load-tokenizer.js";
import { scoreAddedWords } from "../../src/tokenlearn/word-scores.js";

const S = "\u2581";
const TEACHER_VOCAB: [string, number][] = [["<unk>", 0], [S, -2], [`${S}c`, -3], ["a", -3], ["t", -3], [`${S}d`, -3], ["o", -3], ["g", -3]];

/** A USE-like Unigram tokenizer.json (Metaspace, unsplit) with `vocab`. */
function unigramJson(vocab: [string, number][]): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: "<unk>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Replace", pattern: { String: " " }, content: S }, { type: "Prepend", prepend: S }] },
    pre_tokenizer: { type: "Metaspace", replacement: S, prepend_scheme: "always", split: false },
    post_processor: null,
    decoder: { type: "Metaspace", replacement: S, prepend_scheme: "always", split: false },
    model: { type: "Unigram", unk_id: 0, vocab, byte_fallback: false },
  };
}

/** The student: the teacher's pieces plus the added words "▁cat" and "▁dog" at the minimum score, as distill adds them. */
function student(): StaticModel {
  const vocab: [string, number][] = [...TEACHER_VOCAB, [`${S}cat`, -1000], [`${S}dog`, -1000]];
  const dim = 2;
  return new StaticModel({ embeddings: Float32Array.from({ length: vocab.length * dim }, (_, k) => k + 1), dim, tokenizer: loadTokenizer(unigramJson(vocab)), normalize: true });
}

const pieces = (model: StaticModel, text: string) => Array.from(model.tokenize([text])[0]!, (id) => model.tokens[id]);

describe("scoreAddedWords", () => {
  it("makes the added words win segmentation, scored ln(count / total); teacher pieces keep their scores", () => {
    const model = student();
    expect(pieces(model, "cat dog")).toEqual([`${S}c`, "a", "t", `${S}d`, "o", "g"]);
    const rescored = scoreAddedWords(model, new Map([["cat", 3], ["dog", 1]]), unigramJson(TEACHER_VOCAB));
    expect(pieces(rescored, "cat dog")).toEqual([`${S}cat`, `${S}dog`]);
    const vocab = (rescored.tokenizer.toJSON() as { model: { vocab: [string, number][] } }).model.vocab;
    expect(vocab.slice(0, TEACHER_VOCAB.length)).toEqual(TEACHER_VOCAB);
    expect(vocab.at(-2)).toEqual([`${S}cat`, Math.log(3 / 4)]);
    expect(vocab.at(-1)).toEqual([`${S}dog`, Math.log(1 / 4)]);
    // The table and the rest of the model are kept.
    expect(rescored.storedTable.dtype).toBe(model.storedTable.dtype);
    expect(rescored.embedding.data).toEqual(model.embedding.data);
    expect(rescored.normalize).toBe(true);
    // The original is untouched.
    expect(pieces(model, "cat")).toEqual([`${S}c`, "a", "t"]);
  });

  it("keeps the score of an added word without a count", () => {
    const rescored = scoreAddedWords(student(), new Map([["cat", 2]]), unigramJson(TEACHER_VOCAB));
    expect(pieces(rescored, "cat dog")).toEqual([`${S}cat`, `${S}d`, "o", "g"]);
  });

  it("returns a model whose tokenizer is not a Unigram tokenizer.json as it is", () => {
    const wordLevel = loadTokenizer({ version: "1.0", model: { type: "WordLevel", vocab: { "[UNK]": 0, cat: 1 }, unk_token: "[UNK]" }, pre_tokenizer: { type: "Whitespace" }, decoder: null, normalizer: null, post_processor: null, added_tokens: [] });
    const model = new StaticModel({ embeddings: Float32Array.from([1, 2, 3, 4]), dim: 2, tokenizer: wordLevel });
    expect(scoreAddedWords(model, new Map([["cat", 1]]), unigramJson(TEACHER_VOCAB))).toBe(model);
  });

  it("rejects counts with no positive total", () => {
    expect(() => scoreAddedWords(student(), new Map(), unigramJson(TEACHER_VOCAB))).toThrow(InvalidInputError);
    expect(() => scoreAddedWords(student(), new Map(), unigramJson(TEACHER_VOCAB))).toThrow(/positive total/);
  });
});
