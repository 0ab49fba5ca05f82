/**
 * StaticModel.fromUrl against a local static server, the browser build's Hub
 * loader against the local Hub, and the Cache Storage option against an
 * in-memory CacheStorage.
 */
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { HubError, InvalidInputError, ModelFormatError, StaticModel } from "../../src/index.js";
import { loadPretrained } from "../../src/persistence/load-pretrained.browser.js";
import { startHubServer } from "../fixtures/hub-server.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { type StaticServer, startStaticServer } from "../fixtures/static-server.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

/** The browser build's `fromPretrained`: its loader gives the parts, which StaticModel wires. */
const loadPretrainedInBrowser = async (...args: Parameters<typeof loadPretrained>) => new StaticModel(await loadPretrained(...args));

const defaultModel = fileURLToPath(new URL("../../models/default", import.meta.url));
const TEXTS = ["a cat sits on the mat", "It's dangerous to go alone!", "", "naïve café ☕ — 東京", "stock markets fell sharply"];

/** An in-memory CacheStorage with the parts of the API fromUrl uses. */
class MemoryCacheStorage {
  readonly caches = new Map<string, Map<string, { body: Uint8Array; headers: [string, string][] }>>();
  opened: string[] = [];

  async open(name: string) {
    this.opened.push(name);
    let entries = this.caches.get(name);
    if (!entries) this.caches.set(name, (entries = new Map()));
    const store = entries;
    return {
      match: async (url: string) => {
        const entry = store.get(url);
        return entry ? new Response(entry.body.slice() as Uint8Array<ArrayBuffer>, { status: 200, headers: entry.headers }) : undefined;
      },
      put: async (url: string, response: Response) => {
        if (!response.ok) throw new TypeError("only ok responses may be cached here");
        const headers: [string, string][] = [];
        response.headers.forEach((value, key) => headers.push([key, value]));
        store.set(url, { body: new Uint8Array(await response.arrayBuffer()), headers });
      },
      delete: async (url: string) => store.delete(url),
    };
  }

  entries(name = "model2vec"): string[] {
    return [...(this.caches.get(name)?.keys() ?? [])].sort();
  }
}

let server: StaticServer;
let expected: StaticModel;

beforeAll(async () => {
  server = await startStaticServer(defaultModel);
  expected = await StaticModel.fromPretrained(undefined, { localFilesOnly: true });
});
afterAll(() => server.close());
afterEach(() => {
  server.setHook(undefined);
  server.requests.length = 0;
  server.headers.length = 0;
  vi.unstubAllGlobals();
});

