import { describe, expect, it } from "vitest";
import { TokenBatchBuilder } from "../../src/model/token-batch.js";
import { toWellFormed } from "../../src/tokenizer/text.js";
import { loadTokenizer } from "../../src/tokenizer/load-tokenizer.js";
import { differentialCorpus } from "../tokenizer/differential-corpus.js";
import { byteLevelBpeTokenizerJson, unigramTokenizerJson, wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

describe("TokenBatchBuilder", () => {
  it("filters and cuts ids in place when a tokenizer writes into it (encodeInto), as add() does with encode()", () => {
    const corpus = differentialCorpus(3_000, 11).map(toWellFormed);
    for (const json of [wordPieceTokenizerJson(), unigramTokenizerJson(), byteLevelBpeTokenizerJson()]) {
      const tokenizer = loadTokenizer(json);
      if (!tokenizer.encodeInto) continue;
      for (const limit of [Infinity, 5, 1, 0]) {
        const direct = new TokenBatchBuilder();
        const copied = new TokenBatchBuilder();
        for (const text of corpus) {
          tokenizer.encodeInto(text, direct);
          direct.endText(tokenizer.unkId, limit);
          copied.add(tokenizer.encode(text), tokenizer.unkId, limit);
        }
        expect(direct.build()).toEqual(copied.build());
      }
    }
  });

  it("discards ids when its length is lowered, and never raises it", () => {
    const builder = new TokenBatchBuilder();
    for (let i = 0; i < 3000; i++) builder.push(i); // grows past the initial capacity
    builder.length = 2;
    builder.push(7);
    builder.length = 10;
    builder.endText(1, Infinity);
    builder.add([4, 5, 6], 5, 10);
    expect(builder.build()).toEqual({ ids: Int32Array.from([0, 7, 4, 6]), offsets: Int32Array.from([0, 2, 4]) });
  });
});
