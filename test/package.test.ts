/**
 * The package as npm ships it: package.json's "exports" name one dist/ file per entry point
 * (scripts/entry-points.ts), the built package (dist/) loads through both `import` and
 * `require` with its sources' names and encodes the same, and what `npm pack` would publish.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generateModel, writeModelFolder } from "./fixtures/models.js";
import { wordPieceTokenizerJson } from "./fixtures/tokenizers.js";
import { StaticModel } from "../src/index.js";
import { BROWSER_BUILDS, ENTRY_POINTS, subpathOf } from "../scripts/entry-points.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = existsSync(`${root}/dist/index.js`) && existsSync(`${root}/dist/index.cjs`);
if (!built) console.warn(`skipping: ${root}dist is not built (run npm run build)`);

interface PackageJson {
  exports: Record<string, unknown>;
  files: string[];
  main: string;
  module: string;
  types: string;
  repository?: unknown;
  homepage?: unknown;
  bugs?: unknown;
}
const manifest = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as PackageJson;

/** The "exports" key of entry `name`: `.` or `./<name>`. */
function exportKey(name: string): string {
  return name === "index" ? "." : `./${name}`;
}

/** The conditions every entry point's export has: ESM and CommonJS, each with its types. */
function nodeConditions(name: string) {
  return {
    import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
    require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
  };
}

describe("package.json", () => {
  it("exports each entry point of scripts/entry-points.ts as ./<name>, from dist/<name>.{js,cjs,d.ts,d.cts}, and nothing else", () => {
    const expected: Record<string, unknown> = { "./package.json": "./package.json" };
    for (const name of Object.keys(ENTRY_POINTS)) expected[exportKey(name)] = nodeConditions(name);
    // Browsers get the one-file builds of the root entry and of search (their Node-only modules swapped out).
    for (const [name, file] of Object.entries(BROWSER_BUILDS)) {
      expected[exportKey(name)] = { browser: { types: `./dist/${name}.d.ts`, default: `./dist/${file}.js` }, ...nodeConditions(name) };
    }
    expect(expected["."]).toMatchObject({ browser: { default: "./dist/browser.js" } });
    expect(expected["./search"]).toMatchObject({ browser: { default: "./dist/search.browser.js" } });
    expect(manifest.exports).toEqual(expected);
    expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(["./evaluate", "./train", "./tokenlearn", "./server", "./teachers", "./onnx", "./langchain"]));
    expect([manifest.main, manifest.module, manifest.types]).toEqual(["./dist/index.cjs", "./dist/index.js", "./dist/index.d.ts"]);
  });

  it("names each entry point's source after it: src/<name>/index.ts for a folder, else a file <name>.ts", () => {
    for (const [name, file] of Object.entries(ENTRY_POINTS)) {
      expect(existsSync(`${root}/${file}`)).toBe(true);
      if (name !== "index") expect(file).toMatch(new RegExp(`^src/(${name}/index|[a-z-]+/${name})\\.ts$`));
    }
    expect(ENTRY_POINTS).toMatchObject({ evaluate: "src/evaluate/index.ts", train: "src/train/index.ts", server: "src/server/index.ts" });
  });

  it("states no repository, homepage or bugs URL, since none is known for this package (add them with one)", () => {
    // The only GitHub address in the repository is the upstream Python library's; these
    // fields must not point users at someone else's tracker.
    expect([manifest.repository, manifest.homepage, manifest.bugs]).toEqual([undefined, undefined, undefined]);
  });
});

