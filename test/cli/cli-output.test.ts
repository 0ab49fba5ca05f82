/**
 * Where `encode` writes: every format goes through a temporary file and a rename,
 * so a failure exits 1 with one line and leaves an earlier file byte-identical;
 * devices are written directly and their errors reported; no NaN or Infinity
 * ever reaches JSON output.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeSafetensors } from "../../src/formats/safetensors-writer.js";
import { generateModel, vocabularySize, writeModelFolder } from "../fixtures/models.js";
import { ROOT, cli } from "../fixtures/run-cli.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const FORMATS = ["jsonl", "json", "npy", "safetensors"] as const;

/** Output files may grow to this many KiB (`ulimit -f`), so a large output fails part-way with EFBIG. */
const FILE_SIZE_LIMIT_KIB = 64;

let modelDir: string;
let work: string;
/** Enough texts that every format's output is larger than the file size limit. */
let manyTexts: string;

beforeAll(async () => {
  modelDir = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 16, seed: 3 }), "model2vec");
  work = await mkdtemp(join(tmpdir(), "m2v-cli-output-"));
  manyTexts = join(work, "many.txt");
  await writeFile(manyTexts, Array.from({ length: 2000 }, (_, i) => `hello world ${i}`).join("\n"));
});

describe("encode --output failures", () => {
  it.each(FORMATS)("%s: a pre-existing good file stays byte-identical when a later write fails, and no temporary file is left", async (format) => {
    const folder = await mkdtemp(join(work, `keep-${format}-`));
    const target = join(folder, `vectors.${format}`);
    const good = await cli(["encode", "--model", modelDir, "--format", format, "--output", target, "hello", "world"]);
    expect(good.code, good.stderr).toBe(0);
    const before = await readFile(target);

    const failed = await cli(["encode", "--model", modelDir, "--format", format, "--output", target, "--file", manyTexts], {
      fileSizeLimitKiB: FILE_SIZE_LIMIT_KIB,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(`error: EFBIG: file too large, write '${target}'\n`);
    expect((await readFile(target)).equals(before)).toBe(true);
    expect(await readdir(folder)).toEqual([`vectors.${format}`]);
  });

  it.each(FORMATS)("%s: a missing folder exits 1 with one line naming the file, and creates nothing", async (format) => {
    const target = join(work, "no-such-folder", `x.${format}`);
    const run = await cli(["encode", "--model", modelDir, "--format", format, "--output", target, "hello"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ENOENT: no such file or directory, open '${target}'\n`);
    expect(existsSync(join(work, "no-such-folder"))).toBe(false);
  });

  it.skipIf(!existsSync("/dev/full")).each(FORMATS)("%s: writing to /dev/full exits 1 with one line naming it", async (format) => {
    const run = await cli(["encode", "--model", modelDir, "--format", format, "--output", "/dev/full", "hello"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: ENOSPC: no space left on device, write '/dev/full'\n");
  });
});

describe("encode --output interrupted", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s while writing removes the temporary file and ends the process by that signal", async (signal) => {
    // The bundled model's 192 dimensions over 50,000 texts take seconds to write as JSON.
    const texts = join(work, "50k.txt");
    await writeFile(texts, Array.from({ length: 50_000 }, (_, i) => `a cat sits on mat number ${i}`).join("\n"));
    const folder = await mkdtemp(join(work, `signal-${signal}-`));
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "encode", "--file", texts, "--output", join(folder, "out.jsonl")], {
      stdio: "ignore",
    });
    let ended = false;
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, by) => resolve(by)));
    void exit.then(() => (ended = true));
    while (!(await readdir(folder)).some((name) => name.startsWith("out.jsonl.tmp-"))) {
      if (ended) throw new Error("encode ended before its temporary file was seen");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill(signal);
    expect(await exit).toBe(signal);
    expect(await readdir(folder)).toEqual([]);
  });
});

describe("JSON output never holds NaN or Infinity", () => {
  /** A model whose finite table and weights overflow float32 when multiplied (1e30 · 1e30). */
  async function overflowingModel(): Promise<string> {
    const tokenizer = wordPieceTokenizerJson();
    const base = generateModel({ tokenizer, dim: 4, config: { model_type: "model2vec", normalize: false } });
    const vocab = vocabularySize(tokenizer);
    const safetensors = writeSafetensors([
      { name: "embeddings", dtype: "F32", shape: [vocab, 4], data: new Float32Array(vocab * 4).fill(1e30) },
      { name: "weights", dtype: "F32", shape: [vocab], data: new Float32Array(vocab).fill(1e30) },
    ]);
    return writeModelFolder({ ...base, safetensors }, "model2vec");
  }

  it.each(["jsonl", "json"] as const)("%s: an infinite value fails in one line naming the text and dimension, exit 1, the earlier file kept", async (format) => {
    const model = await overflowingModel();
    const target = join(work, `overflow.${format}`);
    await writeFile(target, "good");
    const run = await cli(["encode", "--model", model, "--format", format, "--output", target, "hello", "world"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: dimension 0 of the embedding of text 1 is Infinity, which JSON cannot represent/);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(await readFile(target, "utf8")).toBe("good");
  });

  it("jsonl to stdout stops before the row that would print Infinity", async () => {
    const model = await overflowingModel();
    const run = await cli(["encode", "--model", model, "hello"]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/Infinity|NaN|null/);
    expect(run.stderr).toContain("dimension 0 of the embedding of text 1 is Infinity");
  });
});
