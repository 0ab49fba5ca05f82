/**
 * A hostile or broken Hub (test/fixtures/hub-server.ts in its hostile modes) must not make a
 * download run forever, fill the disk, or leave temporary files behind.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HubError, StaticModel } from "../../src/index.js";
import { ROOT } from "../fixtures/run-cli.js";
import { type HubServer, startHubServer } from "../fixtures/hub-server.js";
import { generateModel } from "../fixtures/models.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const model = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 1 });
const files = { "config.json": JSON.stringify(model.config), "model.safetensors": model.safetensors, "tokenizer.json": model.tokenizerJson };
const weightsSha = createHash("sha256").update(model.safetensors).digest("hex");
const REVISION = /\/api\/models\/org\/m2v\/revision\//;
/** The weights of org/m2v, at whatever revision (downloads ask for the commit). */
const WEIGHTS = /\/org\/m2v\/resolve\/[^/?]+\/model\.safetensors/;
/** A size no test machine has free: 1 PiB. */
const HUGE = 2 ** 50;

let server: HubServer;
let scratch: string;
let cacheCounter = 0;
const newCache = () => join(scratch, `cache-${cacheCounter++}`);
const blobsOf = (cacheDir: string) => join(cacheDir, "models--org--m2v", "blobs");
const temporaries = async (cacheDir: string) => (await readdir(blobsOf(cacheDir)).catch(() => [])).filter((name) => name.endsWith(".m2v-tmp"));

/** What loading org/m2v into a fresh cache throws. */
async function failure(cacheDir = newCache()): Promise<{ error: Error }> {
  const error = await StaticModel.fromPretrained("org/m2v", { cacheDir }).then(
    () => new Error("loaded"),
    (e: unknown) => e as Error,
  );
  return { error };
}

const savedEnv = { ...process.env };
beforeAll(async () => {
  server = await startHubServer();
  scratch = await mkdtemp(join(tmpdir(), "m2v-hostile-"));
  process.env.HF_ENDPOINT = server.url;
  process.env.HF_HOME = join(scratch, "hf-home");
  delete process.env.HF_TOKEN;
  delete process.env.HF_HUB_OFFLINE;
  server.addCommit("org/m2v", files);
  server.addCommit("org/gated", files, { gated: true });
});
afterEach(() => {
  server.clearFailures();
  process.env.HF_HUB_DOWNLOAD_TIMEOUT = "1";
  delete process.env.MODEL2VEC_HUB_DEADLINE;
});
afterAll(async () => {
  process.env = savedEnv;
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});
process.env.HF_HUB_DOWNLOAD_TIMEOUT = "1";

describe("bodies are capped", () => {
  it("stops reading an endless revision JSON at 10 MB, with a HubError naming the URL", async () => {
    server.fail({ path: REVISION, action: "endless", times: Infinity });
    const { error } = await failure();
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/response from http:\/\/127\.0\.0\.1:\d+\/api\/models\/org\/m2v\/revision\/main is larger than 10 MB/);
  });

  it("stops reading an endless error body at 10 MB", async () => {
    server.fail({ path: /\/org\/gated\/resolve\/[^/]+\/config\.json/, action: "endless", times: Infinity });
    const error = (await StaticModel.fromPretrained("org/gated", { cacheDir: newCache() }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/response from http:\/\/127\.0\.0\.1:\d+\/org\/gated\/resolve\/[0-9a-f]{40}\/config\.json is larger than 10 MB/);
  });
});

describe("idle timeout and deadline", () => {
  it("gives up on a revision JSON that drips slower than HF_HUB_DOWNLOAD_TIMEOUT", async () => {
    server.fail({ path: REVISION, action: { drip: 3_000 }, times: Infinity });
    const { error } = await failure();
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/no data from http:\S+\/revision\/main for 1 s \(HF_HUB_DOWNLOAD_TIMEOUT\)/);
  });

  it("gives up on a revision JSON that drips faster than the idle timeout, at the deadline", async () => {
    process.env.MODEL2VEC_HUB_DEADLINE = "1.5";
    process.env.HF_HUB_DOWNLOAD_TIMEOUT = "5"; // a slow drip under load must not trip the idle timeout first
    server.fail({ path: REVISION, action: { drip: 50 }, times: Infinity });
    const { error } = await failure();
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/http:\S+\/revision\/main did not finish within 1\.5 s \(MODEL2VEC_HUB_DEADLINE\)/);
  });

  it("gives up on a download that drips, at the deadline, and keeps nothing", async () => {
    process.env.MODEL2VEC_HUB_DEADLINE = "1.5";
    process.env.HF_HUB_DOWNLOAD_TIMEOUT = "5"; // a slow drip under load must not trip the idle timeout first
    server.fail({ path: WEIGHTS, method: "GET", action: { drip: 50 }, times: Infinity });
    const cacheDir = newCache();
    const { error } = await failure(cacheDir);
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/Download of "model\.safetensors" from org\/m2v was interrupted .*did not finish within 1\.5 s/);
    expect(await temporaries(cacheDir)).toEqual([]);
  });
});

