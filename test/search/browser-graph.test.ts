/**
 * `model2vec/search` in a browser or a worker: bundled for the browser with the build's module
 * swap (scripts/browser-modules.ts), its module graph has no Node import, static or dynamic,
 * and save/load fall back to their browser stubs.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuildBrowserModules } from "../../scripts/browser-modules.js";
import { nodeImports } from "../../scripts/bundle-size.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("model2vec/search for browsers", () => {
  it("bundles with no node: import, the folder reader and writer replaced by their browser stubs", async () => {
    const result = await build({
      entryPoints: [join(root, "src", "search", "index.ts")],
      absWorkingDir: root,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
      outfile: "search.js",
      packages: "external",
      plugins: [esbuildBrowserModules()],
    });
    expect(nodeImports(result.metafile)).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/search/index-folder.browser.ts");
    expect(inputs).toContain("src/io/write-folder.browser.ts");
    expect(inputs).not.toContain("src/search/index-folder.ts");
    expect(inputs).toContain("src/linalg/wasm/dot-block-wasm.ts");
  });
});
