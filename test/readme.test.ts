/**
 * Runs the examples of the README and of docs/*.md unchanged (the quick start also
 * against a local Hub that serves a generated model as "minishlab/potion-base-8M"),
 * checks what they print, save and serve, and that a fresh clone's `npm ci` builds the CLI.
 */
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, it, vi } from "vitest";
import { startHubServer } from "./fixtures/hub-server.js";
import { generateModel } from "./fixtures/models.js";
import { wordPieceTokenizerJson } from "./fixtures/tokenizers.js";
import { startStaticServer } from "./fixtures/static-server.js";
import { writeTinyData } from "./evaluate/tiny-data.js";
import { codeBlocks, sectionLines } from "./fixtures/markdown.js";

/** Serves a generated model as "minishlab/potion-base-8M" from a local Hub, with a fresh HF_HOME; `close` undoes both. */
async function servePotion(dim: number): Promise<{ close: () => Promise<void> }> {
  const model = generateModel({ tokenizer: wordPieceTokenizerJson(), dim });
  const server = await startHubServer();
  server.addCommit("minishlab/potion-base-8M", { "config.json": JSON.stringify(model.config), "model.safetensors": model.safetensors, "tokenizer.json": model.tokenizerJson });
  process.env.HF_ENDPOINT = server.url;
  const home = (process.env.HF_HOME = await mkdtemp(join(tmpdir(), "m2v-readme-hf-")));
  return {
    close: async () => {
      await server.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = join(root, "test", ".tmp");
const cwd = process.cwd();
afterAll(async () => {
  process.chdir(cwd);
  await rm(scratch, { recursive: true, force: true });
});

/** The ```ts blocks of the section under `heading` (e.g. "## Quick start") in `file`, the README or a file of docs/. */
function snippets(heading: string, file = "README.md"): string[] {
  const section = sectionLines(readFileSync(join(root, file), "utf8"), heading);
  expect(section, `${file} has no line "${heading}"`).not.toBeNull();
  return codeBlocks(section!, "ts");
}

/** The first ```ts block of the section under `heading` in `file`. */
function snippet(heading: string, file = "README.md"): string {
  const [first] = snippets(heading, file);
  expect(first, `a ts example under "${heading}" in ${file}`).toBeDefined();
  return first!;
}

/** Writes `code` as a module file named `name` in the scratch folder, and returns its URL. */
async function snippetModule(code: string, name: string): Promise<string> {
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, `${name}.ts`);
  await writeFile(file, code);
  return pathToFileURL(file).href;
}

/**
 * Runs `code` as a module file named `name`, with `work` as the working directory,
 * and returns what it logged. "model2vec" resolves to src/index.ts through the alias
 * in vitest.config.ts.
 */
async function runSnippet(code: string, name: string, work: string): Promise<unknown[][]> {
  const url = await snippetModule(code, name);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(url);
    return log.mock.calls;
  } finally {
    log.mockRestore();
    process.chdir(cwd);
  }
}

const SAVED_FILES = ["README.md", "config.json", "model.safetensors", "modules.json", "tokenizer.json"];

it("the README's first screen shows the offline form and the Hub id, and the quick start runs with both", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const firstScreen = readme.split("\n").slice(0, 40).join("\n");
  expect(firstScreen).toContain("const model = await StaticModel.fromPretrained();");
  expect(firstScreen).toContain('StaticModel.fromPretrained("minishlab/potion-base-8M")');

  const quickStart = snippet("## Quick start");
  const offline = await mkdtemp(join(tmpdir(), "m2v-readme-work-"));
  try {
    // As written: the bundled default model (192 dimensions), with no network.
    expect(await runSnippet(quickStart, "quick-start", offline)).toEqual([[2, 192], [true], [true], [true]]);
    expect((await readdir(join(offline, "my-model"))).sort()).toEqual(SAVED_FILES);
  } finally {
    await rm(offline, { recursive: true, force: true });
  }

  // With the Hub line instead, against a local Hub serving a 16-dimensional "minishlab/potion-base-8M".
  const hubLine = 'const model = await StaticModel.fromPretrained("minishlab/potion-base-8M");';
  const fromHub = quickStart.replace("const model = await StaticModel.fromPretrained();\n", "").replace(`// ${hubLine}`, hubLine);
  expect(fromHub).not.toContain("fromPretrained()");
  expect(fromHub).toContain(`\n${hubLine}\n`);
  const hub = await servePotion(16);
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-work-"));
  try {
    expect(await runSnippet(fromHub, "quick-start-hub", work)).toEqual([[2, 16], [true], [true], [true]]);
    expect((await readdir(join(work, "my-model"))).sort()).toEqual(SAVED_FILES);
  } finally {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  }
});