describe("sizes", () => {
  it("stops a download that runs past the announced size", async () => {
    server.fail({ path: WEIGHTS, method: "GET", action: "endless", times: Infinity });
    const cacheDir = newCache();
    const { error } = await failure(cacheDir);
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(new RegExp(`gave more than the ${model.safetensors.length} bytes the Hub announced`));
    expect(await temporaries(cacheDir)).toEqual([]);
  });

  it("refuses download headers whose size disagrees with the listing, before writing a byte", async () => {
    server.fail({ path: WEIGHTS, action: { declaredSize: HUGE }, times: Infinity });
    const before = server.requests.length;
    const cacheDir = newCache();
    const { error } = await failure(cacheDir);
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(
      new RegExp(`malformed response from http:\\S+${WEIGHTS.source}: it announces ${HUGE} bytes where the file list says ${model.safetensors.length}`),
    );
    const fullGets = server.requests.slice(before).filter((r) => WEIGHTS.test(r.url) && r.method === "GET" && !r.headers.range);
    expect(fullGets).toEqual([]);
    expect(await temporaries(cacheDir)).toEqual([]);
  });

  it("checks free disk space before writing a file of known size", async () => {
    const siblings = Object.entries(files).map(([rfilename, content]) => ({ rfilename, size: rfilename === "model.safetensors" ? HUGE : Buffer.byteLength(content) }));
    const listing = JSON.stringify({ id: "org/m2v", sha: server.head("org/m2v"), siblings });
    server.fail({ path: REVISION, action: { status: 200, body: listing, headers: { "Content-Type": "application/json" } }, times: Infinity });
    server.fail({ path: WEIGHTS, action: { declaredSize: HUGE }, times: Infinity });
    const cacheDir = newCache();
    const { error } = await failure(cacheDir);
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(new RegExp(`Not enough disk space for "model\\.safetensors" of org/m2v: it needs ${HUGE} bytes and .*blobs has \\d+ free`));
    expect(await temporaries(cacheDir)).toEqual([]);
  });
});

describe("malformed responses say so", () => {
  it("a truncated revision JSON", async () => {
    server.fail({ path: REVISION, action: "wrong-length", times: Infinity });
    const { error } = await failure();
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/^malformed response from http:\S+\/api\/models\/org\/m2v\/revision\/main: .*JSON/);
  });

  it("a revision JSON of the wrong shape", async () => {
    server.fail({ path: REVISION, action: { status: 200, body: '{"sha": 5, "siblings": {}}', headers: { "Content-Type": "application/json" } }, times: Infinity });
    const { error } = await failure();
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(/^malformed response from http:\S+\/revision\/main: no commit hash or file list/);
  });

  it("a file answer without an ETag", async () => {
    server.fail({ path: WEIGHTS, action: { status: 206, body: "x", headers: { "Content-Range": `bytes 0-0/${model.safetensors.length}` } }, times: Infinity });
    const { error } = await failure();
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(new RegExp(`^malformed response from http:\\S+${WEIGHTS.source}: Expected ETag`));
    expect(error.message).not.toContain("Could not reach the Hub");
  });
});

describe("temporary files", () => {
  it("removes .m2v-tmp files older than an hour on the next download, and keeps fresh ones", async () => {
    const cacheDir = newCache();
    await mkdir(blobsOf(cacheDir), { recursive: true });
    const stale = join(blobsOf(cacheDir), `${weightsSha}.1234-aaaaaaaaaaaa.m2v-tmp`);
    const fresh = join(blobsOf(cacheDir), `${weightsSha}.1234-bbbbbbbbbbbb.m2v-tmp`);
    await writeFile(stale, "left by a killed process");
    await writeFile(fresh, "being written by another process");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await StaticModel.fromPretrained("org/m2v", { cacheDir });
    expect(await temporaries(cacheDir)).toEqual([`${weightsSha}.1234-bbbbbbbbbbbb.m2v-tmp`]);
  });

  /**
   * Starts a child process that loads org/m2v while the weights drip, waits until its temporary
   * file exists, sends `signal`, and returns how it ended and what is left in the blobs folder.
   */
  async function interruptDownload(signal: NodeJS.Signals, ownHandler: boolean) {
    const cacheDir = newCache();
    server.fail({ path: WEIGHTS, method: "GET", action: { drip: 50 }, times: Infinity });
    const handler = ownHandler ? `process.on(${JSON.stringify(signal)}, () => { console.log("own handler"); process.exit(7); });` : "";
    const script = `${handler} import("./src/index.ts").then(({ StaticModel }) => StaticModel.fromPretrained("org/m2v", { cacheDir: ${JSON.stringify(cacheDir)} }));`;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: ROOT,
      env: { ...process.env, HF_HUB_DOWNLOAD_TIMEOUT: "60" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, sig) => resolve({ code, signal: sig })));
    for (let waited = 0; (await temporaries(cacheDir)).length === 0; waited += 50) {
      if (waited > 30_000 || child.exitCode !== null) throw new Error(`no temporary file appeared: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill(signal);
    const end = await ended;
    return { ...end, output, left: await temporaries(cacheDir) };
  }

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} mid-download removes the temporary file, then the process dies of ${signal} as it would`, async () => {
      const end = await interruptDownload(signal, false);
      expect(end.left).toEqual([]);
      expect(end).toMatchObject({ code: null, signal });
    });
  }

  it("SIGTERM with the application's own handler removes the file and leaves the exit to that handler", async () => {
    const end = await interruptDownload("SIGTERM", true);
    expect(end.left).toEqual([]);
    expect(end.code).toBe(7);
    expect(end.output).toContain("own handler");
  });
});
