/** Distilling the real USE-lite teacher (a dev dependency) into a static model. */
import { describe, expect, it } from "vitest";
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import { distill } from "../../src/index.js";
import { useLiteFolder } from "../fixtures/use-lite.js";

const folder = useLiteFolder();

describe.skipIf(folder === null)("distill USE-lite", () => {
  it("gives a model that loads, encodes and ranks a paraphrase above an unrelated sentence", async () => {
    const model = await distill({ model: folder!, pcaDims: 256 });
    expect([model.dim, model.embeddingDtype, model.normalize]).toEqual([256, "float16", true]);
    expect(model.tokens.length).toBe(8000);
    const [cat, kitten, markets] = model.encode(["a cat sits on the mat", "a kitten rests on the rug", "stock markets fell sharply"]);
    expect(cosine(cat!, kitten!)).toBeGreaterThan(cosine(cat!, markets!));
    // The tokenizer it inherits is the converted SentencePiece one.
    expect(Array.from(model.tokenize("a cat"), (id) => model.tokens[id])).toEqual(["▁a", "▁cat"]);
  }, 120_000);
});
