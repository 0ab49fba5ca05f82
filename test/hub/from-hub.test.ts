import { spawn } from "node:child_process";
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HubError, InvalidInputError, StaticModel } from "../../src/index.js";
import { type HubServer, startHubServer } from "../fixtures/hub-server.js";
import { type GeneratedModel, generateModel } from "../fixtures/models.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

const TEXTS = ["hello world", "the quick brown fox"];
let server: HubServer;
let scratch: string;
let cacheCounter = 0;
/** A fresh, empty cache folder. */
const newCache = () => join(scratch, `cache-${cacheCounter++}`);

const modelA = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 1 });
const modelB = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, seed: 2 });
const expectedA = StaticModel.fromBuffers({ model: modelA.safetensors, tokenizer: modelA.tokenizerJson, config: modelA.config }).encode(TEXTS).data;
const expectedB = StaticModel.fromBuffers({ model: modelB.safetensors, tokenizer: modelB.tokenizerJson, config: modelB.config }).encode(TEXTS).data;

/** model2vec layout files, optionally under a prefix. */
function m2vFiles(model: GeneratedModel, prefix = ""): Record<string, Uint8Array | string> {
  return {
    [`${prefix}config.json`]: JSON.stringify(model.config),
    [`${prefix}model.safetensors`]: model.safetensors,
    [`${prefix}tokenizer.json`]: model.tokenizerJson,
    [`${prefix}README.md`]: "---\nbase_model: org/teacher\n---\n",
  };
}

