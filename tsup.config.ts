import { defineConfig } from "tsup";
import { esbuildBrowserModules } from "./scripts/browser-modules.js";
import { BROWSER_BUILDS, ENTRY_POINTS } from "./scripts/entry-points.js";

export default defineConfig([
  {
    // dist/<name>.{js,cjs,d.ts,d.cts} for each entry point (package.json "exports" `./<name>`).
    entry: ENTRY_POINTS,
    format: ["esm", "cjs"],
    // import.meta.url (used to find the bundled model) in the CommonJS build too.
    shims: true,
    dts: true,
    // No source maps in any build: the output is not minified and keeps every name, so stack
    // traces already point at readable code, and maps (with the sources inlined, half the
    // unpacked package) would not earn their size. test/package.test.ts checks.
    sourcemap: false,
    // Both builds run at once: keep the CLI's output when cleaning.
    clean: ["!cli.js", "!cli/**", "!browser.js", "!search.browser.js", "!encode-worker.js", "!search-worker.js"],
    target: "es2022",
    treeshake: true,
  },
  {
    // The `model2vec` executable. Its `#!/usr/bin/env node` line is the first line of
    // src/cli/main.ts, which esbuild keeps on this file only (not on its chunks).
    // Each command's code, and the dependencies it imports, is a chunk under
    // dist/cli/, loaded only when that command runs.
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    platform: "node",
    dts: false,
    sourcemap: false,
    // Cleans dist/cli/ only (top-level files, the library's, are left alone).
    clean: ["!*.*"],
    splitting: true,
    target: "node20",
    esbuildOptions(options) {
      options.chunkNames = "cli/[name]-[hash]";
    },
  },
  {
    // The bodies of multi-core encode's and search's worker threads (src/model/encode-pool.ts
    // and src/search/search-pool.ts find them beside the library's files). Node only, ESM,
    // loaded by file name, never imported.
    entry: { "encode-worker": "src/model/encode-worker.ts", "search-worker": "src/search/search-worker.ts" },
    format: ["esm"],
    platform: "node",
    dts: false,
    sourcemap: false,
    clean: false,
    target: "node20",
  },
  {
    // The browser builds, which the "browser" export condition selects (scripts/entry-points.ts'
    // BROWSER_BUILDS): src/index.ts, and src/search/index.ts, each with every Node-only module
    // swapped for its `.browser.ts` sibling (scripts/browser-modules.ts), in one file with no
    // `node:` import. test/browser/browser-build.test.ts checks them.
    entry: Object.fromEntries(Object.entries(BROWSER_BUILDS).map(([name, file]) => [file, ENTRY_POINTS[name as keyof typeof BROWSER_BUILDS]])),
    format: ["esm"],
    platform: "browser",
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
    target: "es2022",
    treeshake: true,
    esbuildPlugins: [esbuildBrowserModules()],
  },
]);
