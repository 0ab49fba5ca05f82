/**
 * The browser build's module swap, as plugins for esbuild (tsup, scripts/bundle-size.ts,
 * the tests) and Vite (the demo): a relative import `./x.js` of a file under src/ resolves
 * to `./x.browser.ts` when that file exists. The Node-only modules the library reaches by
 * dynamic import (loading from disk and the Hub cache, saving, pushing, loading teachers)
 * each have such a sibling, so the browser build contains no `node:` import at all.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Plugin as EsbuildPlugin } from "esbuild";
import type { Plugin as VitePlugin } from "vite";

/** The browser variant of `specifier` imported from `importer`, or undefined when it has none. */
export function browserVariant(specifier: string, importer: string | undefined): string | undefined {
  if (!importer || !/^\.\.?\//.test(specifier) || !specifier.endsWith(".js")) return undefined;
  const from = importer.replace(/[?#].*$/, "");
  if (from.includes("/node_modules/") || from.includes("\\node_modules\\")) return undefined;
  const candidate = resolve(dirname(from), specifier.replace(/\.js$/, ".browser.ts"));
  return existsSync(candidate) ? candidate : undefined;
}

/** esbuild plugin applying {@link browserVariant}. */
export function esbuildBrowserModules(): EsbuildPlugin {
  return {
    name: "model2vec-browser-modules",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
        const path = browserVariant(args.path, args.importer);
        return path === undefined ? undefined : { path };
      });
    },
  };
}

/** Vite plugin applying {@link browserVariant}. */
export function viteBrowserModules(): VitePlugin {
  return {
    name: "model2vec-browser-modules",
    enforce: "pre",
    resolveId(source, importer) {
      return browserVariant(source, importer) ?? null;
    },
  };
}
