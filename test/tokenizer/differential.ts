/** Comparing a specialised tokenizer with the general one, for the differential tests. */
import { expect } from "vitest";
import { HuggingFaceTokenizer } from "../../src/tokenizer/hf-tokenizer.js";
import type { Tokenizer } from "../../src/tokenizer/tokenizer.js";

/** Differing inputs (at most `limit`), each with both id lists, for a readable failure. */
export function disagreements(fast: Tokenizer, general: Tokenizer, inputs: readonly string[], limit = 5) {
  const found: { text: string; fast: number[]; general: number[] }[] = [];
  for (const text of inputs) {
    const a = Array.from(fast.encode(text));
    const b = Array.from(general.encode(text));
    if (a.length !== b.length || a.some((id, i) => id !== b[i])) {
      found.push({ text: JSON.stringify(text), fast: a, general: b });
      if (found.length >= limit) break;
    }
  }
  return found;
}

/** The specialised tokenizer `fromJSON` builds for `json` (which must accept it) and the general one. */
export function pairFor<T extends Tokenizer>(fromJSON: (json: object) => T | null, json: object): { fast: T; general: HuggingFaceTokenizer } {
  const fast = fromJSON(json);
  expect(fast).not.toBeNull();
  return { fast: fast!, general: HuggingFaceTokenizer.fromJSON(json) };
}
