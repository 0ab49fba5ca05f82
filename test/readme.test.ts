/** Runs the README's quick start, unchanged but for the model folder, and checks what it prints. */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, it, vi } from "vitest";
import { generateModel, writeModelFolder } from "./fixtures/models.js";
import { wordPieceTokenizerJson } from "./fixtures/tokenizers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = join(root, "test", ".tmp");
afterAll(() => rm(scratch, { recursive: true, force: true }));

it("the README quick start runs and prints the shapes it promises", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  expect(snippet).toContain('from "model2vec"');

  const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 16 }), "model2vec");
  // "model2vec" resolves to src/index.ts through the alias in vitest.config.ts.
  const code = snippet.replace('"./potion-base-8M"', JSON.stringify(folder));
  expect(code).not.toBe(snippet);
  await mkdir(scratch, { recursive: true });
  const file = join(scratch, "quick-start.ts");
  await writeFile(file, code);

  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(pathToFileURL(file).href);
    expect(log.mock.calls).toEqual([[2, 16], [true], [true], [true]]);
  } finally {
    log.mockRestore();
    await rm(folder, { recursive: true, force: true });
  }
});
