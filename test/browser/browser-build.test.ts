/**
 * The browser build has no Node import at all, static or dynamic: neither in the module
 * graph esbuild bundles for a browser (sources with the module swap of
 * scripts/browser-modules.ts, plus dependencies), nor in dist/browser.js and
 * dist/search.browser.js when they are built, which `import "model2vec"` and
 * `import "model2vec/search"` resolve to under the "browser" condition.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuildBrowserModules } from "../../scripts/browser-modules.js";
import { measureBundle, modelWireSize, nodeImports } from "../../scripts/bundle-size.js";
import { BROWSER_BUILDS } from "../../scripts/entry-points.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = join(root, "dist", "browser.js");
const built = existsSync(dist);
if (!built) console.warn(`skipping the dist/browser.js checks: ${dist} is not built (run npm run build)`);

/** The source files esbuild would put in the browser bundle of `entry`, and every Node import among them. */
async function browserGraph(entry = "src/index.ts"): Promise<{ inputs: string[]; nodeImports: string[]; externals: string[] }> {
  const result = await build({
    entryPoints: [join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    outfile: "browser.js",
    packages: "external",
    plugins: [esbuildBrowserModules()],
  });
  const externals = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((record) => record.path));
  return { inputs: Object.keys(result.metafile.inputs), nodeImports: nodeImports(result.metafile), externals: [...new Set(externals)].sort() };
}

describe("the browser build", () => {
  it("swaps every Node-only module for its browser variant and imports no Node builtin", async () => {
    const graph = await browserGraph();
    expect(graph.nodeImports).toEqual([]);
    // The Node-only modules are absent; their browser variants are in.
    for (const nodeOnly of ["src/persistence/load-pretrained.ts", "src/io/write-folder.ts", "src/io/node-file-source.ts", "src/hub/push.ts", "src/hub/settings.ts", "src/hub/cache.ts", "src/distill/load-teacher.ts"]) {
      expect(graph.inputs).not.toContain(nodeOnly);
    }
    for (const variant of ["src/persistence/load-pretrained.browser.ts", "src/io/write-folder.browser.ts", "src/hub/push.browser.ts", "src/distill/load-teacher.browser.ts", "src/persistence/load-url.ts"]) {
      expect(graph.inputs).toContain(variant);
    }
    // No source file in the graph has a `node:` import of its own.
    for (const input of graph.inputs.filter((file) => file.startsWith("src/"))) {
      const source = readFileSync(join(root, input), "utf8");
      expect(source, input).not.toMatch(/^\s*import[^;]*from\s*["']node:|import\(\s*["']node:/m);
    }
    // The only package left to the application's bundler is the tokenizer library.
    expect(graph.externals).toEqual(["@huggingface/tokenizers"]);
  });

  it("gives model2vec/search (src/search/index.ts) no Node import either: its folder reader and writer are the browser stubs", async () => {
    const graph = await browserGraph("src/search/index.ts");
    expect(graph.nodeImports).toEqual([]);
    expect(graph.inputs).toEqual(expect.arrayContaining(["src/search/index-folder.browser.ts", "src/io/write-folder.browser.ts", "src/linalg/wasm/dot-block-wasm.ts"]));
    expect(graph.inputs).not.toContain("src/search/index-folder.ts");
  });

  it("bundles with its dependencies for a browser with no Node builtin, and resolves through the package's browser condition", async () => {
    const graph = await measureBundle().catch((error: { errors?: { text: string }[] }) => {
      throw new Error(`esbuild could not bundle "model2vec" for a browser: ${error.errors?.map((e) => e.text).join("; ")}`);
    });
    expect(graph.nodeImports).toEqual([]);
    if (built) expect(graph.inputs).toContain("dist/browser.js");
    const model = modelWireSize();
    console.log(
      `browser bundle of StaticModel: raw ${graph.raw} B, min ${graph.min} B, gzip ${graph.gzip} B; model: ${model.map((f) => `${f.file} ${f.raw} B (gzip ${f.gzip} B)`).join(", ")}`,
    );
    // A budget, so that a change pulling in something large is noticed.
    expect(graph.gzip).toBeLessThan(60 * 1024);
  });

  it("bundles model2vec/search for a browser with no Node builtin, through the package's browser condition", async () => {
    const graph = await measureBundle('import { VectorIndex } from "model2vec/search";\nexport { VectorIndex };\n');
    expect(graph.nodeImports).toEqual([]);
    const searchBuild = join(root, "dist", "search.browser.js");
    // Built, the browser condition picks the browser build (the Node one reaches node:fs through a chunk).
    if (existsSync(searchBuild)) expect(graph.inputs).toContain("dist/search.browser.js");
  });

  for (const file of Object.values(BROWSER_BUILDS)) {
    const path = join(root, "dist", `${file}.js`);
    it.skipIf(!existsSync(path))(`dist/${file}.js imports nothing but @huggingface/tokenizers (no node: import, not even a dynamic one)`, async () => {
      // Re-parse the built file: esbuild lists every import statement, import() and require() call.
      const result = await build({ entryPoints: [path], bundle: true, write: false, metafile: true, logLevel: "silent", outfile: "out.js", external: ["*"], platform: "neutral" });
      const input = Object.entries(result.metafile.inputs).find(([name]) => name.endsWith(`dist/${file}.js`))![1];
      expect([...new Set(input.imports.map((record) => record.path))]).toEqual(file === "browser" ? ["@huggingface/tokenizers"] : []);
      expect(readFileSync(path, "utf8")).not.toMatch(/\bfrom\s*["']node:|\bimport\(\s*["']node:|^import\s*["']node:/m);
    });
  }

  it("is what the package's exports select for browsers, for model2vec and model2vec/search", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, Record<string, unknown>>; sideEffects: unknown };
    for (const [name, file] of Object.entries(BROWSER_BUILDS)) {
      const key = name === "index" ? "." : `./${name}`;
      expect(Object.keys(pkg.exports[key]!)[0], key).toBe("browser");
      expect(pkg.exports[key]!.browser).toEqual({ types: `./dist/${name}.d.ts`, default: `./dist/${file}.js` });
    }
    expect(pkg.exports["./search"]!.browser).toEqual({ types: "./dist/search.d.ts", default: "./dist/search.browser.js" });
    expect(pkg.sideEffects).toBe(false);
  });
});