const savedEnv = { ...process.env };
beforeAll(async () => {
  server = await startHubServer({ token: "hf_test_secret_token" });
  scratch = await mkdtemp(join(tmpdir(), "m2v-hub-"));
  process.env.HF_ENDPOINT = server.url;
  delete process.env.HF_TOKEN;
  delete process.env.HF_HUB_OFFLINE;
  process.env.HF_HOME = join(scratch, "hf-home"); // no stray token file from the machine
  process.env.HF_HUB_DOWNLOAD_TIMEOUT = "2";
  server.addCommit("org/m2v", m2vFiles(modelA), { tags: ["v1"] });
  server.addCommit("org/m2v", { ...m2vFiles(modelB), "extra/big.bin": new Uint8Array(50_000) });
  server.addCommit("org/private", m2vFiles(modelA), { private: true });
  server.addCommit("org/gated", m2vFiles(modelA), { gated: true });
  server.addCommit("org/nested", m2vFiles(modelA, "inner/"));
  server.addCommit("org/st", {
    "config_sentence_transformers.json": JSON.stringify({ normalize: true }),
    "model.safetensors": modelA.safetensors,
    "tokenizer.json": modelA.tokenizerJson,
  });
  server.addCommit("org/st-nested", {
    "config_sentence_transformers.json": JSON.stringify({ normalize: true }),
    "modules.json": "[]",
    "0_StaticEmbedding/model.safetensors": modelA.safetensors,
    "0_StaticEmbedding/tokenizer.json": modelA.tokenizerJson,
  });
});
afterEach(() => {
  delete process.env.HF_HUB_OFFLINE;
  delete process.env.HF_TOKEN;
});
afterAll(async () => {
  process.env = savedEnv;
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

const downloads = (repo: string) => server.requests.filter((r) => r.method === "GET" && r.url.startsWith(`/${repo}/resolve/`)).map((r) => r.url);

describe("fromPretrained by Hub id", () => {
  it("downloads only the layout's files into Python's cache layout", async () => {
    const cacheDir = newCache();
    const before = server.requests.length;
    const progress: number[] = [];
    const model = await StaticModel.fromPretrained("org/m2v", { cacheDir, onProgress: (p) => progress.push(p.total) });
    expect(model.encode(TEXTS).data).toEqual(expectedB);
    expect(model.baseModelName).toBe("org/teacher");
    const fetched = server.requests.slice(before).map((r) => r.url).join("\n");
    expect(fetched).not.toContain("big.bin");
    expect(progress).toContain(modelB.safetensors.length);

    const repoFolder = join(cacheDir, "models--org--m2v");
    const commit = (await readFile(join(repoFolder, "refs", "main"), "utf8")).trim();
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const link = join(repoFolder, "snapshots", commit, "model.safetensors");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    const sha256 = (await import("node:crypto")).createHash("sha256").update(modelB.safetensors).digest("hex");
    expect(await readlink(link)).toBe(join("..", "..", "blobs", sha256));
    expect((await readdir(join(repoFolder, "blobs"))).sort()).toHaveLength(4);
    expect((await readdir(join(repoFolder, "blobs"))).some((name) => name.includes("tmp"))).toBe(false);
  });

  it("loads a pinned revision by tag or commit", async () => {
    const cacheDir = newCache();
    expect((await StaticModel.fromPretrained("org/m2v", { cacheDir, revision: "v1" })).encode(TEXTS).data).toEqual(expectedA);
    const commit = (await readFile(join(cacheDir, "models--org--m2v", "refs", "v1"), "utf8")).trim();
    expect((await StaticModel.fromPretrained("org/m2v", { cacheDir, revision: commit })).encode(TEXTS).data).toEqual(expectedA);
  });

  it("loads from a subfolder and from each Sentence-Transformers layout", async () => {
    const cacheDir = newCache();
    expect((await StaticModel.fromPretrained("org/nested", { cacheDir, subfolder: "inner" })).encode(TEXTS).data).toEqual(expectedA);
    for (const repo of ["org/st", "org/st-nested"]) {
      const model = await StaticModel.fromPretrained(repo, { cacheDir });
      expect(model.normalize).toBe(true);
      expect(model.encode(TEXTS).data).toEqual(expectedA);
    }
    expect(downloads("org/st-nested").join("\n")).not.toContain("modules.json");
  });

  it("uses the cache without a request once a revision is downloaded, and re-downloads on forceDownload", async () => {
    const cacheDir = newCache();
    await StaticModel.fromPretrained("org/m2v", { cacheDir });
    const before = downloads("org/m2v").length;
    await StaticModel.fromPretrained("org/m2v", { cacheDir });
    expect(downloads("org/m2v").length).toBe(before);
    await StaticModel.fromPretrained("org/m2v", { cacheDir, forceDownload: true });
    expect(downloads("org/m2v").length).toBeGreaterThan(before);
  });
});

describe("offline", () => {
  it("loads a cached model with HF_HUB_OFFLINE=1 or localFilesOnly, with no request", async () => {
    const cacheDir = newCache();
    await StaticModel.fromPretrained("org/m2v", { cacheDir });
    const before = server.requests.length;
    process.env.HF_HUB_OFFLINE = "1";
    expect((await StaticModel.fromPretrained("org/m2v", { cacheDir })).encode(TEXTS).data).toEqual(expectedB);
    delete process.env.HF_HUB_OFFLINE;
    expect((await StaticModel.fromPretrained("org/m2v", { cacheDir, localFilesOnly: true })).encode(TEXTS).data).toEqual(expectedB);
    expect(server.requests.length).toBe(before);
  });

  it("says the model is not cached when offline without it", async () => {
    process.env.HF_HUB_OFFLINE = "1";
    const error = await StaticModel.fromPretrained("org/m2v", { cacheDir: newCache() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as Error).message).toMatch(/org\/m2v at revision "main" is not in the cache .* HF_HUB_OFFLINE is set/);
  });

  it("falls back to the cache when the Hub cannot be reached, and says what to do when nothing is cached", async () => {
    const cacheDir = newCache();
    await StaticModel.fromPretrained("org/m2v", { cacheDir });
    process.env.HF_ENDPOINT = "http://127.0.0.1:9"; // discard port: connection refused
    try {
      expect((await StaticModel.fromPretrained("org/m2v", { cacheDir })).encode(TEXTS).data).toEqual(expectedB);
      await expect(StaticModel.fromPretrained("org/m2v", { cacheDir: newCache() })).rejects.toThrow(
        /Could not reach the Hub at http:\/\/127\.0\.0\.1:9 .*Check your connection, or use offline mode/,
      );
    } finally {
      process.env.HF_ENDPOINT = server.url;
    }
  });

  it("finds a model laid out by Python's huggingface_hub", async () => {
    // What Python writes: blobs named by ETag, refs/main, snapshot links to ../../blobs.
    const cacheDir = newCache();
    const { mkdir, symlink, writeFile } = await import("node:fs/promises");
    const repoFolder = join(cacheDir, "models--minishlab--potion-test");
    const commit = "0123456789abcdef0123456789abcdef01234567";
    await mkdir(join(repoFolder, "blobs"), { recursive: true });
    await mkdir(join(repoFolder, "refs"), { recursive: true });
    await mkdir(join(repoFolder, "snapshots", commit), { recursive: true });
    await writeFile(join(repoFolder, "refs", "main"), commit);
    for (const [name, content] of Object.entries(m2vFiles(modelA))) {
      const etag = (await import("node:crypto")).createHash("sha256").update(content).digest("hex");
      await writeFile(join(repoFolder, "blobs", etag), content);
      await symlink(join("..", "..", "blobs", etag), join(repoFolder, "snapshots", commit, name));
    }
    const model = await StaticModel.fromPretrained("minishlab/potion-test", { cacheDir, localFilesOnly: true });
    expect(model.encode(TEXTS).data).toEqual(expectedA);
  });
});

describe("authentication and errors", () => {
  it("sends HF_TOKEN or the token option as a Bearer header", async () => {
    process.env.HF_TOKEN = server.token;
    expect((await StaticModel.fromPretrained("org/private", { cacheDir: newCache() })).encode(TEXTS).data).toEqual(expectedA);
    delete process.env.HF_TOKEN;
    expect((await StaticModel.fromPretrained("org/private", { cacheDir: newCache(), token: server.token })).encode(TEXTS).data).toEqual(expectedA);
    const authorized = server.requests.filter((r) => r.url.startsWith("/org/private/resolve/"));
    expect(authorized.length).toBeGreaterThan(0);
    expect(authorized.every((r) => r.headers.authorization === `Bearer ${server.token}`)).toBe(true);
  });

  it("answers 401 and 403 with what to do, never echoing the token", async () => {
    const missing = await StaticModel.fromPretrained("org/private", { cacheDir: newCache() }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HubError);
    expect((missing as HubError).status).toBe(401);
    expect((missing as Error).message).toMatch(/private or gated: pass a token/);
    const wrong = await StaticModel.fromPretrained("org/private", { cacheDir: newCache(), token: "hf_wrong_secret" }).catch((e: unknown) => e);
    expect((wrong as Error).message).toMatch(/the token given has no access/);
    expect((wrong as Error).message).not.toContain("hf_wrong_secret");
    const gated = await StaticModel.fromPretrained("org/gated", { cacheDir: newCache() }).catch((e: unknown) => e);
    expect((gated as HubError).status).toBe(403);
    expect((gated as Error).message).toMatch(/restricted \(gated or private\)/);
  });

  it("answers 404 naming the repo or the revision", async () => {
    await expect(StaticModel.fromPretrained("org/nope", { cacheDir: newCache() })).rejects.toThrow("Model org/nope was not found on the Hub.");
    await expect(StaticModel.fromPretrained("org/m2v", { cacheDir: newCache(), revision: "nope" })).rejects.toThrow(
      'Revision "nope" of org/m2v was not found.',
    );
  });

  it("says which layouts it looked for when the repository holds no model", async () => {
    server.addCommit("org/empty", { "README.md": "# nothing" });
    await expect(StaticModel.fromPretrained("org/empty", { cacheDir: newCache() })).rejects.toThrow(/Tried these layouts/);
  });

  it("retries a 500 and succeeds", async () => {
    server.fail({ path: /\/api\/models\/org\/m2v\/revision\//, action: { status: 500 }, times: 1 });
    server.fail({ path: /\/org\/m2v\/resolve\/.*model\.safetensors/, action: { status: 503 }, times: 1 });
    expect((await StaticModel.fromPretrained("org/m2v", { cacheDir: newCache() })).encode(TEXTS).data).toEqual(expectedB);
  });

  it("rejects ids, revisions and subfolders that would escape the cache", async () => {
    for (const id of ["../evil", "org/../../x", "/abs/x", "org/na..me", "a/b/c"]) {
      await expect(StaticModel.fromPretrained(id, { cacheDir: newCache() }), id).rejects.toThrow(InvalidInputError);
    }
    for (const revision of ["../../etc", "/abs", "a/../b", "a\\b"]) {
      await expect(StaticModel.fromPretrained("org/m2v", { cacheDir: newCache(), revision }), revision).rejects.toThrow(InvalidInputError);
    }
    await expect(StaticModel.fromPretrained("org/m2v", { cacheDir: newCache(), subfolder: "../x" })).rejects.toThrow(InvalidInputError);
  });

  it("refuses a commit hash or ETag from the server that is not a plain name", async () => {
    server.fail({
      path: /\/api\/models\/org\/m2v\/revision\//,
      action: { status: 200, body: JSON.stringify({ sha: "../../../tmp/x", siblings: [] }), headers: { "Content-Type": "application/json" } },
    });
    await expect(StaticModel.fromPretrained("org/m2v", { cacheDir: newCache() })).rejects.toThrow(/no commit hash/);
  });
});

describe("downloads never leave a file a later load would trust", () => {
  for (const action of ["cut", "wrong-length", "wrong-content"] as const) {
    it(`${action}: fails after retries, keeps nothing, then a clean download works`, async () => {
      const cacheDir = newCache();
      server.fail({ path: /\/org\/m2v\/resolve\/[^/]+\/model\.safetensors/, method: "GET", action, times: 20 });
      const error = await StaticModel.fromPretrained("org/m2v", { cacheDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HubError);
      expect((error as Error).message).toMatch(action === "wrong-content" ? /does not match its checksum/ : /interrupted|announced/);
      const repoFolder = join(cacheDir, "models--org--m2v");
      const sha256 = (await import("node:crypto")).createHash("sha256").update(modelB.safetensors).digest("hex");
      await expect(stat(join(repoFolder, "blobs", sha256))).rejects.toThrow();
      expect((await readdir(join(repoFolder, "blobs"))).filter((name) => name.includes("tmp"))).toEqual([]);
      const commit = (await readFile(join(repoFolder, "refs", "main"), "utf8")).trim();
      await expect(stat(join(repoFolder, "snapshots", commit, "model.safetensors"))).rejects.toThrow();
      server.clearFailures();
      expect((await StaticModel.fromPretrained("org/m2v", { cacheDir })).encode(TEXTS).data).toEqual(expectedB);
    });
  }

  it("gives up on a server that stops answering", async () => {
    server.fail({ path: /\/api\/models\/org\/m2v\/revision\//, action: "hang", times: 5 });
    await expect(StaticModel.fromPretrained("org/m2v", { cacheDir: newCache() })).rejects.toThrow(/Could not reach the Hub|no response/);
  });

  it("two processes loading the same model into one cache both succeed", async () => {
    const cacheDir = newCache();
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const script = `import { StaticModel } from "./src/index.ts"; const m = await StaticModel.fromPretrained("org/m2v", { cacheDir: ${JSON.stringify(cacheDir)} }); console.log(JSON.stringify(Array.from(m.encode(${JSON.stringify(TEXTS)}).data)));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, env: process.env });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(JSON.parse(a)).toEqual(Array.from(expectedB));
    expect(JSON.parse(b)).toEqual(Array.from(expectedB));
    const blobs = await readdir(join(cacheDir, "models--org--m2v", "blobs"));
    expect(blobs.filter((name) => name.includes("tmp"))).toEqual([]);
    expect(blobs).toHaveLength(4);
  });
});

describe("pushToHub", () => {
  it("creates the repository and uploads the saved files intact", async () => {
    const model = StaticModel.fromBuffers({ model: modelA.safetensors, tokenizer: modelA.tokenizerJson, config: modelA.config });
    const url = await model.pushToHub("me/pushed", { token: server.token, commitMessage: "first" });
    expect(url).toBe(`${server.url}/me/pushed`);
    const received = server.files("me/pushed");
    const expected = model.toFiles({ modelName: "me/pushed" });
    expect([...received.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) expect(Buffer.from(received.get(name)!).equals(Buffer.from(content)), name).toBe(true);
    // And it loads back by id.
    const reloaded = await StaticModel.fromPretrained("me/pushed", { cacheDir: newCache(), token: server.token });
    expect(reloaded.encode(TEXTS).data).toEqual(expectedA);
  });

  it("pushes into a subfolder of an existing repository and needs a token", async () => {
    const model = StaticModel.fromBuffers({ model: modelA.safetensors, tokenizer: modelA.tokenizerJson, config: modelA.config });
    await model.pushToHub("me/pushed", { token: server.token, subfolder: "v2" });
    expect(server.files("me/pushed").has("v2/model.safetensors")).toBe(true);
    expect(server.files("me/pushed").has("model.safetensors")).toBe(true);
    await expect(model.pushToHub("me/other")).rejects.toThrow(/needs a write token/);
  });
});
