/**
 * The fake Hub (test/fixtures/hub-server.ts) checked against the real `@huggingface/hub` client
 * and plain fetch, so other Hub tests can trust it.
 */
import { createHash } from "node:crypto";
import {
  HubApiError,
  checkRepoAccess,
  createRepo,
  downloadFile,
  fileDownloadInfo,
  listFiles,
  modelInfo,
  pathsInfo,
  repoExists,
  uploadFiles,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubServer, startHubServer } from "../fixtures/hub-server.js";

const enc = new TextEncoder();
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const gitSha1 = (data: Uint8Array) => createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");
const lfsPointer = (data: Uint8Array) =>
  enc.encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(data)}\nsize ${data.length}\n`);
const equalBytes = (a: Uint8Array | ArrayBuffer, b: Uint8Array) => Buffer.from(a instanceof ArrayBuffer ? new Uint8Array(a) : a).equals(b);

/** Deterministic pseudo-random bytes. */
function bytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const config = enc.encode(JSON.stringify({ model_type: "model2vec", hidden_dim: 8, normalize: true }));
const weightsV1 = bytes(4_000, 1); // small, but .safetensors: LFS
const weightsV2 = bytes(30_000, 2);
const tokenizer = enc.encode(JSON.stringify({ vocab: Array.from({ length: 2_000 }, (_, i) => `tok${i}`) })); // > 10 KB: LFS
const readme = enc.encode("# A model\n");
const nestedA = enc.encode("a");
const nestedB = enc.encode("bb");

let server: HubServer;
let c1: string;
let c2: string;
let cDev: string;
const hub = () => ({ hubUrl: server.url });
const url = (path: string) => `${server.url}${path}`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  server = await startHubServer();
  c1 = server.addCommit("org/model", { "config.json": config, "model.safetensors": weightsV1, "README.md": readme }, { tags: ["v1"], title: "first" });
  c2 = server.addCommit(
    "org/model",
    {
      "config.json": config,
      "model.safetensors": weightsV2,
      "tokenizer.json": tokenizer,
      "README.md": readme,
      "sub/dir/a.txt": nestedA,
      "sub/b.txt": nestedB,
    },
    { title: "second" },
  );
  cDev = server.addCommit("org/model", [{ path: "config.json", content: enc.encode("{}") }], { branch: "feature/x" });
  server.addCommit("org/private", { "config.json": config, "model.safetensors": weightsV1 }, { private: true });
  server.addCommit("org/gated", { "config.json": config, "model.safetensors": weightsV1 }, { gated: true });
});
afterAll(async () => {
  await server.close();
});

describe("addCommit", () => {
  it("returns distinct 40-hex shas and moves the branch head", () => {
    for (const sha of [c1, c2, cDev]) expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set([c1, c2, cDev]).size).toBe(3);
    expect(server.head("org/model")).toBe(c2);
    expect(server.head("org/model", "feature/x")).toBe(cDev);
    expect([...server.files("org/model", "feature/x").keys()]).toEqual(["config.json"]);
    expect(() => server.files("org/model", "nope")).toThrow(/No commit/);
    expect(() => server.addCommit("no-namespace", {})).toThrow(TypeError);
  });
});

describe("downloads through @huggingface/hub", () => {
  it("fileDownloadInfo: size from Content-Range and the sha256 ETag of an LFS file", async () => {
    const before = server.requests.length;
    const info = await fileDownloadInfo({ repo: "org/model", path: "model.safetensors", ...hub() });
    expect(info).toEqual({
      size: 30_000,
      etag: `"${sha256(weightsV2)}"`, // the lib keeps the quotes
      xet: undefined,
      url: url("/org/model/resolve/main/model.safetensors"),
    });
    const [request] = server.requests.slice(before);
    expect(request).toMatchObject({ method: "GET", url: "/org/model/resolve/main/model.safetensors" });
    expect(request?.headers.range).toBe("bytes=0-0");
    expect(request?.headers.accept).toBe("application/vnd.xet-fileinfo+json, */*");
  });

  it("fileDownloadInfo: git blob sha1 ETag of a regular file, revisions, and null for a missing file", async () => {
    const info = await fileDownloadInfo({ repo: "org/model", path: "config.json", ...hub() });
    expect(info?.size).toBe(config.length);
    expect(info?.etag).toBe(`"${gitSha1(config)}"`);
    expect((await fileDownloadInfo({ repo: "org/model", path: "model.safetensors", revision: "v1", ...hub() }))?.size).toBe(4_000);
    expect((await fileDownloadInfo({ repo: "org/model", path: "model.safetensors", revision: c1, ...hub() }))?.etag).toBe(`"${sha256(weightsV1)}"`);
    expect((await fileDownloadInfo({ repo: "org/model", path: "config.json", revision: "feature/x", ...hub() }))?.size).toBe(2);
    expect(await fileDownloadInfo({ repo: "org/model", path: "nope.bin", ...hub() })).toBeNull();
    await expect(fileDownloadInfo({ repo: "org/model", path: "config.json", revision: "nope", ...hub() })).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("downloadFile: the whole content, a slice, and an old revision", async () => {
    const blob = await downloadFile({ repo: "org/model", path: "model.safetensors", ...hub() });
    expect(blob?.size).toBe(30_000);
    expect(equalBytes(await blob!.arrayBuffer(), weightsV2)).toBe(true);
    expect(equalBytes(await blob!.slice(100, 1_100).arrayBuffer(), weightsV2.subarray(100, 1_100))).toBe(true);
    const small = await downloadFile({ repo: "org/model", path: "config.json", ...hub() });
    expect(await small!.text()).toBe(new TextDecoder().decode(config));
    const old = await downloadFile({ repo: "org/model", path: "model.safetensors", revision: "v1", ...hub() });
    expect(equalBytes(await old!.arrayBuffer(), weightsV1)).toBe(true);
    const nested = await downloadFile({ repo: "org/model", path: "sub/dir/a.txt", ...hub() });
    expect(await nested!.text()).toBe("a");
  });
});

describe("listing", () => {
  it("listFiles: top level with LFS metadata, recursive, and a sub folder", async () => {
    const top = [];
    for await (const entry of listFiles({ repo: "org/model", ...hub() })) top.push(entry);
    expect(top.map((e) => [e.path, e.type])).toEqual([
      ["README.md", "file"],
      ["config.json", "file"],
      ["model.safetensors", "file"],
      ["sub", "directory"],
      ["tokenizer.json", "file"],
    ]);
    expect(top.find((e) => e.path === "model.safetensors")).toEqual({
      type: "file",
      path: "model.safetensors",
      size: 30_000,
      oid: gitSha1(lfsPointer(weightsV2)),
      lfs: { oid: sha256(weightsV2), size: 30_000, pointerSize: lfsPointer(weightsV2).length },
    });
    expect(top.find((e) => e.path === "config.json")).toEqual({ type: "file", path: "config.json", size: config.length, oid: gitSha1(config) });

    const all = [];
    for await (const entry of listFiles({ repo: "org/model", recursive: true, ...hub() })) all.push(entry.path);
    expect(all).toEqual(["README.md", "config.json", "model.safetensors", "sub", "sub/b.txt", "sub/dir", "sub/dir/a.txt", "tokenizer.json"]);

    const sub = [];
    for await (const entry of listFiles({ repo: "org/model", path: "sub", revision: c2, ...hub() })) sub.push([entry.path, entry.type, entry.size]);
    expect(sub).toEqual([
      ["sub/b.txt", "file", 2],
      ["sub/dir", "directory", 0],
    ]);

    const v1 = [];
    for await (const entry of listFiles({ repo: "org/model", revision: "v1", ...hub() })) v1.push(entry.path);
    expect(v1).toEqual(["README.md", "config.json", "model.safetensors"]);
  });

  it("listFiles: expand gives the last commit that touched each entry", async () => {
    const entries = new Map<string, string | undefined>();
    for await (const entry of listFiles({ repo: "org/model", expand: true, ...hub() })) entries.set(entry.path, entry.lastCommit?.id);
    expect(entries.get("config.json")).toBe(c1);
    expect(entries.get("model.safetensors")).toBe(c2);
    expect(entries.get("sub")).toBe(c2);
  });

  it("listFiles follows the Link header across pages", async () => {
    const paged = await startHubServer({ treePageSize: 2 });
    try {
      paged.addCommit("org/many", { a: "1", b: "2", c: "3", "d/e": "4", f: "5" });
      const paths = [];
      for await (const entry of listFiles({ repo: "org/many", recursive: true, hubUrl: paged.url })) paths.push(entry.path);
      expect(paths).toEqual(["a", "b", "c", "d", "d/e", "f"]);
      expect(paged.requests.map((r) => r.url)).toEqual([
        "/api/models/org/many/tree/main?recursive=true&expand=false",
        "/api/models/org/many/tree/main?recursive=true&expand=false&cursor=2",
        "/api/models/org/many/tree/main?recursive=true&expand=false&cursor=4",
      ]);
    } finally {
      await paged.close();
    }
  });

  it("pathsInfo: files, folders, LFS info; missing paths are left out", async () => {
    const infos = await pathsInfo({ repo: "org/model", paths: ["config.json", "model.safetensors", "sub", "missing"], ...hub() });
    expect(infos.map((i) => [i.path, i.type, i.size])).toEqual([
      ["config.json", "file", config.length],
      ["model.safetensors", "file", 30_000],
      ["sub", "directory", 0],
    ]);
    expect(infos[0]?.oid).toBe(gitSha1(config));
    expect(infos[0]?.lfs).toBeUndefined();
    expect(infos[1]?.lfs).toEqual({ oid: sha256(weightsV2), size: 30_000, pointerSize: lfsPointer(weightsV2).length });
    const expanded = await pathsInfo({ repo: "org/model", paths: ["config.json"], revision: "v1", expand: true, ...hub() });
    expect(expanded[0]?.lastCommit?.id).toBe(c1);
    expect(expanded[0]?.lastCommit?.title).toBe("first");
    expect(expanded[0]?.lastCommit?.date).toBeInstanceOf(Date);
  });
});

describe("the revision endpoint", () => {
  const info = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url(path), { headers });
    return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
  };

  it("resolves a branch, a tag, a commit sha, an encoded branch name and HEAD", async () => {
    const main = await info("/api/models/org/model/revision/main");
    expect(main.status).toBe(200);
    expect(main.json).toMatchObject({ id: "org/model", modelId: "org/model", author: "org", sha: c2, private: false, gated: false, disabled: false });
    expect(main.json.siblings).toEqual(
      ["README.md", "config.json", "model.safetensors", "sub/b.txt", "sub/dir/a.txt", "tokenizer.json"].map((rfilename) => ({ rfilename })),
    );
    expect(main.json.lastModified).toEqual(expect.any(String));
    expect((await info("/api/models/org/model/revision/v1")).json).toMatchObject({
      sha: c1,
      siblings: [{ rfilename: "README.md" }, { rfilename: "config.json" }, { rfilename: "model.safetensors" }],
    });
    expect((await info(`/api/models/org/model/revision/${c1}`)).json.sha).toBe(c1);
    expect((await info("/api/models/org/model/revision/feature%2Fx")).json.sha).toBe(cDev);
    expect((await info("/api/models/org/model/revision/HEAD")).json.sha).toBe(c2);
    expect((await info("/api/models/org/model")).json.sha).toBe(c2);
  });

  it("lists blob metadata with blobs=true and honours expand", async () => {
    const { json } = await info("/api/models/org/model/revision/main?blobs=true");
    const siblings = json.siblings as Record<string, unknown>[];
    expect(siblings.find((s) => s.rfilename === "model.safetensors")).toEqual({
      rfilename: "model.safetensors",
      blobId: gitSha1(lfsPointer(weightsV2)),
      size: 30_000,
      lfs: { sha256: sha256(weightsV2), size: 30_000, pointerSize: lfsPointer(weightsV2).length },
    });
    expect(siblings.find((s) => s.rfilename === "config.json")).toEqual({ rfilename: "config.json", blobId: gitSha1(config), size: config.length });
    const picked = await info("/api/models/org/model?expand[]=likes&expand[]=sha");
    expect(Object.keys(picked.json).sort()).toEqual(["_id", "id", "likes", "sha"]);
  });

  it("works with modelInfo, repoExists and checkRepoAccess", async () => {
    const before = server.requests.length;
    const model = await modelInfo({ name: "org/model", ...hub() });
    expect(model).toMatchObject({ name: "org/model", private: false, gated: false, downloads: 0, likes: 0 });
    expect(model.updatedAt).toBeInstanceOf(Date);
    expect(server.requests[before]?.url).toMatch(/^\/api\/models\/org\/model\/revision\/HEAD\?expand=pipeline_tag&/);
    const withFiles = await modelInfo({ name: "org/model", revision: "v1", additionalFields: ["filePaths"], ...hub() });
    expect(withFiles.filePaths).toEqual(["README.md", "config.json", "model.safetensors"]);
    expect(await repoExists({ repo: "org/model", ...hub() })).toBe(true);
    expect(await repoExists({ repo: "org/nope", ...hub() })).toBe(false);
    expect(await repoExists({ repo: "org/private", ...hub() })).toBe(false);
    expect(await repoExists({ repo: "org/private", accessToken: server.token, ...hub() })).toBe(true);
    await expect(checkRepoAccess({ repo: "org/model", ...hub() })).resolves.toBeUndefined();
    await expect(checkRepoAccess({ repo: "org/private", ...hub() })).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe("errors and authorization", () => {
  const probe = async (path: string, token?: string, method = "GET") => {
    const response = await fetch(url(path), { method, headers: token ? bearer(token) : {} });
    const text = method === "HEAD" ? "" : await response.text();
    return { status: response.status, code: response.headers.get("x-error-code"), commit: response.headers.get("x-repo-commit"), text };
  };

  it("unknown repo, revision and file", async () => {
    expect(await probe("/api/models/org/nope/revision/main")).toEqual({ status: 404, code: "RepoNotFound", commit: null, text: '{"error":"Repository not found"}' });
    expect((await probe("/org/nope/resolve/main/config.json")).code).toBe("RepoNotFound");
    expect(await probe("/api/models/org/model/revision/nope")).toMatchObject({ status: 404, code: "RevisionNotFound", text: '{"error":"Invalid rev id: nope"}' });
    expect(await probe("/org/model/resolve/nope/config.json")).toMatchObject({ status: 404, code: "RevisionNotFound" });
    // Like the Hub, a missing entry still names the resolved commit.
    expect(await probe("/org/model/resolve/v1/tokenizer.json")).toEqual({ status: 404, code: "EntryNotFound", commit: c1, text: '{"error":"Entry not found"}' });
    expect(await probe("/org/model/resolve/main/nope", undefined, "HEAD")).toMatchObject({ status: 404, code: "EntryNotFound", commit: c2 });
    expect((await probe("/api/models/org/model/tree/main/nope")).code).toBe("EntryNotFound");
    expect((await probe("/not/a/hub/endpoint/at/all")).status).toBe(404);
  });

  it("private repos: 401 without the token, content with it, and the header is recorded", async () => {
    expect(await probe("/api/models/org/private/revision/main")).toMatchObject({ status: 401, code: "RepoNotFound" });
    expect(await probe("/org/private/resolve/main/config.json")).toMatchObject({ status: 401, code: "RepoNotFound" });
    expect(await probe("/org/private/resolve/main/config.json", server.guestToken)).toMatchObject({ status: 401, code: "RepoNotFound" });
    expect((await probe("/api/models/org/private/tree/main")).status).toBe(401);

    await expect(fileDownloadInfo({ repo: "org/private", path: "config.json", ...hub() })).rejects.toBeInstanceOf(HubApiError);
    await expect(fileDownloadInfo({ repo: "org/private", path: "config.json", ...hub() })).rejects.toMatchObject({
      statusCode: 401,
      message: expect.stringContaining("Repository not found"),
    });
    const before = server.requests.length;
    const blob = await downloadFile({ repo: "org/private", path: "model.safetensors", accessToken: server.token, ...hub() });
    expect(equalBytes(await blob!.arrayBuffer(), weightsV1)).toBe(true);
    const sent = server.requests.slice(before);
    expect(sent.map((r) => [r.method, r.url])).toEqual([
      ["GET", "/org/private/resolve/main/model.safetensors"],
      ["GET", "/org/private/resolve/main/model.safetensors"],
    ]);
    expect(sent.map((r) => r.headers.authorization)).toEqual([`Bearer ${server.token}`, `Bearer ${server.token}`]);
    expect((await modelInfo({ name: "org/private", accessToken: server.token, ...hub() })).private).toBe(true);
  });

  it("gated repos: metadata is public, files answer 403 GatedRepo without access", async () => {
    expect((await probe("/api/models/org/gated/revision/main")).status).toBe(200);
    expect((await modelInfo({ name: "org/gated", ...hub() })).gated).toBe("auto");
    expect((await probe("/api/models/org/gated/tree/main")).status).toBe(200);
    expect(await probe("/org/gated/resolve/main/config.json")).toMatchObject({ status: 403, code: "GatedRepo" });
    expect(await probe("/org/gated/resolve/main/config.json", server.guestToken)).toMatchObject({ status: 403, code: "GatedRepo" });
    expect(await probe("/org/gated/resolve/main/config.json", server.token)).toMatchObject({ status: 200, code: null });
  });

  it("an unknown token is rejected everywhere, public repos included", async () => {
    const bad = await probe("/org/model/resolve/main/config.json", "hf_not_a_real_token");
    expect(bad).toMatchObject({ status: 401, code: null, text: '{"error":"Invalid credentials in Authorization header"}' });
    expect((await probe("/org/model/resolve/main/config.json", server.guestToken)).status).toBe(200);
    expect(server.requests.at(-2)?.headers.authorization).toBe("Bearer hf_not_a_real_token");
  });

  it("realisticAuthErrors answers like huggingface.co", async () => {
    const real = await startHubServer({ realisticAuthErrors: true });
    try {
      real.addCommit("org/private", { a: "1" }, { private: true });
      real.addCommit("org/gated", { a: "1" }, { gated: "manual" });
      const status = async (path: string, token?: string) => {
        const response = await fetch(`${real.url}${path}`, { headers: token ? bearer(token) : {} });
        await response.arrayBuffer();
        return [response.status, response.headers.get("x-error-code")];
      };
      expect(await status("/org/nope/resolve/main/a")).toEqual([401, "RepoNotFound"]);
      expect(await status("/org/nope/resolve/main/a", real.guestToken)).toEqual([404, "RepoNotFound"]);
      expect(await status("/org/private/resolve/main/a")).toEqual([401, "RepoNotFound"]);
      expect(await status("/org/private/resolve/main/a", real.guestToken)).toEqual([404, "RepoNotFound"]);
      expect(await status("/org/private/resolve/main/a", real.token)).toEqual([200, null]);
      expect(await status("/org/gated/resolve/main/a")).toEqual([401, "GatedRepo"]);
      expect(await status("/org/gated/resolve/main/a", real.guestToken)).toEqual([403, "GatedRepo"]);
    } finally {
      await real.close();
    }
  });
});

describe("the resolve endpoint", () => {
  const path = "/org/model/resolve/main/model.safetensors";

  it("serves full content with the Hub's headers", async () => {
    const response = await fetch(url(path));
    expect(response.status).toBe(200);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    expect(headers).toMatchObject({
      "x-repo-commit": c2,
      etag: `"${sha256(weightsV2)}"`,
      "x-linked-etag": `"${sha256(weightsV2)}"`,
      "x-linked-size": "30000",
      "content-length": "30000",
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      "content-disposition": `inline; filename*=UTF-8''model.safetensors; filename="model.safetensors";`,
      "x-request-id": expect.stringMatching(/^Root=1-/),
    });
    expect(equalBytes(await response.arrayBuffer(), weightsV2)).toBe(true);
    const regular = await fetch(url("/org/model/resolve/main/config.json"));
    expect(regular.headers.get("etag")).toBe(`"${gitSha1(config)}"`);
    expect(regular.headers.get("x-linked-etag")).toBeNull();
    expect(regular.headers.get("x-linked-size")).toBeNull();
    expect(equalBytes(await regular.arrayBuffer(), config)).toBe(true);
  });

  it("answers ranges with 206 and Content-Range, and 416 past the end", async () => {
    const range = async (value: string) => {
      const response = await fetch(url(path), { headers: { Range: value } });
      return { status: response.status, range: response.headers.get("content-range"), body: new Uint8Array(await response.arrayBuffer()) };
    };
    const middle = await range("bytes=10-19");
    expect([middle.status, middle.range]).toEqual([206, "bytes 10-19/30000"]);
    expect(equalBytes(middle.body, weightsV2.subarray(10, 20))).toBe(true);
    const tail = await range("bytes=29990-");
    expect([tail.status, tail.range, tail.body.length]).toEqual([206, "bytes 29990-29999/30000", 10]);
    expect(equalBytes(tail.body, weightsV2.subarray(29_990))).toBe(true);
    const suffix = await range("bytes=-5");
    expect([suffix.status, suffix.range]).toEqual([206, "bytes 29995-29999/30000"]);
    const clamped = await range("bytes=29999-99999");
    expect([clamped.status, clamped.range, clamped.body.length]).toEqual([206, "bytes 29999-29999/30000", 1]);
    const past = await range("bytes=30000-");
    expect([past.status, past.range, past.body.length]).toEqual([416, "bytes */30000", 0]);
  });

  it("answers HEAD with the headers only", async () => {
    const response = await fetch(url(path), { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("30000");
    expect(response.headers.get("x-linked-size")).toBe("30000");
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it("serves the LFS pointer on /raw/", async () => {
    const response = await fetch(url("/org/model/raw/main/model.safetensors"));
    expect(equalBytes(await response.arrayBuffer(), lfsPointer(weightsV2))).toBe(true);
    expect(response.headers.get("etag")).toBe(`"${gitSha1(lfsPointer(weightsV2))}"`);
  });

  it("with lfsRedirect, redirects LFS files to a CDN path the lib follows", async () => {
    const cdn = await startHubServer({ lfsRedirect: true });
    try {
      const sha = cdn.addCommit("org/model", { "model.safetensors": weightsV2, "config.json": config });
      const redirect = await fetch(`${cdn.url}/org/model/resolve/main/model.safetensors`, { redirect: "manual" });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get("location")).toBe(`${cdn.url}/__cdn/${sha256(weightsV2)}/model.safetensors`);
      expect(redirect.headers.get("x-repo-commit")).toBe(sha);
      expect(redirect.headers.get("x-linked-etag")).toBe(`"${sha256(weightsV2)}"`);
      expect(redirect.headers.get("x-linked-size")).toBe("30000");
      await redirect.arrayBuffer();
      const info = await fileDownloadInfo({ repo: "org/model", path: "model.safetensors", hubUrl: cdn.url });
      expect(info).toMatchObject({ size: 30_000, etag: `"${sha256(weightsV2)}"`, url: `${cdn.url}/__cdn/${sha256(weightsV2)}/model.safetensors` });
      const blob = await downloadFile({ repo: "org/model", path: "model.safetensors", hubUrl: cdn.url });
      expect(equalBytes(await blob!.arrayBuffer(), weightsV2)).toBe(true);
      expect((await fetch(`${cdn.url}/org/model/resolve/main/config.json`, { redirect: "manual" })).status).toBe(200);
    } finally {
      await cdn.close();
    }
  });
});

describe("creating repos and uploading", () => {
  const json = enc.encode(JSON.stringify({ hello: "world" }, null, 2));
  const safetensors = bytes(100_000, 7);

  it("createRepo then uploadFiles: the requests, no xet, and the files byte for byte", async () => {
    const before = server.requests.length;
    const created = await createRepo({ repo: "me/new", accessToken: server.token, ...hub() });
    expect(created.repoUrl).toBe(url("/me/new"));
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    await expect(createRepo({ repo: "me/new", accessToken: server.token, ...hub() })).rejects.toMatchObject({ statusCode: 409 });

    const output = await uploadFiles({
      repo: "me/new",
      accessToken: server.token,
      files: [
        { path: "config.json", content: new Blob([json]) },
        { path: "model.safetensors", content: new Blob([safetensors]) },
      ],
      ...hub(),
    });
    expect(output?.commit.oid).toBe(server.head("me/new"));
    expect(output?.commit.url).toBe(url(`/me/new/commit/${server.head("me/new")}`));

    const files = server.files("me/new");
    expect([...files.keys()].sort()).toEqual(["config.json", "model.safetensors"]);
    expect(equalBytes(files.get("config.json")!, json)).toBe(true);
    expect(equalBytes(files.get("model.safetensors")!, safetensors)).toBe(true);

    const sent = server.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /api/repos/create",
      "POST /api/repos/create",
      "POST /api/models/me/new/preupload/main",
      "POST /me/new.git/info/lfs/objects/batch",
      expect.stringMatching(new RegExp(`^PUT /__lfs/upload/me/new/${sha256(safetensors)}\\?sig=[0-9a-f]{32}$`)),
      "POST /api/models/me/new/commit/main",
    ]);
    expect(sent.some((r) => r.url.includes("xet"))).toBe(false);
    // Everything but the "presigned" PUT carries the token.
    expect(sent.filter((r) => r.method !== "PUT").every((r) => r.headers.authorization === `Bearer ${server.token}`)).toBe(true);
    expect(sent.find((r) => r.method === "PUT")?.headers.authorization).toBeUndefined();
    expect(sent.at(-1)?.headers["content-type"]).toBe("application/x-ndjson");

    // And it reads back like any other repo.
    expect((await fileDownloadInfo({ repo: "me/new", path: "model.safetensors", ...hub() }))?.etag).toBe(`"${sha256(safetensors)}"`);
    const [entry] = await pathsInfo({ repo: "me/new", paths: ["model.safetensors"], ...hub() });
    expect(entry?.lfs?.oid).toBe(sha256(safetensors));
    expect((await pathsInfo({ repo: "me/new", paths: ["config.json"], ...hub() }))[0]?.lfs).toBeUndefined();
  });

  it("a second commit keeps the tree, and an LFS object already there is not uploaded again", async () => {
    const first = server.head("me/new");
    const before = server.requests.length;
    await uploadFiles({
      repo: "me/new",
      accessToken: server.token,
      files: [
        { path: "copy/model.safetensors", content: new Blob([safetensors]) },
        { path: "notes.txt", content: new Blob(["notes"]) },
      ],
      ...hub(),
    });
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(["POST", "POST", "POST"]); // preupload, batch, commit: no PUT
    expect(server.head("me/new")).not.toBe(first);
    const files = server.files("me/new");
    expect([...files.keys()].sort()).toEqual(["config.json", "copy/model.safetensors", "model.safetensors", "notes.txt"]);
    expect(equalBytes(files.get("copy/model.safetensors")!, safetensors)).toBe(true);
    expect(new TextDecoder().decode(files.get("notes.txt"))).toBe("notes");
  });

  it("uploads to a new private repo need the owner token", async () => {
    await createRepo({ repo: "me/secret", visibility: "private", accessToken: server.token, ...hub() });
    await expect(modelInfo({ name: "me/secret", ...hub() })).rejects.toMatchObject({ statusCode: 401 });
    const upload = (accessToken?: string) =>
      uploadFiles({ repo: "me/secret", ...(accessToken ? { accessToken } : {}), files: [{ path: "a.txt", content: new Blob(["a"]) }], ...hub() });
    await expect(upload()).rejects.toMatchObject({ statusCode: 401 });
    await expect(upload(server.guestToken)).rejects.toMatchObject({ statusCode: 401 });
    await upload(server.token);
    expect(new TextDecoder().decode(server.files("me/secret").get("a.txt"))).toBe("a");
    await expect(createRepo({ repo: "me/other", accessToken: server.guestToken, ...hub() })).rejects.toMatchObject({ statusCode: 403 });
    await expect(uploadFiles({ repo: "org/model", accessToken: server.guestToken, files: [{ path: "x", content: new Blob(["x"]) }], ...hub() })).rejects.toMatchObject({
      statusCode: 403,
    });
  });

  it("the commit and LFS endpoints check what they are given", async () => {
    const auth = { ...bearer(server.token), "Content-Type": "application/x-ndjson" };
    const commit = (lines: unknown[], query = "") =>
      fetch(url(`/api/models/me/new/commit/main${query}`), { method: "POST", headers: auth, body: lines.map((l) => JSON.stringify(l)).join("\n") });
    const header = (parentCommit?: string) => ({ key: "header", value: { summary: "edit", parentCommit } });

    expect((await commit([header("0".repeat(40)), { key: "deletedFile", value: { path: "notes.txt" } }])).status).toBe(412);
    const missingLfs = await commit([header(), { key: "lfsFile", value: { path: "x.safetensors", algo: "sha256", oid: "a".repeat(64), size: 3 } }]);
    expect(missingLfs.status).toBe(422);
    expect((await commit([header(), { key: "file", value: { path: "../escape", content: "", encoding: "base64" } }])).status).toBe(400);
    expect((await commit([header(), { key: "deletedFile", value: { path: "nope" } }])).headers.get("x-error-code")).toBe("EntryNotFound");
    expect((await fetch(url("/api/models/me/new/commit/nope"), { method: "POST", headers: auth, body: JSON.stringify(header()) })).headers.get("x-error-code")).toBe(
      "RevisionNotFound",
    );

    const head = server.head("me/new");
    const ok = await commit([
      header(head),
      { key: "deletedFile", value: { path: "notes.txt" } },
      { key: "deletedFolder", value: { path: "copy" } },
      { key: "file", value: { path: "hello.txt", content: "héllo", encoding: "utf-8" } },
    ]);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { success: boolean; commitOid: string };
    expect(body).toMatchObject({ success: true, commitOid: server.head("me/new") });
    expect([...server.files("me/new").keys()].sort()).toEqual(["config.json", "hello.txt", "model.safetensors"]);
    expect(new TextDecoder().decode(server.files("me/new").get("hello.txt"))).toBe("héllo");

    // The LFS PUT verifies the sha256 (and size) of what it receives.
    const content = enc.encode("some LFS bytes");
    const batch = await fetch(url("/me/new.git/info/lfs/objects/batch"), {
      method: "POST",
      headers: { ...bearer(server.token), "Content-Type": "application/vnd.git-lfs+json", Accept: "application/vnd.git-lfs+json" },
      body: JSON.stringify({ operation: "upload", transfers: ["basic", "multipart", "xet"], hash_algo: "sha_256", objects: [{ oid: sha256(content), size: content.length }] }),
    });
    expect(batch.headers.get("content-type")).toBe("application/vnd.git-lfs+json");
    const answer = (await batch.json()) as { transfer: string; objects: { actions: { upload: { href: string } } }[] };
    expect(answer.transfer).toBe("basic");
    const href = answer.objects[0]!.actions.upload.href;
    expect((await fetch(href, { method: "PUT", body: enc.encode("other LFS bytes") })).status).toBe(400);
    expect((await fetch(href.replace(/sig=\w+/, "sig=forged"), { method: "PUT", body: content })).status).toBe(403);
    expect((await fetch(href, { method: "PUT", body: content })).status).toBe(200);
    const verify = await fetch(url("/me/new.git/info/lfs/objects/verify"), {
      method: "POST",
      headers: bearer(server.token),
      body: JSON.stringify({ oid: sha256(content), size: content.length }),
    });
    expect(verify.status).toBe(200);
  });
});

describe("failure injection, seen with plain fetch", () => {
  const path = "/org/model/resolve/main/model.safetensors";

  it("status: answers it `times` times, then serves normally", async () => {
    server.fail({ path, action: { status: 503, headers: { "Retry-After": "1" } }, times: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(url(path));
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(await response.json()).toEqual({ error: "Injected failure (503)" });
    }
    expect((await fetch(url(path))).status).toBe(200);
  });

  it("status: a custom body, a method filter and a RegExp", async () => {
    server.fail({ path: /\/revision\/main$/, method: "get", action: { status: 200, body: '{"sha":"x"}', headers: { "content-type": "application/json" } } });
    const forged = await fetch(url("/api/models/org/model/revision/main"));
    expect(forged.headers.get("content-type")).toBe("application/json");
    expect(await forged.text()).toBe('{"sha":"x"}');
    server.fail({ path, method: "HEAD", action: { status: 500 } });
    expect((await fetch(url(path))).status).toBe(200);
    expect((await fetch(url(path), { method: "HEAD" })).status).toBe(500);
    expect((await fetch(url(path), { method: "HEAD" })).status).toBe(200);
  });

  it("clearFailures drops pending rules", async () => {
    server.fail({ path, action: { status: 500 }, times: Infinity });
    expect((await fetch(url(path))).status).toBe(500);
    server.clearFailures();
    expect((await fetch(url(path))).status).toBe(200);
  });

  it("cut: the full Content-Length, half the body, then a dead socket", async () => {
    server.fail({ path, action: "cut" });
    const response = await fetch(url(path));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("30000");
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it("wrong-length: a complete but short body while the headers announce the true size", async () => {
    server.fail({ path, method: "GET", action: "wrong-length" });
    const response = await fetch(url(path));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-linked-size")).toBe("30000");
    expect(response.headers.get("content-length")).toBe("15000");
    const body = new Uint8Array(await response.arrayBuffer());
    expect(equalBytes(body, weightsV2.subarray(0, 15_000))).toBe(true);

    server.fail({ path, action: "wrong-length" });
    const ranged = await fetch(url(path), { headers: { Range: "bytes=0-999" } });
    expect(ranged.headers.get("content-range")).toBe("bytes 0-999/30000");
    expect((await ranged.arrayBuffer()).byteLength).toBe(500);
  });

  it("wrong-content: the right length, bytes that fail the sha256", async () => {
    server.fail({ path, action: "wrong-content" });
    const response = await fetch(url(path));
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.length).toBe(30_000);
    expect(response.headers.get("x-linked-etag")).toBe(`"${sha256(weightsV2)}"`);
    expect(sha256(body)).not.toBe(sha256(weightsV2));
    expect(equalBytes(new Uint8Array(await (await fetch(url(path))).arrayBuffer()), weightsV2)).toBe(true);
  });

  it("hang: no answer until the client gives up; the next request is fine", async () => {
    server.fail({ path: "/api/models/org/model/revision/main", action: "hang" });
    const started = Date.now();
    await expect(fetch(url("/api/models/org/model/revision/main"), { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.requests.at(-1)?.url).toBe("/api/models/org/model/revision/main");
    expect((await fetch(url("/api/models/org/model/revision/main"))).status).toBe(200);
  });

  it("close() ends hanging requests and keep-alive connections promptly", async () => {
    const other = await startHubServer();
    other.addCommit("org/a", { a: "1" });
    expect((await fetch(`${other.url}/org/a/resolve/main/a`)).status).toBe(200); // leaves a keep-alive socket
    other.fail({ path: /./, action: "hang" });
    const pending = fetch(`${other.url}/org/a/resolve/main/a`);
    while (other.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
    await expect(fetch(`${other.url}/org/a/resolve/main/a`)).rejects.toThrow();
  });
});

describe("hostile modes, seen with plain fetch", () => {
  const path = "/org/model/resolve/main/model.safetensors";

  /** Reads `response`'s body until `limit` bytes, then cancels it; resolves to the bytes read. */
  async function readUpTo(response: Response, limit: number): Promise<Uint8Array> {
    const reader = response.body!.getReader();
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.length;
    }
    await reader.cancel();
    return Buffer.concat(parts);
  }

  it("endless: no Content-Length, and the body repeats past its true size", async () => {
    server.fail({ path: "/api/models/org/model/revision/main", action: "endless" });
    const response = await fetch(url("/api/models/org/model/revision/main"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBeNull();
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = Buffer.from(await readUpTo(response, 1_000_000));
    expect(body.length).toBeGreaterThanOrEqual(1_000_000);
    const document = body.subarray(0, body.indexOf("}{") + 1).toString();
    expect(JSON.parse(document)).toMatchObject({ sha: c2 });
    expect((await fetch(url("/api/models/org/model/revision/main"))).status).toBe(200);
  });

  it("drip: one byte per interval, endlessly", async () => {
    server.fail({ path, method: "GET", action: { drip: 20 } });
    const response = await fetch(url(path));
    expect(response.headers.get("x-linked-size")).toBe("30000");
    expect(response.headers.get("content-length")).toBeNull();
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) chunks.push((await reader.read()).value!);
    await reader.cancel();
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
    expect(equalBytes(Buffer.concat(chunks), weightsV2.subarray(0, 3))).toBe(true);
  });

  it("declaredSize: the size headers lie, and a full answer is padded to the claim", async () => {
    const claim = 2 ** 40;
    server.fail({ path, action: { declaredSize: claim }, times: 2 });
    const probe = await fetch(url(path), { headers: { Range: "bytes=0-0" } });
    expect(probe.status).toBe(206);
    expect(probe.headers.get("content-range")).toBe(`bytes 0-0/${claim}`);
    expect(probe.headers.get("x-linked-size")).toBe(String(claim));
    expect(new Uint8Array(await probe.arrayBuffer())).toEqual(weightsV2.subarray(0, 1));
    const full = await fetch(url(path));
    expect(full.headers.get("content-length")).toBeNull();
    const body = await readUpTo(full, 200_000);
    expect(equalBytes(body.subarray(0, 30_000), weightsV2)).toBe(true);
    expect(body.subarray(30_000).every((b) => b === 0)).toBe(true);
    expect(body.length).toBeGreaterThanOrEqual(200_000);
  });
});