describe.skipIf(!built)("npm pack", () => {
  it("publishes every file the exports name, the LICENSE, and no source maps (dist/ keeps no sourceMappingURL either)", () => {
    const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const [pack] = JSON.parse(output) as { files: { path: string; size: number }[]; unpackedSize: number }[];
    const paths = pack!.files.map((file) => file.path);
    const targets = JSON.stringify(manifest.exports).match(/\.\/dist\/[^"]+/g)!.map((target) => target.slice(2));
    expect(targets).toContain("dist/browser.js");
    expect(targets.filter((target) => !paths.includes(target))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/cli.js", "dist/encode-worker.js", "dist/search-worker.js"]));
    expect(paths.filter((path) => path.endsWith(".map"))).toEqual([]);
    const scripts = paths.filter((path) => /^dist\/.*\.c?js$/.test(path));
    expect(scripts.filter((path) => readFileSync(`${root}/${path}`, "utf8").includes("sourceMappingURL"))).toEqual([]);
  }, 120_000);
});

describe.skipIf(!built)("built entry points", () => {
  const names = Object.keys(ENTRY_POINTS);

  /** Each subpath's exported names as `node` loads them from dist/, through import or require. */
  function builtNames(kind: "import" | "require"): Record<string, string[]> {
    const load = kind === "import" ? "await import(s)" : "require(s)";
    const script = `const out = {}; for (const s of ${JSON.stringify(names.map(subpathOf))}) out[s] = Object.keys(${load}).filter((k) => k !== "default" && k !== "__esModule").sort(); console.log(JSON.stringify(out));`;
    const args = kind === "import" ? ["--input-type=module", "-e", script] : ["-e", script];
    return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as Record<string, string[]>;
  }

  it("load through import and require with the same run-time names as their sources", async () => {
    const expected: Record<string, string[]> = {};
    for (const [name, file] of Object.entries(ENTRY_POINTS)) {
      expected[subpathOf(name)] = Object.keys((await import(`${root}/${file}`)) as object).sort();
    }
    expect(expected["model2vec/evaluate"]).toContain("evaluate");
    expect(builtNames("import")).toEqual(expected);
    expect(builtNames("require")).toEqual(expected);
  }, 120_000);
});

/** Script code: `cpu(tid)`, the CPU time (clock ticks) of one of the process's threads, from /proc/self/task. */
const THREAD_CPU = `const fs = require("node:fs"), cpu = (tid) => fs.readFileSync("/proc/self/task/" + tid + "/stat", "utf8").split(") ")[1].split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0);`;

/** An ES module script that imports `name` from dist/`file`, with `require` defined, then runs `body`. A file, not `--input-type=module -e`: a worker inherits that flag and fails to start. */
function esmScript(name: string, file: string, body: string): string {
  return `import { createRequire } from "node:module"; import { ${name} } from ${JSON.stringify(pathToFileURL(`${root}/dist/${file}`).href)}; const require = createRequire(import.meta.url); ${body}`;
}

describe.skipIf(!built)("built package", () => {
  it("ESM import and CJS require of 'model2vec' give the same vectors as the sources", async () => {
    const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 4 }), "model2vec");
    try {
      const expected = Array.from((await StaticModel.fromPretrained(folder)).encode("hello world"));
      const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as number[];
      // The package resolves itself by name through its "exports" map.
      const esm = run([
        "--input-type=module",
        "-e",
        `import { StaticModel } from "model2vec"; const m = await StaticModel.fromPretrained(${JSON.stringify(folder)}); console.log(JSON.stringify(Array.from(m.encode("hello world"))));`,
      ]);
      const cjs = run([
        "-e",
        `const { StaticModel } = require("model2vec"); StaticModel.fromPretrained(${JSON.stringify(folder)}).then((m) => console.log(JSON.stringify(Array.from(m.encode("hello world")))));`,
      ]);
      expect(esm).toEqual(expected);
      expect(cjs).toEqual(expected);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("runs multi-core encode from dist/ (its encode-worker.js) in ESM and CJS, with the same vectors as one thread", async () => {
    // Prints [whether the worker encoded during the measured call, shared output?, identical to one thread?]. The worker's
    // CPU time (in /proc/self/task) must grow during that call: a worker that fails to start leaves every chunk to the
    // caller and the same vectors.
    const body = `const texts = Array.from({ length: 200000 }, (_, i) => "hello world number " + i);
      ${THREAD_CPU}
      const before = new Set(fs.readdirSync("/proc/self/task"));
      m.encode(texts.slice(0, 8000), { threads: 2 }); // starts the pool
      setTimeout(() => {
        const started = fs.readdirSync("/proc/self/task").filter((tid) => !before.has(tid)), ticks = started.map(cpu);
        const two = m.encode(texts, { threads: 2 }).data;
        const worked = started.some((tid, i) => cpu(tid) - ticks[i] >= 3);
        const one = m.encode(texts, { threads: 1 }).data;
        console.log(JSON.stringify([worked, two.buffer instanceof SharedArrayBuffer, one.every((v, i) => v === two[i])]));
      }, 1000);`;
    const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 8 }), "model2vec");
    try {
      const script = join(folder, "encode.mjs");
      const load = `StaticModel.fromPretrained(${JSON.stringify(folder)}).then((m) => { ${body} });`;
      await writeFile(script, esmScript("StaticModel", "index.js", load));
      const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as boolean[];
      expect(run([script])).toEqual([true, true, true]);
      expect(run(["-e", `const { StaticModel } = require("model2vec"); ${load}`])).toEqual([true, true, true]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it("runs multi-core search from dist/ (its search-worker.js) in ESM and CJS, with the same hits as one thread", async () => {
    // Enough work to start the pool; prints [whether a worker scanned chunks, identical to one thread?]. A worker that
    // scanned has CPU time of its own (in /proc/self/task).
    const body = `const rows = 200000, dim = 64, data = new Float32Array(rows * dim).map((_, i) => Math.sin(i * 12.9898));
      const index = VectorIndex.fromVectors({ data, rows, dim }), queries = { data: data.slice(0, 300 * dim), rows: 300, dim };
      ${THREAD_CPU}
      const before = new Set(fs.readdirSync("/proc/self/task"));
      index.searchVectors(queries, { threads: 2 }); // starts the pool: the worker may join late
      const two = JSON.stringify(index.searchVectors(queries, { threads: 2 })), one = JSON.stringify(index.searchVectors(queries, { threads: 1 }));
      const scanned = fs.readdirSync("/proc/self/task").some((tid) => !before.has(tid) && cpu(tid) > 5);
      console.log(JSON.stringify([scanned, one === two]));`;
    const folder = await mkdtemp(join(tmpdir(), "model2vec-search-esm-"));
    try {
      const script = join(folder, "search.mjs");
      await writeFile(script, esmScript("VectorIndex", "search.js", body));
      const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as boolean[];
      expect(run([script])).toEqual([true, true]);
      expect(run(["-e", `const { VectorIndex } = require("model2vec/search"); ${body}`])).toEqual([true, true]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
