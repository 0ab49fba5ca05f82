/** The generated kernel modules are what scripts/build-wasm.ts makes of today's .wat sources. */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedModule, generatedPath, kernelSources } from "../../scripts/build-wasm.js";

describe("build-wasm", () => {
  it("finds the kernel sources", () => {
    expect(kernelSources().map((path) => basename(path))).toContain("pool.wat");
  });

  for (const wat of kernelSources()) {
    it(`${basename(wat)}: the committed ${basename(generatedPath(wat))} is up to date (run scripts/build-wasm.ts)`, async () => {
      expect(existsSync(generatedPath(wat))).toBe(true);
      expect(readFileSync(generatedPath(wat), "utf8")).toBe(await generatedModule(wat));
    });
  }
});