describe("StaticModel.fromUrl", () => {
  it("loads models/default over HTTP with the same encodings, metadata and requests as fromPretrained()", async () => {
    const model = await StaticModel.fromUrl(`${server.url}/`);
    expect(Array.from(model.encode(TEXTS).data)).toEqual(Array.from(expected.encode(TEXTS).data));
    expect([model.dim, model.tokens.length, model.normalize, model.embeddingDtype, model.baseModelName]).toEqual([192, 33688, true, "int8", "use-lite"]);
    expect(model.config).toEqual(expected.config);
    expect([...server.requests].sort()).toEqual(["/README.md", "/config.json", "/model.safetensors", "/tokenizer.json"]);
  });

  it("is what fromPretrained does with an http(s) URL, in Node too", async () => {
    const model = await StaticModel.fromPretrained(`${server.url}/`, { quantizeTo: "float16" });
    expect(model.embeddingDtype).toBe("float16");
    expect(Array.from(model.encode(TEXTS).data)).toEqual(Array.from((await StaticModel.fromUrl(`${server.url}/`, { quantizeTo: "float16" })).encode(TEXTS).data));
    expect(server.requests).toContain("/model.safetensors");
  });

  it("accepts a URL object without a trailing slash, and sends the token and headers", async () => {
    const model = await StaticModel.fromUrl(new URL(server.url), { token: "hf_secret", headers: { "X-Test": "1" }, normalize: false });
    expect(model.normalize).toBe(false);
    expect(server.headers.every((h) => h.authorization === "Bearer hf_secret" && h["x-test"] === "1")).toBe(true);
  });

  it("uses an injected fetch, and quantizes as fromPretrained does", async () => {
    const seen: string[] = [];
    const model = await StaticModel.fromUrl(server.url, {
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
      dimensionality: 64,
    });
    expect(model.dim).toBe(64);
    expect(seen.sort()).toEqual(["README.md", "config.json", "model.safetensors", "tokenizer.json"].map((f) => `${server.url}/${f}`));
  });

  it("reports progress as bytes arrive", async () => {
    const progress: { file: string; loaded: number; total: number }[] = [];
    await StaticModel.fromUrl(server.url, { onProgress: (p) => progress.push({ ...p }) });
    const last = progress.filter((p) => p.file === "model.safetensors").at(-1)!;
    const size = (await readFile(`${defaultModel}/model.safetensors`)).byteLength;
    expect(size).toBeGreaterThan(1_000_000);
    expect(last).toEqual({ file: "model.safetensors", loaded: size, total: size });
  });

  it("finds the Sentence Transformers layouts, and a subfolder", async () => {
    const generated = generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 8 });
    for (const layout of ["sentence-transformers", "0_StaticEmbedding"] as const) {
      const folder = await writeModelFolder(generated, layout);
      const local = await startStaticServer(folder);
      try {
        const reference = (await StaticModel.fromPretrained(folder)).encode(["hello world", "the quick fox"]);
        const model = await StaticModel.fromUrl(`${local.url}/`);
        expect(Array.from(model.encode(["hello world", "the quick fox"]).data)).toEqual(Array.from(reference.data));
        if (layout === "0_StaticEmbedding") {
          // The 0_StaticEmbedding folder itself, its config in the parent folder.
          const nested = await StaticModel.fromUrl(local.url, { subfolder: "0_StaticEmbedding" });
          expect(nested.dim).toBe(8);
        }
      } finally {
        await local.close();
        await rm(folder, { recursive: true, force: true });
      }
    }
  });

  it("names the URL and the HTTP status when a request fails", async () => {
    server.setHook((path, _request, response) => {
      if (path !== "/tokenizer.json") return false;
      response.writeHead(503, "Service Unavailable").end();
      return true;
    });
    const error = await StaticModel.fromUrl(server.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).message).toBe(`GET ${server.url}/tokenizer.json failed: HTTP 503 Service Unavailable`);
    expect((error as HubError).status).toBe(503);
  });

  it("lists the layouts tried, with their URLs, when no model is there", async () => {
    const error = await StaticModel.fromUrl(`${server.url}/nothing/here/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toContain(`Could not find the model files in ${server.url}/nothing/here/`);
    expect((error as Error).message).toContain(`model2vec: missing ${server.url}/nothing/here/config.json`);
    expect((error as Error).message).toContain("0_StaticEmbedding: missing");
  });

  it("reports a connection cut midway, naming the URL", async () => {
    server.setHook((path, _request, response) => {
      if (path !== "/model.safetensors") return false;
      response.writeHead(200, { "Content-Length": "2048088" });
      response.write(new Uint8Array(1000), () => response.destroy());
      return true;
    });
    await expect(StaticModel.fromUrl(server.url)).rejects.toThrow(new RegExp(`^The download of ${server.url}/model.safetensors failed: `));
    // With onProgress, the message says how far it got.
    await expect(StaticModel.fromUrl(server.url, { onProgress: () => {} })).rejects.toThrow(
      new RegExp(`^The download of ${server.url}/model.safetensors failed after 1000 bytes: `),
    );
  });

  it("refuses bad input with InvalidInputError", async () => {
    await expect(StaticModel.fromUrl("")).rejects.toThrow(InvalidInputError);
    await expect(StaticModel.fromUrl("models/default")).rejects.toThrow(/absolute http\(s\) URL .*no page location/);
    await expect(StaticModel.fromUrl("ftp://example.com/model/")).rejects.toThrow(/needs an http\(s\) URL, got "ftp:/);
    await expect(StaticModel.fromUrl(server.url, { cache: 5 as unknown as boolean })).rejects.toThrow(/cache must be true, false or a cache name, got number 5/);
    await expect(StaticModel.fromUrl(server.url, { subfolder: "../up" })).rejects.toThrow(/subfolder must be a relative path/);
    await expect(StaticModel.fromUrl(server.url, { signal: "no" as unknown as AbortSignal })).rejects.toThrow(/signal must be an AbortSignal/);
    expect(server.requests).toEqual([]);
  });

  it("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("user navigated away");
    controller.abort(reason);
    await expect(StaticModel.fromUrl(server.url, { signal: controller.signal })).rejects.toBe(reason);
  });
});

describe("fromUrl with Cache Storage", () => {
  it("downloads once: the second load makes no request and encodes the same", async () => {
    const storage = new MemoryCacheStorage();
    vi.stubGlobal("caches", storage);
    const fetches: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      fetches.push(String(input));
      return fetch(input, init);
    };
    const first = await StaticModel.fromUrl(server.url, { cache: true, fetch: countingFetch });
    expect(fetches).toHaveLength(4);
    expect(storage.entries()).toEqual(["README.md", "config.json", "model.safetensors", "tokenizer.json"].map((f) => `${server.url}/${f}`));
    fetches.length = 0;
    const second = await StaticModel.fromUrl(server.url, { cache: true, fetch: countingFetch });
    expect(fetches).toEqual([]);
    expect(Array.from(second.encode(TEXTS).data)).toEqual(Array.from(first.encode(TEXTS).data));
    expect(second.baseModelName).toBe("use-lite");
    // A named cache is separate.
    await StaticModel.fromUrl(server.url, { cache: "other", fetch: countingFetch });
    expect(fetches).toHaveLength(4);
    expect(storage.opened).toEqual(["model2vec", "model2vec", "other"]);
  });

  it("leaves no entry after an aborted download", async () => {
    const storage = new MemoryCacheStorage();
    vi.stubGlobal("caches", storage);
    const controller = new AbortController();
    server.setHook((path, _request, response) => {
      if (path !== "/model.safetensors") return false;
      // Half the file, then the abort, with the rest never sent.
      response.writeHead(200, { "Content-Length": "2048088", "Content-Type": "application/octet-stream" });
      response.write(new Uint8Array(1_000_000), () => setTimeout(() => controller.abort(new Error("stop")), 50));
      return true;
    });
    await expect(StaticModel.fromUrl(server.url, { cache: true, signal: controller.signal })).rejects.toThrow("stop");
    expect(storage.entries()).toEqual([]);
  });

  it("leaves no entry after a failed, truncated or corrupt download", async () => {
    const storage = new MemoryCacheStorage();
    vi.stubGlobal("caches", storage);
    const model = await readFile(`${defaultModel}/model.safetensors`);
    const failures: ((response: import("node:http").ServerResponse) => void)[] = [
      (response) => response.writeHead(500).end(),
      (response) => {
        response.writeHead(200, { "Content-Length": String(model.length) });
        response.write(model.subarray(0, 5000), () => response.destroy());
      },
      (response) => response.writeHead(200, { "Content-Length": "12" }).end("not a model!"),
    ];
    for (const fail of failures) {
      server.setHook((path, _request, response) => {
        if (path !== "/model.safetensors") return false;
        fail(response);
        return true;
      });
      await expect(StaticModel.fromUrl(server.url, { cache: true })).rejects.toThrow(/model\.safetensors/);
      expect(storage.entries()).toEqual([]);
    }
    server.setHook(undefined);
    await StaticModel.fromUrl(server.url, { cache: true });
    expect(storage.entries()).toHaveLength(4);
  });

  it("drops cached files that do not make a model, so the next load downloads again", async () => {
    const storage = new MemoryCacheStorage();
    vi.stubGlobal("caches", storage);
    await StaticModel.fromUrl(server.url, { cache: true });
    const entries = storage.caches.get("model2vec")!;
    entries.get(`${server.url}/tokenizer.json`)!.body = new TextEncoder().encode("{ not json");
    await expect(StaticModel.fromUrl(server.url, { cache: true })).rejects.toThrow(/tokenizer/i);
    expect(storage.entries()).toEqual([]);
    server.requests.length = 0;
    const model = await StaticModel.fromUrl(server.url, { cache: true });
    expect(model.dim).toBe(192);
    expect(server.requests).toHaveLength(4);
  });

  it("is ignored where Cache Storage does not exist", async () => {
    vi.stubGlobal("caches", undefined);
    const model = await StaticModel.fromUrl(server.url, { cache: true });
    expect(model.dim).toBe(192);
  });
});

describe("fromPretrained in the browser build (Hub resolve URLs)", () => {
  it("loads a Hub id from ${endpoint}/${id}/resolve/${revision}/, token as a Bearer header", async () => {
    const hub = await startHubServer({ lfsRedirect: true, realisticAuthErrors: true });
    try {
      const files = Object.fromEntries(
        await Promise.all(["config.json", "model.safetensors", "tokenizer.json", "README.md"].map(async (f) => [f, await readFile(`${defaultModel}/${f}`)] as const)),
      );
      hub.addCommit("minishlab/potion-test", files, { tags: ["v1"] });
      const model = await loadPretrainedInBrowser("minishlab/potion-test", "", { endpoint: `${hub.url}/`, revision: "v1" }, {});
      expect(Array.from(model.encode(TEXTS).data)).toEqual(Array.from(expected.encode(TEXTS).data));
      expect(hub.requests.filter((r) => r.url.includes("/resolve/")).map((r) => r.url).sort()).toEqual(
        ["README.md", "config.json", "model.safetensors", "tokenizer.json"].map((f) => `/minishlab/potion-test/resolve/v1/${f}`),
      );

      hub.addCommit("minishlab/private", files, { private: true });
      const denied = await loadPretrainedInBrowser("minishlab/private", "", { endpoint: hub.url }, {}).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(HubError);
      expect((denied as HubError).status).toBe(401);
      expect((denied as Error).message).toMatch(new RegExp(`^GET ${hub.url}/minishlab/private/resolve/main/\\S+ failed: HTTP 401.*pass a token`));
      const allowed = await loadPretrainedInBrowser("minishlab/private", "", { endpoint: hub.url, token: hub.token }, { normalize: false });
      expect(allowed.normalize).toBe(false);
    } finally {
      await hub.close();
    }
  });

  it("loads an http(s) URL, and explains what the browser build cannot do", async () => {
    const model = await loadPretrainedInBrowser(`${server.url}/`, "", {}, {});
    expect(model.dim).toBe(192);
    await expect(loadPretrainedInBrowser(undefined, "", {}, {})).rejects.toThrow(/serve the package's models\/default folder and load it with StaticModel\.fromUrl/);
    await expect(loadPretrainedInBrowser("./my-model", "", {}, {})).rejects.toThrow(/"\.\/my-model" is not a Hub model id \(org\/name\) or an http\(s\) URL/);
    await expect(loadPretrainedInBrowser("org/name", "", { localFilesOnly: true }, {})).rejects.toThrow(/localFilesOnly needs the file-system cache of Node/);
    await expect(loadPretrainedInBrowser("org/name", "", { endpoint: "hub.local" }, {})).rejects.toThrow(/endpoint must be an http\(s\) URL/);
  });
});
