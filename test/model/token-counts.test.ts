/** StaticModel.tokenCounts: the tokens encode pools per text, as the server's `usage` reports them. */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { loadGenerated } from "../fixtures/index.js";

const model = loadGenerated({ dim: 8, seed: 3 }).model;
const TEXTS = ["hello world", "the quick brown fox jumps over the lazy dog", "", "☃☃☃", "hello ".repeat(600)];

describe("StaticModel.tokenCounts", () => {
  it("counts the ids tokenize keeps, cut at 512 by default as encode does", () => {
    const counts = model.tokenCounts(TEXTS);
    expect(Array.from(counts)).toEqual(model.tokenize(TEXTS, { maxLength: 512 }).map((ids) => ids.length));
    expect(counts[0]).toBeGreaterThan(1);
    expect(counts[2]).toBe(0); // an empty text has no tokens
    expect(counts[4]).toBeLessThan(model.tokenize(TEXTS[4]!).length); // cut
    expect(Array.from(model.tokenCounts(TEXTS, {}))).toEqual(Array.from(counts));
  });

  it("takes maxLength, null for no limit", () => {
    expect(Array.from(model.tokenCounts(TEXTS, { maxLength: 3 }))).toEqual(model.tokenize(TEXTS, { maxLength: 3 }).map((ids) => ids.length));
    expect(Math.max(...model.tokenCounts(TEXTS, { maxLength: 3 }))).toBe(3);
    expect(model.tokenCounts(TEXTS, { maxLength: null })[4]).toBe(model.tokenize(TEXTS[4]!).length);
  });

  it("rejects what encode rejects, naming the method", () => {
    expect(() => model.tokenCounts(["ok", 3 as never])).toThrow(InvalidInputError);
    expect(() => model.tokenCounts(TEXTS, { maxLength: 0 })).toThrow("maxLength must be a positive integer or null");
    expect(() => model.tokenCounts(TEXTS, null as never)).toThrow("tokenCounts options must be an object");
  });
});
