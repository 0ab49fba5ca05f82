/**
 * Runs the README's quick start unchanged, against a local Hub that serves a
 * generated model as "minishlab/potion-base-8M", and checks what it prints and saves.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, it, vi } from "vitest";
import { startHubServer } from "./fixtures/hub-server.js";
import { generateModel } from "./fixtures/models.js";
import { wordPieceTokenizerJson } from "./fixtures/tokenizers.js";
import { startStaticServer } from "./fixtures/static-server.js";
import { writeTinyData } from "./evaluate/tiny-data.js";

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

it("the README quick start runs and prints what it promises", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  expect(snippet).toContain('from "model2vec"');

  const hub = await servePotion(16);
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, "quick-start.ts");
  await writeFile(file, snippet);

  // "model2vec" resolves to src/index.ts through the alias in vitest.config.ts.
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-work-"));
  process.chdir(work);
  try {
    await import(pathToFileURL(file).href);
    expect(log.mock.calls).toEqual([[2, 16], [true], [true], [true]]);
    expect((await readdir(join(work, "my-potion"))).sort()).toEqual(["README.md", "config.json", "model.safetensors", "modules.json", "tokenizer.json"]);
  } finally {
    log.mockRestore();
    process.chdir(cwd);
    await hub.close();
    await rm(work, { recursive: true, force: true });
  }
});

it("the README distillation example runs on the tiny BERT fixture", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Distillation"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const fixture = join(root, "test", "fixtures", "tiny-bert");
  const code = snippet.replace('"./bge-small-onnx"', JSON.stringify(fixture)).replace("pcaDims: 256", "pcaDims: 16");
  expect(code).toContain(JSON.stringify(fixture));
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, "distill.ts");
  await writeFile(file, code);
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-distill-"));
  const progress = vi.spyOn(console, "error").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(pathToFileURL(file).href);
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
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## Evaluation")))![1]!;
  const hub = await servePotion(8);
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-evaluate-"));
  // The user's own file sits where they run the code; the built-in tasks' data in ./data (tiny stand-ins).
  await writeFile(join(work, "pairs.tsv"), "sentence1\tsentence2\tscore\nhello world\thello world\t5\nthe fox\tquick dog\t1\nhello\tworld\t3\n");
  await writeTinyData(join(work, "data"));
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, "evaluate.ts");
  await writeFile(file, snippet);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(pathToFileURL(file).href);
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
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## Training")))![1]!;
  const hub = await servePotion(8);
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, "train.ts");
  await writeFile(file, snippet);
  const work = await mkdtemp(join(tmpdir(), "m2v-readme-train-work-"));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  process.chdir(work);
  try {
    await import(pathToFileURL(file).href);
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
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## In the browser")))![1]!;
  const server = await startStaticServer(join(root, "models", "default"));
  const code = snippet.replace('"https://example.com/models/potion/"', JSON.stringify(`${server.url}/`));
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
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, "browser.ts");
  await writeFile(file, code);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
  try {
    await import(pathToFileURL(file).href);
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
