/** The nesting scan the server runs before JSON.parse. */
import { describe, expect, it } from "vitest";
import { nestedDeeperThan } from "../../src/server/json-depth.js";

describe("nestedDeeperThan", () => {
  it("counts arrays and objects, and stops past the limit", () => {
    expect(nestedDeeperThan("[[1]]", 2)).toBe(false);
    expect(nestedDeeperThan("[[[1]]]", 2)).toBe(true);
    expect(nestedDeeperThan('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(nestedDeeperThan('{"a":{"b":[1]}}', 2)).toBe(true);
    expect(nestedDeeperThan("[[],[],[],[]]", 2)).toBe(false); // siblings do not add up
    expect(nestedDeeperThan("[".repeat(1_000_000), 16)).toBe(true);
  });

  it("ignores brackets inside strings, whatever the escapes before their closing quote", () => {
    expect(nestedDeeperThan(JSON.stringify(["[[[[[[", "{{{{{{"]), 1)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify(['\\"[[[[[[', '"{{{{{{"']), 1)).toBe(false);
    // An escaped backslash ends the string: the brackets after it are real.
    expect(nestedDeeperThan(`["\\\\",[[[1]]]]`, 3)).toBe(true);
    expect(nestedDeeperThan(`["\\\\\\"[[[[",1]`, 1)).toBe(false);
  });

  it("leaves malformed text (an unclosed string) for JSON.parse to report", () => {
    expect(nestedDeeperThan('["[[[[[[', 1)).toBe(false);
  });
});
