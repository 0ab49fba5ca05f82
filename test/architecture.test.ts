/**
 * The layers of src/ point one way. The import graph counts static imports, type imports,
 * `export ... from` re-exports and `import("...")` with a literal path alike; an import of
 * `./x.js` also reaches `./x.browser.ts` when that sibling exists (the browser build's swap,
 * scripts/browser-modules.ts).
 *
 * From the bottom up:
 * - errors.ts, random.ts and describe.ts, which import no folder;
 * - the base: tokenizer/, formats/, linalg/, quantize/, io/, hub/ (they may import each other);
 * - persistence/: loading and saving a model's files. It may import the base; it works on the
 *   parts of a model (arrays, tokenizer, config), never on StaticModel;
 * - the features: model/, server/, cli/, train/, evaluate/, distill/, tokenlearn/,
 *   integrations/ (model/ wires the parts into a StaticModel);
 * - the root entry point, src/index.ts, which may import anything.
 *
 * The other entry points (scripts/entry-points.ts) live in the folder they publish and
 * re-export from it only (and their error classes from errors.ts), each name listed (no `export *`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ENTRY_POINTS } from "../scripts/entry-points.js";

const src = fileURLToPath(new URL("../src", import.meta.url));

const BOTTOM = ["errors.ts", "random.ts", "describe.ts"];
const BASE = ["tokenizer", "formats", "linalg", "quantize", "io", "hub"];
const FEATURES = ["model", "server", "cli", "train", "evaluate", "distill", "tokenlearn", "integrations", "search"];
/** The folders a file of each layer (its folder, or its name at the bottom) must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  ...Object.fromEntries(BOTTOM.map((file) => [file, [...BASE, "persistence", ...FEATURES]])),
  ...Object.fromEntries(BASE.map((folder) => [folder, [...FEATURES, "persistence"]])),
  persistence: FEATURES,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The src/ files `file` imports, as paths relative to src/. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const targets: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith(".")) continue; // packages and node: builtins
    const target = resolve(dirname(file), fileName.replace(/\.js$/, ".ts"));
    if (!existsSync(target)) throw new Error(`${relative(src, file)} imports ${fileName}, which does not exist`);
    targets.push(target);
    const browser = target.replace(/\.ts$/, ".browser.ts");
    if (browser !== file && existsSync(browser)) targets.push(browser);
  }
  return [...new Set(targets)].map((target) => relative(src, target));
}

function importGraph(): Map<string, string[]> {
  return new Map(sourceFiles(src).map((file) => [relative(src, file), importsOf(file)]));
}

/**
 * The cycles to show: for each file on a cycle, the shortest cycle through it (each cycle once).
 * Files import each other in a cycle exactly when they share a strongly connected component.
 */
function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  for (const component of components(graph)) {
    for (const start of component) {
      const cycle = shortestCycle(graph, new Set(component), start);
      const ring = cycle.slice(1);
      const first = ring.indexOf([...ring].sort()[0]!);
      const key = [...ring.slice(first), ...ring.slice(0, first)].join(" ");
      if (!found.has(key)) found.set(key, cycle);
    }
  }
  return [...found.values()];
}

/** The strongly connected components with more than one file, or a file importing itself. */
function components(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, then a shortest path back to the start inside each component.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)!.includes(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

function shortestCycle(graph: Map<string, string[]>, within: Set<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const target of graph.get(node)!) {
      if (!within.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  throw new Error(`no cycle through ${start}`);
}

function folderOf(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : undefined;
}

describe("the import graph of src/", () => {
  const graph = importGraph();

  it("has no cycle", () => {
    const found = cycles(graph).map((cycle) => cycle.join(" → "));
    if (found.length > 0) {
      const groups = components(graph).map((component) => component.join(", "));
      console.error(`${found.length} import cycles:\n${found.join("\n")}\namong ${groups.length} groups of files that import each other:\n${groups.join("\n")}`);
    }
    expect(found).toEqual([]);
  });

  it("has no import from a lower layer up into a higher one", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const forbidden = FORBIDDEN[folderOf(file) ?? file] ?? [];
      for (const target of targets) if (forbidden.includes(folderOf(target) ?? "")) upward.push(`${file} → ${target}`);
    }
    if (upward.length > 0) console.error(`${upward.length} upward imports:\n${upward.join("\n")}`);
    expect(upward).toEqual([]);
  });

  it("places every folder of src/ in a layer", () => {
    const folders = readdirSync(src, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.filter((folder) => ![...BASE, "persistence", ...FEATURES].includes(folder))).toEqual([]);
  });

  it("has each entry point re-export from its own folder only, by name", () => {
    const stray: string[] = [];
    for (const file of Object.values(ENTRY_POINTS)) {
      const source = ts.createSourceFile(file, readFileSync(join(src, "..", file), "utf8"), ts.ScriptTarget.ES2022);
      for (const statement of source.statements) {
        if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier) continue;
        const from = (statement.moduleSpecifier as ts.StringLiteral).text;
        if (!statement.exportClause) stray.push(`${file}: export * from "${from}"`);
        // errors.ts holds every error class; an entry may publish the ones its folder throws.
        const ownFolder = from.startsWith("./") || from === "../errors.js";
        if (file !== "src/index.ts" && !ownFolder) stray.push(`${file}: re-exports "${from}", outside its folder`);
      }
    }
    expect(stray).toEqual([]);
  });

  it("reads static imports, re-exports, type imports and import() alike, and the .browser.ts swap", () => {
    expect(graph.get("index.ts")).toContain(join("model", "static-model.ts")); // export { StaticModel } from
    const staticModel = graph.get(join("model", "static-model.ts"));
    expect(staticModel).toContain(join("hub", "push.ts")); // await import("../hub/push.js")
    expect(staticModel).toContain(join("hub", "push.browser.ts")); // ... and its browser sibling
    expect(staticModel).toContain(join("tokenizer", "tokenizer.ts")); // import type { Tokenizer }
  });
});
