import { describe, expect, it } from "vitest";
import { cosine } from "../../src/evaluate/metrics/correlation.js";
import { StaticModel } from "../../src/index.js";

describe("the bundled default model", () => {
  it("loads with no argument, offline, and ranks a paraphrase above an unrelated sentence", async () => {
    const model = await StaticModel.fromPretrained(undefined, { localFilesOnly: true });
    expect([model.dim, model.tokens.length, model.embeddingDtype, model.normalize]).toEqual([192, 33688, "int8", true]);
    expect(model.baseModelName).toBe("use-lite");
    const [cat, kitten, markets] = model.encode(["a cat sits on the mat", "a kitten rests on the rug", "stock markets fell sharply"]);
    expect(cosine(cat!, kitten!)).toBeGreaterThan(cosine(cat!, markets!));
  });
});