it("the README example of a model built from parts (loadTokenizer + new StaticModel) runs, and saves a loadable model", async () => {
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-parts-"));
  try {
    await mkdir(join(work, "my-tokenizer"));
    await copyFile(join(root, "models", "default", "tokenizer.json"), join(work, "my-tokenizer", "tokenizer.json"));
    expect(await runSnippet(snippet("### A model from parts"), "from-parts", work)).toEqual([[true]]);
    const { StaticModel } = await import("../src/index.js");
    const saved = await StaticModel.fromPretrained(join(work, "my-new-model"));
    const bundled = await StaticModel.fromPretrained();
    expect(saved.dim).toBe(64);
    expect(saved.normalize).toBe(true);
    expect(saved.tokens).toEqual(bundled.tokens);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

it("the README ONNX export example runs the exported graph in onnxruntime-node", async () => {
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-onnx-"));
  try {
    expect(await runSnippet(snippet("## ONNX export"), "onnx-export", work)).toEqual([[[2, 192]]]);
    expect((await readdir(join(work, "onnx-model", "onnx")))).toEqual(["model.onnx"]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

it("the README's development commands are npm ci and npm test, and npm ci's prepare script builds the CLI", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const development = readme.slice(readme.indexOf("\n## Development\n"));
  const commands = /```sh\n([\s\S]*?)```/.exec(development)![1]!.split("\n").map((line) => line.replace(/#.*/, "").trim()).filter(Boolean);
  expect(commands).toEqual(["npm ci", "npm test"]);

  // A fresh clone: the working tree's files without dist/, sharing the installed node_modules.
  // npm ci runs the `prepare` script after installing; run it the same way, with CI's settings.
  const clone = await mkdtemp(join(tmpdir(), "m2v-fresh-clone-"));
  try {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
    for (const path of listed.split("\0").filter((p) => p !== "" && !p.startsWith("dist/") && existsSync(join(root, p)))) {
      await mkdir(dirname(join(clone, path)), { recursive: true });
      await copyFile(join(root, path), join(clone, path));
    }
    await symlink(join(root, "node_modules"), join(clone, "node_modules"));
    const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" };
    execFileSync("npm", ["run", "prepare"], { cwd: clone, env, stdio: "pipe" });
    const encoded = execFileSync(process.execPath, [join(clone, "dist", "cli.js"), "encode", "hello"], { cwd: clone, env, encoding: "utf8" });
    expect(JSON.parse(encoded)).toHaveLength(192);
    const version = execFileSync("npx", ["--no-install", "model2vec", "--version"], { cwd: clone, env, encoding: "utf8" });
    expect(version.trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  } finally {
    await rm(clone, { recursive: true, force: true });
  }
}, 600_000);

it("the README distillation example runs on the tiny BERT fixture", async () => {
  const fixture = join(root, "test", "fixtures", "tiny-bert");
  const code = snippet("## Distillation").replace('"./bge-small-onnx"', JSON.stringify(fixture)).replace("pcaDims: 256", "pcaDims: 16");
  expect(code).toContain(JSON.stringify(fixture));
  const url = await snippetModule(code, "distill");
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-distill-"));
  const progress = vi.spyOn(console, "error").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(url);
    expect(progress.mock.calls.some(([stage]) => stage === "teacher")).toBe(true);
    const { StaticModel } = await import("../src/index.js");
    const model = await StaticModel.fromPretrained(join(work, "my-static-model"));
    expect(model.tokens).toContain("new york");
    expect(model.dim).toBe(16);
  } finally {
    progress.mockRestore();
    process.chdir(cwd);
    await rm(work, { recursive: true, force: true });
  }
});

it("the README evaluation example runs as written: pairs.tsv in the working directory, built-in tasks in ./data", async () => {
  const hub = await servePotion(8);
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-evaluate-"));
  // The user's own file sits where they run the code; the built-in tasks' data in ./data (tiny stand-ins).
  await writeFile(join(work, "pairs.tsv"), "sentence1\tsentence2\tscore\nhello world\thello world\t5\nthe fox\tquick dog\t1\nhello\tworld\t3\n");
  await writeTinyData(join(work, "data"));
  const url = await snippetModule(snippet("## Evaluation"), "evaluate");
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(url);
    const table = String(log.mock.calls[0]![0]);
    expect(table.split("\n")[0]).toMatch(/^Model\s+Average\s+classification\s+retrieval\s+sts\s+stsb\s+sst2\s+cranfield\s+my-sts\s+Time \(s\)$/);
    expect(table.split("\n")[1]).toMatch(/^potion-base-8M\s+-?\d+\.\d\d/);
  } finally {
    log.mockRestore();
    process.chdir(cwd);
    await hub.close();
    await rm(work, { recursive: true, force: true });
  }
});

it("the README training example runs", async () => {
  const hub = await servePotion(8);
  const url = await snippetModule(snippet("## Training"), "train");
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-train-work-"));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(url);
    expect(log.mock.calls).toEqual([[["greeting"]]]);
    expect((await readdir(join(work, "my-classifier"))).sort()).toEqual([
      "README.md", "classifier_config.json", "config.json", "head.safetensors", "model.safetensors", "modules.json", "tokenizer.json",
    ]);
  } finally {
    log.mockRestore();
    process.chdir(cwd);
    await hub.close();
    await rm(work, { recursive: true, force: true });
  }
});

it("the README browser example runs in Node against a local server, through a Cache Storage", async () => {
  const server = await startStaticServer(join(root, "models", "default"));
  const code = snippet("## In the browser").replace('"https://example.com/models/potion/"', JSON.stringify(`${server.url}/`));
  expect(code).toContain(server.url);
  // An in-memory stand-in for the browser's Cache Storage.
  const stored = new Map<string, Response>();
  vi.stubGlobal("caches", {
    open: async () => ({
      match: async (url: string) => stored.get(url)?.clone(),
      put: async (url: string, response: Response) => void stored.set(url, response),
      delete: async (url: string) => stored.delete(url),
    }),
  });
  const url = await snippetModule(code, "browser");
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
  try {
    await import(url);
    expect(log.mock.calls).toEqual([[true]]);
    expect(debug.mock.calls.some(([name]) => name === "model.safetensors")).toBe(true);
    expect([...stored.keys()].sort()).toEqual(["README.md", "config.json", "model.safetensors", "tokenizer.json"].map((f) => `${server.url}/${f}`));
  } finally {
    log.mockRestore();
    debug.mockRestore();
    vi.unstubAllGlobals();
    await server.close();
  }
});

/** A POST /v1/embeddings request for `texts`, with `headers` added. */
function embeddingsRequest(texts: string[], headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/v1/embeddings", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ input: texts }),
  });
}

/** The vectors of an OpenAI embeddings response, as float32 rows. */
async function vectorsOf(response: Response): Promise<Float32Array[]> {
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: { embedding: number[] }[] };
  return data.map(({ embedding }) => Float32Array.from(embedding));
}

const IMPORTS = 'import { StaticModel } from "model2vec";\nimport { embeddingsHandler } from "model2vec/server";\n';
const TEXT = "It's dangerous to go alone!";

it("the README's server example answers an embeddings request with the bundled model's vector size and token count", async () => {
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-server-"));
  try {
    const logged = await runSnippet(snippet("### The server on any runtime"), "server-any-runtime", work);
    const { StaticModel } = await import("../src/index.js");
    const tokens = (await StaticModel.fromPretrained()).tokenCounts([TEXT])[0]!;
    expect(tokens).toBeGreaterThan(5);
    expect(logged).toEqual([[192, tokens]]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

it("docs/server.md's Deno, Bun and Cloudflare Workers examples serve the model's own vectors (hono and Next.js are not installed here)", async () => {
  const [deno, bun, workers] = snippets("## On any runtime", "docs/server.md");
  const { StaticModel } = await import("../src/index.js");
  const bundled = await StaticModel.fromPretrained();
  const models = await startStaticServer(join(root, "models", "default"));
  const served: { options: unknown; handler: (request: Request) => Promise<Response> }[] = [];
  vi.stubGlobal("Deno", { serve: (options: unknown, handler: (request: Request) => Promise<Response>) => void served.push({ options, handler }) });
  vi.stubGlobal("Bun", { serve: ({ fetch, ...options }: { fetch: (request: Request) => Promise<Response> }) => void served.push({ options, handler: fetch }) });
  const hub = await servePotion(16);
  try {
    // Deno: as written, with npm: specifiers as a bundler or Node resolves them, and the model's URL on a local server.
    expect(deno).toContain('from "npm:model2vec/server"');
    const denoCode = deno!.replaceAll('"npm:model2vec', '"model2vec').replace('"https://example.com/potion-base-8M/"', JSON.stringify(`${models.url}/`));
    await import(await snippetModule(denoCode, "server-deno"));
    expect(served[0]!.options).toEqual({ port: 8080 });
    expect(await vectorsOf(await served[0]!.handler(embeddingsRequest([TEXT, "hello"])))).toEqual([bundled.encode(TEXT), bundled.encode("hello")]);

    // Bun: the block continues the Deno one's imports; "minishlab/potion-base-8M" from a local Hub (16 dimensions).
    await import(await snippetModule(IMPORTS + bun!, "server-bun"));
    expect(served[1]!.options).toEqual({ port: 8080 });
    const [vector] = await vectorsOf(await served[1]!.handler(embeddingsRequest([TEXT])));
    expect(vector).toEqual((await StaticModel.fromPretrained("minishlab/potion-base-8M")).encode(TEXT));
    expect(vector).toHaveLength(16);

    // Workers: the module's default export, with the model's URL and the key from `env`.
    const worker = (await import(await snippetModule(IMPORTS + workers!, "server-workers"))) as {
      default: { fetch(request: Request, env: { MODEL_URL: string; API_KEY: string }): Promise<Response> };
    };
    const env = { MODEL_URL: `${models.url}/`, API_KEY: "secret" };
    const refused = await worker.default.fetch(embeddingsRequest([TEXT]), env);
    expect(refused.status).toBe(401);
    expect(await vectorsOf(await worker.default.fetch(embeddingsRequest([TEXT], { authorization: "Bearer secret" }), env))).toEqual([bundled.encode(TEXT)]);
  } finally {
    vi.unstubAllGlobals();
    await hub.close();
    await models.close();
  }
});

it("docs/browser.md's Web Worker example answers a message with the model's vectors", async () => {
  const [code] = snippets("## Encode in a Web Worker", "docs/browser.md");
  const models = await startStaticServer(join(root, "models", "default"));
  const posted: unknown[] = [];
  const started: unknown[][] = [];
  const self: { onmessage?: (event: { data: { id: number; texts: string[] } }) => Promise<void>; postMessage(message: unknown): void } = {
    postMessage: (message) => void posted.push(message),
  };
  vi.stubGlobal("self", self);
  vi.stubGlobal("location", { href: `${models.url}/page/index.html` });
  vi.stubGlobal("Worker", class { constructor(...args: unknown[]) { started.push(args); } });
  try {
    // The page's origin serves models/default under /models/potion/.
    expect(code).toContain('new URL("/models/potion/", location.href)');
    await import(await snippetModule(code!.replace('"/models/potion/"', '"/"'), "browser-worker"));
    expect(started).toEqual([[new URL("./worker.ts", pathToFileURL(join(scratch, "browser-worker.ts"))), { type: "module" }]]);
    await self.onmessage!({ data: { id: 7, texts: [TEXT, "hello"] } });
    const { StaticModel } = await import("../src/index.js");
    const expected = (await StaticModel.fromPretrained()).encode([TEXT, "hello"]);
    expect(posted).toEqual([{ id: 7, dim: 192, data: expected.data }]);
  } finally {
    vi.unstubAllGlobals();
    await models.close();
  }
});

/** Runs `body` with a fresh temporary working folder, removed afterwards. */
async function inTempFolder<T>(prefix: string, body: (work: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await body(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

it("the README LangChain example ranks with MemoryVectorStore over Model2VecEmbeddings", async () => {
  const logged = await inTempFolder("m2v-readme-langchain-", (work) => runSnippet(snippet("### LangChain vector stores"), "langchain-store", work));
  expect(logged).toEqual([[["pets", "pets"]]]);
});

it("the README LanceDB example fills, searches and reopens an on-disk table in ./data/lancedb", async () => {
  await inTempFolder("m2v-readme-lancedb-", async (work) => {
    expect(await runSnippet(snippet("### LanceDB"), "lancedb", work)).toEqual([
      ["Dogs are loyal pets that love to play fetch."],
      ["The stock market fell as investors sold shares."],
    ]);
    expect(await readdir(join(work, "data", "lancedb"))).toContain("docs.lance");
  });
});

it("the README Orama example finds by vector and hybrid search with the model2vec plugin", async () => {
  const logged = await inTempFolder("m2v-readme-orama-", (work) => runSnippet(snippet("### Orama"), "orama", work));
  expect(logged).toEqual([["Dogs", "Markets"]]);
});

it("the README deduplication example removes the near and exact copies, finds the leak, the outlier and two representatives", async () => {
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-dedup-"));
  try {
    expect(await runSnippet(snippet("### Deduplication, outliers and representatives"), "dedup", work)).toEqual([
      [["The cat sat on the mat.", "Stocks fell sharply on Monday."]],
      [[[1, 0, false], [3, 0, true]]],
      [2],
      [["Stocks fell sharply on Monday."]],
      [2],
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

it("the README search example finds, filters, saves and reloads an index in ./data/index", async () => {
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-search-"));
  try {
    const logged = await runSnippet(snippet("## Search"), "search", work);
    expect(logged[0]).toEqual(["Risotto is a creamy Italian rice dish."]);
    expect(logged[1]).toEqual([[2, "cat"]]);
    expect(logged[2]).toEqual([4]);
    expect((await readdir(join(work, "data", "index"))).sort()).toEqual(["index.json", "vectors.safetensors"]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
