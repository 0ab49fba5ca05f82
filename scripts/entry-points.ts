/**
 * The package's entry points: each subpath users import, and the source file it is built from.
 * tsup.config.ts builds `dist/<name>.{js,cjs,d.ts,d.cts}` from this map, package.json's
 * "exports" point `model2vec/<name>` (`index`: `model2vec`) at those files, and the tests, the
 * API report and vitest's aliases read the same map.
 *
 * The rule: a subpath's source is named after it. A feature folder's public surface is its
 * `index.ts` (`evaluate` → src/evaluate/index.ts); an integration is one file of
 * src/integrations/ (`langchain` → src/integrations/langchain.ts); `teachers`, the Node-only
 * teacher adapters of distillation, is src/distill/teachers.ts.
 */
export const ENTRY_POINTS = {
  index: "src/index.ts",
  teachers: "src/distill/teachers.ts",
  evaluate: "src/evaluate/index.ts",
  train: "src/train/index.ts",
  tokenlearn: "src/tokenlearn/index.ts",
  server: "src/server/index.ts",
  search: "src/search/index.ts",
  onnx: "src/integrations/onnx.ts",
  langchain: "src/integrations/langchain.ts",
  "ai-sdk": "src/integrations/ai-sdk.ts",
  chonkie: "src/integrations/chonkie.ts",
  lancedb: "src/integrations/lancedb.ts",
  orama: "src/integrations/orama.ts",
} as const satisfies Record<string, string>;

/** An entry point's name: its subpath without `model2vec/`, and its file name in dist/. */
export type EntryName = keyof typeof ENTRY_POINTS;

/**
 * The entry points browsers get a build of their own for (package.json's "browser" condition),
 * and its file name in dist/: the entry's source with each Node-only module swapped for its
 * `.browser.ts` sibling (scripts/browser-modules.ts), in one file with no `node:` import.
 */
export const BROWSER_BUILDS = { index: "browser", search: "search.browser" } as const satisfies Partial<Record<EntryName, string>>;

/** The specifier users import for entry `name`: `model2vec` or `model2vec/<name>`. */
export function subpathOf(name: string): string {
  return name === "index" ? "model2vec" : `model2vec/${name}`;
}
