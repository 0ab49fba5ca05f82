/**
 * What a pool of worker threads needs from Node, reached without a static `node:` import:
 * the modules come from `process.getBuiltinModule` (Node ≥ 20.16), and without it (browsers,
 * Deno, older Node) there are none and the caller stays on its own thread. Also the counters
 * by which threads share a job's chunks. Shared by the encode pool (src/model/encode-pool.ts) and the search pool (src/search/search-pool.ts).
 */

/** Slots of a job's shared Int32Array control block, when threads claim a job's chunks. */
export const CONTROL = {
  /** The next chunk to claim; every thread claims with Atomics.add, so each chunk runs once. */
  next: 0,
  /** Chunks finished (or failed); the caller waits on it. */
  done: 1,
  /** Set to 1 by the first chunk that throws. */
  failed: 2,
  length: 3,
} as const;

/** A worker's slot in a pool's shared status block. */
export const STATUS = { starting: 0, ready: 1, busy: 2, exited: 3, diedBusy: 4 } as const;

/** Loads a Node built-in module by id. */
export type BuiltinLoader = (id: string) => unknown;

/** `process.getBuiltinModule`, or null where it does not exist. */
export function builtinLoader(): BuiltinLoader | null {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process?.getBuiltinModule;
  return typeof getBuiltinModule === "function" ? getBuiltinModule : null;
}

/** Cores available to this process, or 1 where that cannot be known. */
export function availableThreads(): number {
  const os = builtinLoader()?.("node:os") as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? 1;
}

/**
 * The module of worker `name` (e.g. "encode-worker"), for a pool whose module is `base`
 * (its `import.meta.url`): dist/<name>.js beside the library's bundle (or one level up, from
 * the CLI's chunks). Running from the TypeScript sources (tests, tsx), `<name>.ts` beside
 * `base` is bundled once per process with esbuild (a development dependency), because a worker
 * thread of a tsx process cannot load `.ts` files on Node 20. Null when this code was bundled
 * into an application that did not ship the worker file.
 */
export function workerScript(load: BuiltinLoader, name: string, base: string): URL | null {
  const { existsSync } = load("node:fs") as { existsSync(path: URL): boolean };
  // Concatenated names, so application bundlers do not try to bundle the worker as an asset.
  for (const file of [`./${name}.js`, `../${name}.js`]) {
    const url = new URL(file, base);
    if (url.protocol === "file:" && existsSync(url)) return url;
  }
  const source = new URL(`./${name}.ts`, base);
  return source.protocol === "file:" && existsSync(source) ? bundledFromSource(load, name, source) : null;
}

const sourceBundles = new Map<string, URL | null>();

function bundledFromSource(load: BuiltinLoader, name: string, source: URL): URL | null {
  const known = sourceBundles.get(name);
  if (known !== undefined) return known;
  let bundle: URL | null = null;
  try {
    const { createRequire } = load("node:module") as { createRequire(from: URL): (id: string) => unknown };
    const { tmpdir } = load("node:os") as { tmpdir(): string };
    const { pathToFileURL, fileURLToPath } = load("node:url") as { pathToFileURL(path: string): URL; fileURLToPath(url: URL): string };
    const esbuild = createRequire(source)("esbuild") as { buildSync(options: Record<string, unknown>): unknown };
    const outfile = `${tmpdir()}/model2vec-${name}-${process.pid}.mjs`;
    esbuild.buildSync({ entryPoints: [fileURLToPath(source)], bundle: true, format: "esm", platform: "node", outfile, logLevel: "silent" });
    const { rmSync } = load("node:fs") as { rmSync(path: string, options: { force: boolean }): void };
    process.once("exit", () => rmSync(outfile, { force: true }));
    bundle = pathToFileURL(outfile);
  } catch {
    // No esbuild: the pool does not start, and the work stays on one thread.
  }
  sourceBundles.set(name, bundle);
  return bundle;
}
