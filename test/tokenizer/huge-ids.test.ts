/**
 * Token ids far beyond the vocabulary (issue #13, item 7). tokenizers.js sizes its
 * vocabulary array by the largest id, so `added_tokens[0].id = 2**31-1` made a load
 * loop two billion times (60-131 s) before the named error. Ids are now checked
 * against the vocabulary's size before any tokenizer is built, for every family.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HuggingFaceTokenizer, StaticModel, TokenizerError } from "../../src/index.js";
import { loadTokenizer } from "../../src/tokenizer/load-tokenizer.js";
import { byteLevelBpeTokenizerJson, unigramTokenizerJson, wordLevelTokenizerJson, wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { thrown } from "../fixtures/errors.js";

const HUGE = 2 ** 31 - 1;
const DEFAULT_MODEL = new URL("../../models/default/", import.meta.url);

type Json = Record<string, any>;

/** Each family's document, and the vocabulary bound the error should state (model vocabulary + added tokens). */
const FAMILIES: [string, () => Json][] = [
  ["WordPiece (fast path)", wordPieceTokenizerJson],
  ["Unigram (fast path)", unigramTokenizerJson],
  ["byte-level BPE (fast path)", byteLevelBpeTokenizerJson],
  ["WordLevel (the general @huggingface/tokenizers adapter)", wordLevelTokenizerJson],
];

function bound(json: Json): number {
  const vocab = json.model.vocab;
  return (Array.isArray(vocab) ? vocab.length : Object.keys(vocab).length) + json.added_tokens.length;
}

describe("item 7: ids beyond the vocabulary are refused before anything is built", () => {
  for (const [family, make] of FAMILIES) {
    it(`${family}: added_tokens[0].id = 2**31-1 is a TokenizerError naming the token and the bound`, () => {
      const json = make();
      json.added_tokens[0].id = HUGE;
      const error = thrown(() => loadTokenizer(json));
      expect(error).toBeInstanceOf(TokenizerError);
      expect(error.message).toContain(`tokenizer.json: added_tokens[0] has id ${HUGE}`);
      expect(error.message).toContain(`expected an integer from 0 to ${bound(json) - 1}`);
    });
  }

  for (const [family, make] of FAMILIES.filter(([, make]) => !Array.isArray(make().model.vocab))) {
    it(`${family}: a model.vocab id of 2**31-1 is a TokenizerError naming the token`, () => {
      const json = make();
      const token = Object.keys(json.model.vocab)[3]!;
      json.model.vocab[token] = HUGE;
      const error = thrown(() => loadTokenizer(json));
      expect(error).toBeInstanceOf(TokenizerError);
      expect(error.message).toContain(`tokenizer.json: model.vocab[${JSON.stringify(token)}] has id ${HUGE}`);
    });
  }

  it("negative, fractional and non-numeric ids are refused the same way", () => {
    for (const id of [-1, 1.5, "7", null]) {
      const json: Json = wordLevelTokenizerJson();
      json.added_tokens[1].id = id;
      const error = thrown(() => loadTokenizer(json));
      expect(error).toBeInstanceOf(TokenizerError);
      expect(error.message).toContain(`added_tokens[1] has id ${JSON.stringify(id)}`);
    }
  });

  it("a Unigram unk_id beyond the vocabulary is refused", () => {
    const json: Json = unigramTokenizerJson();
    json.model.unk_id = HUGE;
    const error = thrown(() => loadTokenizer(json));
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error.message).toContain(`model.unk_id has id ${HUGE}`);
  });

  it("HuggingFaceTokenizer.fromJSON, used directly, checks too", () => {
    const json: Json = wordPieceTokenizerJson();
    json.added_tokens[0].id = HUGE;
    const error = thrown(() => HuggingFaceTokenizer.fromJSON(json));
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error.message).toContain(`added_tokens[0] has id ${HUGE}`);
  });

  it("the highest valid new id (vocabulary size + added tokens - 1) still loads", () => {
    const json: Json = byteLevelBpeTokenizerJson();
    const next = Object.keys(json.model.vocab).length;
    json.added_tokens.push({ id: next, content: "<extra>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    const tokenizer = loadTokenizer(json);
    expect(tokenizer.vocabulary.length).toBe(next + 1);
    expect(tokenizer.vocabulary[next]).toBe("<extra>");
  });

  describe("the issue's repro: a copy of models/default with added_tokens[0].id = 2**31-1", () => {
    const folders: string[] = [];
    afterAll(async () => {
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    });

    it("fromPretrained fails with the TokenizerError", async () => {
      const folder = await mkdtemp(join(tmpdir(), "m2v-huge-id-"));
      folders.push(folder);
      await cp(DEFAULT_MODEL, folder, { recursive: true });
      const json = JSON.parse(await readFile(join(folder, "tokenizer.json"), "utf8"));
      json.added_tokens[0].id = HUGE;
      await writeFile(join(folder, "tokenizer.json"), JSON.stringify(json));
      await expect(StaticModel.fromPretrained(folder)).rejects.toThrow(TokenizerError);
      await expect(StaticModel.fromPretrained(folder)).rejects.toThrow(`added_tokens[0] has id ${HUGE}, expected an integer from 0 to ${bound(json) - 1}`);
    });
  });
});
