/**
 * What a newcomer meets first: `info` without an argument, errors that speak of
 * flags rather than API options, defaults shown in --help, and `quantize` that
 * does not write over a folder's files unless told to.
 */
import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { ROOT, cli } from "../fixtures/run-cli.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

let work: string;
let modelDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "m2v-first-run-"));
  modelDir = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 8, seed: 2 }), "model2vec");
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("info", () => {
  it("with no argument describes the bundled default model, as encode uses it", async () => {
    const [bare, explicit] = await Promise.all([cli(["info", "--json"]), cli(["info", "--json", join(ROOT, "models/default")])]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(explicit.code, explicit.stderr).toBe(0);
    const info = JSON.parse(bare.stdout) as Record<string, unknown>;
    const model = await StaticModel.fromPretrained();
    expect(info.model).toBe("the bundled default model");
    expect(info.path).toBe(join(ROOT, "models/default"));
    expect(info).toMatchObject({ dimensions: model.dim, vocabularySize: model.tokens.length, dtype: model.embeddingDtype, layout: "model2vec" });
    expect({ ...info, model: null }).toEqual({ ...(JSON.parse(explicit.stdout) as Record<string, unknown>), model: null });
  });
});

describe("errors name the command line's flags, not the API's options", () => {
  const hubEnv = async () => ({ HF_HUB_CACHE: await mkdtemp(join(work, "cache-")), HF_HUB_OFFLINE: "", HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });

  it("--offline loads only from the cache (info, encode, distill's teacher), and the error says --offline", async () => {
    const runs = await Promise.all([
      cli(["info", "--offline", "some-org/not-cached"], { env: await hubEnv() }),
      cli(["encode", "--offline", "--model", "some-org/not-cached", "hi"], { env: await hubEnv() }),
      cli(["distill", "--offline", "some-org/not-cached", join(work, "never")], { env: await hubEnv() }),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: .*some-org\/not-cached at revision "main" is not in the cache .*, and --offline is set\./);
      expect(run.stderr).not.toContain("localFilesOnly");
    }
  });

  it("an unreachable Hub does not mention localFilesOnly", async () => {
    const [info, encode] = await Promise.all([
      cli(["info", "some-org/not-cached"], { env: await hubEnv() }),
      cli(["encode", "--model", "some-org/not-cached", "hi"], { env: await hubEnv() }),
    ]);
    for (const run of [info, encode]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: /);
      expect(run.stderr).not.toContain("localFilesOnly");
    }
  });
});

describe("--help", () => {
  it("shows train's defaults, predict, --offline and --force, and no longer calls encode's --model required", async () => {
    const runs = await Promise.all([cli(["train", "--help"]), cli(["encode", "--help"]), cli(["quantize", "--help"]), cli(["--help"])]);
    // Help wraps at 80 columns; compare with runs of white space as one space.
    const [train, encode, quantize, top] = runs.map((run) => ({ stdout: run.stdout.replace(/\s+/g, " ") })) as [{ stdout: string }, { stdout: string }, { stdout: string }, { stdout: string }];
    expect(train.stdout).toMatch(/--max-epochs <n> most training epochs \(default 100\)/);
    expect(train.stdout).toMatch(/--seed <n> random seed \(default 42\)/);
    expect(train.stdout).toMatch(/--text-column <name> column or key holding the text \(default: "text"\)/);
    expect(encode.stdout).not.toContain("(required)");
    expect(encode.stdout).toMatch(/--model <idOrPath> model folder or Hugging Face Hub id \(default: the bundled default model\)/);
    expect(encode.stdout).toMatch(/--max-length <n> tokens kept per text, or "none" \(default 512\)/);
    expect(quantize.stdout).toContain("--force");
    expect(top.stdout).toMatch(/predict \[options\] <classifier> \[texts\.\.\.\]/);
    expect(top.stdout).toContain("--offline");
  });
});

describe("quantize into an existing folder", () => {
  it("refuses a folder that holds files unless --force, and leaves the files alone", async () => {
    const out = join(work, "taken");
    await mkdir(out);
    await writeFile(join(out, "notes.txt"), "mine");
    const refused = await cli(["quantize", modelDir, out, "--to", "float16", "--quiet"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`error: ${out} already exists and is not empty: pass --force to write into it\n`);
    expect(await readdir(out)).toEqual(["notes.txt"]);

    const forced = await cli(["quantize", modelDir, out, "--to", "float16", "--force", "--quiet"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(join(out, "notes.txt"), "utf8")).toBe("mine");
    expect((await StaticModel.fromPretrained(out)).embeddingDtype).toBe("float16");
  });

  it("writes into an empty folder without --force", async () => {
    const out = join(work, "empty");
    await mkdir(out);
    const run = await cli(["quantize", modelDir, out, "--to", "int8", "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    expect((await StaticModel.fromPretrained(out)).embeddingDtype).toBe("int8");
  });
});
