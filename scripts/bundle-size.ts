/**
 * What `import { StaticModel } from "model2vec"` costs a web page: bundles that import for
 * the browser the way an application bundler would (the package's "browser" export
 * condition, i.e. dist/browser.js, with its dependencies, tree-shaken), and prints the
 * raw, minified and gzipped sizes, without the model. Also prints what the bundled default
 * model costs over the wire. `npm run size` builds first.
 *
 * Usage: node --import tsx scripts/bundle-size.ts [--json]
 */
import { existsSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

export interface BundleSize {
  /** Bytes of the bundle, not minified. */
  raw: number;
  /** Bytes minified. */
  min: number;
  /** Bytes of the minified bundle, gzipped (level 9). */
  gzip: number;
  /** Files that went into the bundle, relative to the repository. */
  inputs: string[];
  /** Every import specifier any input used that names a Node builtin (should be empty). */
  nodeImports: string[];
}

/** Bundles `code` (an ES module importing "model2vec") for browsers, unminified then minified. */
export async function measureBundle(code = 'import { StaticModel } from "model2vec";\nexport { StaticModel };\n'): Promise<BundleSize> {
  const options = {
    stdin: { contents: code, resolveDir: root, sourcefile: "entry.js", loader: "js" as const },
    bundle: true,
    platform: "browser" as const,
    format: "esm" as const,
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent" as const,
    outfile: "bundle.js",
  };
  const [plain, minified] = await Promise.all([build(options), build({ ...options, minify: true })]);
  const min = minified.outputFiles![0]!.contents;
  return {
    raw: plain.outputFiles![0]!.contents.byteLength,
    min: min.byteLength,
    gzip: gzipSync(min, { level: 9 }).byteLength,
    inputs: Object.keys(minified.metafile!.inputs),
    nodeImports: nodeImports(minified.metafile!),
  };
}

/** Import paths in a metafile that are Node builtins (`node:fs`, `fs`, `worker_threads`, …). */
export function nodeImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const record of input.imports) {
      const path = record.original ?? record.path;
      if (path.startsWith("node:") || isBuiltin(path)) found.add(`${file}: ${path} (${record.kind})`);
    }
  }
  for (const output of Object.values(metafile.outputs)) {
    for (const record of output.imports) if (record.path.startsWith("node:") || isBuiltin(record.path)) found.add(`output: ${record.path} (${record.kind})`);
  }
  return [...found];
}

/** The default model's three files, raw and gzipped (what a server with gzip sends). */
export function modelWireSize(folder = join(root, "models", "default")): { file: string; raw: number; gzip: number }[] {
  return ["config.json", "model.safetensors", "tokenizer.json"].map((file) => {
    const bytes = readFileSync(join(folder, file));
    return { file, raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
  });
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`.padStart(11);
}

async function main(): Promise<void> {
  if (!existsSync(join(root, "dist", "browser.js"))) {
    console.error("dist/browser.js is missing: run `npm run build` first (`npm run size` does).");
    process.exit(1);
  }
  const size = await measureBundle();
  const model = modelWireSize();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ bundle: { raw: size.raw, min: size.min, gzip: size.gzip }, model }, null, 2));
  } else {
    console.log('import { StaticModel } from "model2vec" (browser build + dependencies, esbuild, tree-shaken):');
    console.log(`  raw  ${kb(size.raw)}  (${size.raw} bytes)`);
    console.log(`  min  ${kb(size.min)}  (${size.min} bytes)`);
    console.log(`  gzip ${kb(size.gzip)}  (${size.gzip} bytes, minified + gzip -9)`);
    console.log(`  from ${size.inputs.filter((f) => f.includes("node_modules")).map((f) => f.replace(/^.*node_modules\//, "")).join(", ")} and dist/browser.js`);
    console.log("The bundled default model over the wire (models/default):");
    for (const file of model) console.log(`  ${file.file.padEnd(18)} raw ${kb(file.raw)}  gzip ${kb(file.gzip)}`);
    const raw = model.reduce((sum, f) => sum + f.raw, 0);
    const gzip = model.reduce((sum, f) => sum + f.gzip, 0);
    console.log(`  ${"total".padEnd(18)} raw ${kb(raw)}  gzip ${kb(gzip)}`);
  }
  if (size.nodeImports.length > 0) {
    console.error(`Node builtins in the browser bundle:\n  ${size.nodeImports.join("\n  ")}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
