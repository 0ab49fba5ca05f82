import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toWellFormed } from "../../src/tokenizer/text.js";
import { HuggingFaceTokenizer } from "../../src/tokenizer/hf-tokenizer.js";
import { loadTokenizer } from "../../src/tokenizer/load-tokenizer.js";
import { padAstralCjk } from "../../src/tokenizer/bert-normalizer.js";
import { lowercase } from "../../src/tokenizer/lowercase.js";
import { sharedPath } from "../shared.js";

/** Rust's `char::to_lowercase`, applied code point by code point. */
const perCodePoint = (text: string) => Array.from(text, (c) => c.toLowerCase()).join("");

const GREEK = ["ΟΔΟΣ", "ΣΊΣΥΦΟΣ", "Σ", "ΑΣ ΒΣ.", "οδος", "ΟΔΟΣ-ΟΔΟΣ", "aΣ", "ΣΣΣ", "ΌΣΟΣ και ΠΟΣΟΣ"];
/** Astral ideographs around each bound of Rust's ranges (U+2B820–U+2B91F is not one of them). */
const ASTRAL_CJK = [0x20000, 0x2a6df, 0x2a6e0, 0x2a700, 0x2b81f, 0x2b820, 0x2b91f, 0x2b920, 0x2ceaf, 0x2ceb0, 0x2f800, 0x2fa1f, 0x2fa20].map(
  (cp) => `${String.fromCodePoint(cp)}lazy`,
);

/** The Rust tokenizers binding (a dev dependency with a native addon), or null where it cannot load. */
function rustBinding(): { fromString(json: string): { encode(text: string, pair: null, options: object): Promise<{ getIds(): number[] }> } } | null {
  try {
    return createRequire(import.meta.url)("@anush008/tokenizers").Tokenizer;
  } catch {
    return null;
  }
}

describe("normalizing as Rust tokenizers do", () => {
  it("lowercases per code point, as Rust tokenizers do: a word-final Σ is σ, not ς", () => {
    expect("ΟΔΟΣ".toLowerCase()).toBe("οδος"); // JavaScript's context-sensitive rule
    expect(lowercase("ΟΔΟΣ")).toBe("οδοσ");
    for (const text of GREEK) expect(lowercase(text)).toBe(perCodePoint(text));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.string({ unit: fc.constantFrom(..."ΣσςΑaİI Ϊ\u0307"), maxLength: 30 })), (text) => {
        expect(lowercase(text)).toBe(perCodePoint(text));
      }),
      { numRuns: 3_000, seed: 7 },
    );
  });

  it("pads astral CJK ideographs in Rust's ranges with spaces", () => {
    expect(padAstralCjk("a𠀀b")).toBe("a 𠀀 b");
    expect(padAstralCjk("\u{2b820}x\u{2b920}")).toBe("\u{2b820}x \u{2b920} ");
    expect(padAstralCjk("plain 😀 text \ud840")).toBe("plain 😀 text \ud840");
  });

  const fixtures = ["test-model-float32", "test-model-vocab-quantized"].map((name) => sharedPath(`reference/model2vec-rs-fixtures/${name}/tokenizer.json`));
  const Rust = rustBinding();
  for (const fixture of fixtures) {
    it.skipIf(!fixture.available || Rust === null)(`gives Rust's ids for Greek capitals and astral ideographs in both paths (${fixture.path.split("/").at(-2)})`, async () => {
      const json = readFileSync(fixture.path, "utf8");
      const general = HuggingFaceTokenizer.fromJSON(json);
      const fast = loadTokenizer(json);
      expect(fast).not.toBeInstanceOf(HuggingFaceTokenizer);
      const rust = Rust!.fromString(json);
      for (const text of [...GREEK, ...ASTRAL_CJK].map(toWellFormed)) {
        const expected = (await rust.encode(text, null, { addSpecialTokens: false })).getIds();
        expect(general.encode(text), text).toEqual(expected);
        expect(Array.from(fast.encode(text)), text).toEqual(expected);
      }
    });
  }
});
