import { describe, expect, it } from "vitest";
import { HuggingFaceTokenizer, TokenizerError } from "../../src/index.js";
import {
  byteLevelBpeTokenizerJson,
  unigramTokenizerJson,
  wordLevelTokenizerJson,
  wordPieceTokenizerJson,
} from "../fixtures/tokenizers.js";

const tokensOf = (tokenizer: HuggingFaceTokenizer, text: string) => Array.from(tokenizer.encode(text), (id) => tokenizer.vocabulary[id]);

describe("HuggingFaceTokenizer", () => {
  it("family A: WordPiece with a stale post-processor adds no [CLS]/[SEP] and ignores truncation", () => {
    const tokenizer = HuggingFaceTokenizer.fromJSON(wordPieceTokenizerJson({ family: "A" }));
    expect(tokenizer.unkId).toBe(1);
    expect(tokenizer.vocabulary.slice(0, 5)).toEqual(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
    expect(tokensOf(tokenizer, "Hello, WORLDS!")).toEqual(["hello", ",", "world", "##s", "!"]);
    // The fixture's truncation.max_length is 3; Model2Vec ignores it (PR #363).
    expect(tokensOf(tokenizer, "the the the the")).toEqual(["the", "the", "the", "the"]);
    // Literal special tokens in the text are matched as added tokens, as in Rust.
    expect(tokensOf(tokenizer, "[PAD] hello")).toEqual(["[PAD]", "hello"]);
    expect(tokensOf(tokenizer, "☃")).toEqual(["[UNK]"]);
  });

  it("family B: Unigram + Metaspace(split false) reports its unk_id", () => {
    const tokenizer = HuggingFaceTokenizer.fromJSON(unigramTokenizerJson());
    expect(tokenizer.unkId).toBe(1);
    expect(tokensOf(tokenizer, "Hello, world!")).toEqual(["▁hello", "▁,", "▁world", "▁!"]);
    expect(tokensOf(tokenizer, "☃")).toContain("[UNK]");
  });

  it("family C: no post-processor and Fixed(0) padding never pad", () => {
    const tokenizer = HuggingFaceTokenizer.fromJSON(wordPieceTokenizerJson({ family: "C" }));
    expect(tokenizer.vocabulary.length).toBe(HuggingFaceTokenizer.fromJSON(wordPieceTokenizerJson()).vocabulary.length);
    expect(tokensOf(tokenizer, "hello")).toEqual(["hello"]);
    expect(tokenizer.encode("")).toEqual([]);
  });

  it("WordLevel (v0.1 word vocabularies) maps unknown words to the unk id", () => {
    const tokenizer = HuggingFaceTokenizer.fromJSON(wordLevelTokenizerJson());
    expect(tokenizer.unkId).toBe(1);
    expect(tokensOf(tokenizer, "HELLO zebra world")).toEqual(["hello", "[UNK]", "world"]);
  });

  it("byte-level BPE without an unk token has unkId null", () => {
    const tokenizer = HuggingFaceTokenizer.fromJSON(byteLevelBpeTokenizerJson());
    expect(tokenizer.unkId).toBeNull();
    expect(tokensOf(tokenizer, "hello world")).toEqual(["Ġhello", "Ġworld"]);
  });

  it("round-trips the JSON it was built from", () => {
    const json = wordPieceTokenizerJson();
    expect(HuggingFaceTokenizer.fromJSON(JSON.stringify(json)).toJSON()).toEqual(json);
  });

  it("rejects malformed tokenizer.json with a TokenizerError", () => {
    expect(() => HuggingFaceTokenizer.fromJSON("{ nope")).toThrow(/tokenizer.json does not parse/);
    expect(() => HuggingFaceTokenizer.fromJSON("[]")).toThrow(/not a JSON object/);
    expect(() => HuggingFaceTokenizer.fromJSON({ model: {} })).toThrow(TokenizerError);
    const holed = wordPieceTokenizerJson({ family: "C" });
    const vocab = (holed.model as { vocab: Record<string, number> }).vocab;
    // One id past the end leaves a hole within range (ids beyond the vocabulary's size: huge-ids.test.ts).
    vocab.zzz = Object.keys(vocab).length + 1;
    expect(() => HuggingFaceTokenizer.fromJSON(holed)).toThrow(/no token with id/);
  });
});
