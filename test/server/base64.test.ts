/** The handler's base64, native and fallback, against Node's Buffer. */
import { describe, expect, it } from "vitest";
import { loopBase64, toBase64 } from "../../src/server/base64.js";

describe("toBase64", () => {
  it("matches Buffer's base64 for every padding, and for a view into a larger buffer", () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 255);
    for (const length of [0, 1, 2, 3, 4, 5, 299]) {
      const view = bytes.subarray(1, 1 + length);
      const expected = Buffer.from(view).toString("base64");
      expect(toBase64(view), String(length)).toBe(expected);
      expect(loopBase64(view), String(length)).toBe(expected);
    }
  });
});
