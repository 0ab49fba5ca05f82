/** The OpenAI-compatible embeddings server, over real HTTP on 127.0.0.1, driven by the official `openai` client. */
import { request as httpRequest } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installSignalHandlers, startServer, type ServerOptions } from "../../src/server/server.js";
import { loadGenerated } from "../fixtures/index.js";
import { WORDS } from "../fixtures/words.js";

const KEY = "sk-test-s3cr3t-key-0123456789";
const primary = loadGenerated({ dim: 16, seed: 7 }).model; // normalize: true
const secondary = loadGenerated({ dim: 8, seed: 99 }, { normalize: false }).model;
const TEXTS = ["hello world", "the quick brown fox jumps over the lazy dog", "café naïve résumé", "", "static embeddings are fast"];

type Server = Awaited<ReturnType<typeof startServer>>;

async function withServer<T>(options: Partial<ServerOptions>, run: (server: Server) => Promise<T>): Promise<T> {
  const server = await startServer({ models: { primary }, port: 0, ...options });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

function client(url: string, apiKey = KEY): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 10_000 });
}

function rows(model: typeof primary, texts: string[]): number[][] {
  return model.encode(texts).toArray();
}

function decodeBase64(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(bytes.readFloatLE(i));
  return out;
}

async function post(url: string, body: string | object, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as { error?: { message: string; type: string; param: string | null; code: string | null } };
  return { status: response.status, json };
}

describe("server", () => {
  let server: Server;
  let openai: OpenAI;
  const lines: string[] = [];

  beforeAll(async () => {
    server = await startServer({ models: { primary, secondary }, port: 0, apiKey: KEY, log: (line) => lines.push(line) });
    openai = client(server.url);
  });
  afterAll(() => server.close());

  it("listens on an ephemeral port of 127.0.0.1", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it("returns float embeddings equal to model.encode, in order, with usage", async () => {
    const result = await openai.embeddings.create({ model: "primary", input: TEXTS, encoding_format: "float" });
    expect(result.object).toBe("list");
    expect(result.model).toBe("primary");
    expect(result.data.map((d) => [d.object, d.index])).toEqual(TEXTS.map((_, i) => ["embedding", i]));
    const expected = rows(primary, TEXTS);
    for (let i = 0; i < TEXTS.length; i++) expect(result.data[i]!.embedding.map(Math.fround)).toEqual(expected[i]);
    const tokens = primary.tokenize(TEXTS, { maxLength: 512 }).reduce((sum, ids) => sum + ids.length, 0);
    expect(tokens).toBeGreaterThan(10);
    expect(result.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it("returns base64 little-endian float32 on request, and the client's default (base64) decodes to the same", async () => {
    const explicit = await openai.embeddings.create({ model: "primary", input: TEXTS, encoding_format: "base64" });
    const expected = rows(primary, TEXTS);
    for (let i = 0; i < TEXTS.length; i++) {
      const raw = explicit.data[i]!.embedding as unknown as string;
      expect(typeof raw).toBe("string");
      expect(decodeBase64(raw)).toEqual(expected[i]);
    }
    const byDefault = await openai.embeddings.create({ model: "primary", input: TEXTS });
    for (let i = 0; i < TEXTS.length; i++) expect(byDefault.data[i]!.embedding).toEqual(expected[i]);
  });

  it("accepts a single string", async () => {
    const result = await openai.embeddings.create({ model: "primary", input: "hello world", encoding_format: "float" });
    expect(result.data).toHaveLength(1);
    expect(result.data[0]!.embedding.map(Math.fround)).toEqual(Array.from(primary.encode("hello world")));
  });

  it("serves several models by name, and the first by default", async () => {
    const second = await openai.embeddings.create({ model: "secondary", input: TEXTS, encoding_format: "float" });
    expect(second.model).toBe("secondary");
    expect(second.data[0]!.embedding).toHaveLength(8);
    const expected = rows(secondary, TEXTS);
    for (let i = 0; i < TEXTS.length; i++) expect(second.data[i]!.embedding.map(Math.fround)).toEqual(expected[i]);

    const { status, json } = await post(server.url, { input: ["hello"] });
    expect(status).toBe(200);
    expect((json as { model: string }).model).toBe("primary");
  });

  it("truncates to `dimensions` and re-normalises to unit length", async () => {
    for (const [name, model] of [["primary", primary], ["secondary", secondary]] as const) {
      const result = await openai.embeddings.create({ model: name, input: TEXTS, dimensions: 5, encoding_format: "float" });
      const full = rows(model, TEXTS);
      for (let i = 0; i < TEXTS.length; i++) {
        const got = result.data[i]!.embedding;
        expect(got).toHaveLength(5);
        const head = full[i]!.slice(0, 5);
        const norm = Math.hypot(...head);
        if (norm === 0) {
          expect(got).toEqual([0, 0, 0, 0, 0]);
          continue;
        }
        expect(Math.hypot(...got)).toBeCloseTo(1, 6);
        for (let j = 0; j < 5; j++) expect(got[j]!).toBeCloseTo(head[j]! / norm, 6);
      }
    }
    const base64 = await openai.embeddings.create({ model: "primary", input: "hello", dimensions: 3 });
    expect(base64.data[0]!.embedding).toHaveLength(3);
    for (const bad of [0, 17, 2.5, "4"]) {
      const { status, json } = await post(server.url, { model: "primary", input: "hello", dimensions: bad });
      expect(status, String(bad)).toBe(400);
      expect(json.error!.param).toBe("dimensions");
    }
    await expect(openai.embeddings.create({ model: "primary", input: "x", dimensions: 17 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    const error = await openai.embeddings.create({ model: "gpt-nope", input: "hello" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const { status, json } = await post(server.url, { model: "gpt-nope", input: "hello" });
    expect(status).toBe(404);
    expect(json.error).toMatchObject({ type: "invalid_request_error", param: "model", code: "model_not_found" });
  });

  it("rejects bad JSON and bad fields with a JSON 400", async () => {
    const cases: [string | object, string | null][] = [
      ['{"input": "hello"', null],
      ["", null],
      ["[1, 2]", null],
      [{ model: "primary" }, "input"],
      [{ input: [] }, "input"],
      [{ input: 42 }, "input"],
      [{ input: ["ok", null] }, "input"],
      [{ input: [1, 2, 3] }, "input"],
      [{ input: [[1, 2], [3]] }, "input"],
      [{ input: "x", model: 3 }, "model"],
      [{ input: "x", encoding_format: "int8" }, "encoding_format"],
    ];
    for (const [body, param] of cases) {
      const { status, json } = await post(server.url, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error, JSON.stringify(body)).toMatchObject({ type: "invalid_request_error", param });
      expect(typeof json.error!.message).toBe("string");
    }
    const tokens = await post(server.url, { input: [[1, 2]] });
    expect(tokens.json.error!.message).toMatch(/token ids/);
    expect(tokens.json.error!.code).toBe("token_input_unsupported");
    const error = await openai.embeddings.create({ model: "primary", input: [[1, 2, 3]] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("lists models the OpenAI way and answers /health", async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    expect(models.map((m) => [m.id, m.object, m.owned_by])).toEqual([
      ["primary", "model", "model2vec"],
      ["secondary", "model", "model2vec"],
    ]);
    expect(typeof models[0]!.created).toBe("number");
    expect((await openai.models.retrieve("secondary")).id).toBe("secondary");
    await expect(openai.models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const health = await fetch(`${server.url}/health`); // no key needed
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", models: ["primary", "secondary"] });
  });

  it("answers other routes with 404 and wrong methods with 405, as JSON", async () => {
    const missing = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${KEY}` } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const wrong = await fetch(`${server.url}/v1/embeddings`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(((await wrong.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("requires the Bearer key on /v1 and never logs it or the texts", async () => {
    const secretText = "sentence vector token secretish";
    for (const headers of [{ authorization: "" }, { authorization: "Bearer wrong" }, { authorization: KEY }, { authorization: `Basic ${KEY}` }]) {
      const { status, json } = await post(server.url, { input: secretText }, headers);
      expect(status, headers.authorization).toBe(401);
      expect(json.error!.code).toBe("invalid_api_key");
    }
    await expect(client(server.url, "sk-wrong").embeddings.create({ model: "primary", input: "x" })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    await expect(client(server.url, "sk-wrong").models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await post(server.url, { input: secretText })).status).toBe(200);
    await fetch(`${server.url}/v1/embeddings?api_key=${KEY}`, { method: "POST", body: "{}" });

    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(line).toMatch(/^(GET|POST|HEAD|PUT|DELETE) \/\S* \d{3} \d+\.\dms$/);
      expect(line).not.toContain(KEY);
      expect(line).not.toContain("secretish");
      expect(line).not.toContain("hello");
    }
    expect(lines).toContainEqual(expect.stringMatching(/^POST \/v1\/embeddings 401 /));
    expect(lines).toContainEqual(expect.stringMatching(/^POST \/v1\/embeddings 200 /));
  });

  it("answers 200 concurrent requests correctly", async () => {
    const requests = Array.from({ length: 200 }, (_, i) => {
      const texts = Array.from({ length: 1 + (i % 7) }, (_, k) => `${WORDS[(i * 7 + k) % WORDS.length]} ${WORDS[(i + k * 3) % WORDS.length]}`);
      const model = i % 3 === 0 ? "secondary" : "primary";
      const encoding_format = i % 2 === 0 ? ("float" as const) : undefined;
      return { texts, model, promise: openai.embeddings.create({ model, input: texts, encoding_format }) };
    });
    const results = await Promise.all(requests.map((r) => r.promise));
    for (let i = 0; i < requests.length; i++) {
      const { texts, model } = requests[i]!;
      const expected = rows(model === "primary" ? primary : secondary, texts);
      expect(results[i]!.model).toBe(model);
      expect(results[i]!.data.map((d) => d.embedding.map(Math.fround))).toEqual(expected);
    }
  });
});

describe("server limits", () => {
  it("answers a body over limits.bodyBytes with 413", async () => {
    await withServer({ limits: { bodyBytes: 1000 } }, async ({ url }) => {
      const big = { input: "hello ".repeat(300) };
      const { status, json } = await post(url, big);
      expect(status).toBe(413);
      expect(json.error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
      // Just under the limit is fine.
      expect((await post(url, { input: "hello ".repeat(150) })).status).toBe(200);
      await expect(client(url).embeddings.create({ model: "primary", input: "hello ".repeat(300) })).rejects.toMatchObject({ status: 413 });
    });
  });

  it("enforces the 10 MB default body limit", async () => {
    await withServer({}, async ({ url }) => {
      const { status } = await post(url, { input: "a".repeat(10 * 1024 * 1024) });
      expect(status).toBe(413);
    });
  });

  it("answers too many texts or too long a text with 400", async () => {
    await withServer({ limits: { batchSize: 4, textLength: 20 } }, async ({ url }) => {
      expect((await post(url, { input: ["a", "b", "c", "d"] })).status).toBe(200);
      const many = await post(url, { input: ["a", "b", "c", "d", "e"] });
      expect(many.status).toBe(400);
      expect(many.json.error).toMatchObject({ param: "input", code: "batch_too_large" });
      expect((await post(url, { input: "x".repeat(20) })).status).toBe(200);
      const long = await post(url, { input: ["ok", "x".repeat(21)] });
      expect(long.status).toBe(400);
      expect(long.json.error).toMatchObject({ param: "input", code: "text_too_long" });
      expect(long.json.error!.message).toContain("input[1]");
    });
  });

  it("enforces the default batch and text limits", async () => {
    await withServer({}, async ({ url }) => {
      expect((await post(url, { input: Array.from({ length: 2048 }, () => "hello") })).status).toBe(200);
      expect((await post(url, { input: Array.from({ length: 2049 }, () => "hello") })).status).toBe(400);
      expect((await post(url, { input: "a".repeat(100_000) })).status).toBe(200);
      expect((await post(url, { input: "a".repeat(100_001) })).status).toBe(400);
    });
  });

  it("rejects bad options", async () => {
    await expect(startServer({ models: {} })).rejects.toThrow(/at least one/);
    await expect(startServer({ models: { primary }, defaultModel: "other" })).rejects.toThrow(/defaultModel/);
    await expect(startServer({ models: { primary }, limits: { batchSize: 0 } })).rejects.toThrow(/batchSize/);
    await expect(startServer({ models: { primary }, port: -1 })).rejects.toThrow(/port/);
  });

  it("serves Hub-style names with a slash, and answers a malformed URL with a JSON 400", async () => {
    await withServer({ models: { "minishlab/potion 8%": primary } }, async ({ url }) => {
      const openai = client(url);
      expect((await openai.models.retrieve("minishlab/potion 8%")).id).toBe("minishlab/potion 8%");
      const result = await openai.embeddings.create({ model: "minishlab/potion 8%", input: "hello", encoding_format: "float" });
      expect(result.model).toBe("minishlab/potion 8%");
      const bad = await fetch(`${url}/v1/models/%E0%A4%A`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    });
  });

  it("uses defaultModel when the request omits `model`", async () => {
    await withServer({ models: { primary, secondary }, defaultModel: "secondary" }, async ({ url }) => {
      const { json } = await post(url, { input: "hello" });
      expect((json as unknown as { model: string; data: { embedding: number[] }[] }).model).toBe("secondary");
      expect((json as unknown as { data: { embedding: number[] }[] }).data[0]!.embedding).toHaveLength(8);
    });
  });
});

describe("server shutdown", () => {
  it("close() finishes an in-flight request, then refuses new connections", async () => {
    const server = await startServer({ models: { primary }, port: 0 });
    const { port } = new URL(server.url);
    const body = JSON.stringify({ input: ["hello world", "the fox"], encoding_format: "float" });
    const half = body.length >> 1;
    // A request whose body is still arriving when close() is called.
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: Number(port), method: "POST", path: "/v1/embeddings", headers: { "content-type": "application/json", "content-length": body.length } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, half));
      setTimeout(() => {
        closed = server.close();
        setTimeout(() => req.end(body.slice(half)), 100);
      }, 100);
    });
    let closed: Promise<void> | undefined;
    const { status, text } = await response;
    expect(status).toBe(200);
    const data = (JSON.parse(text) as { data: { embedding: number[] }[] }).data;
    expect(data.map((d) => d.embedding.map(Math.fround))).toEqual(primary.encode(["hello world", "the fox"]).toArray());
    const start = performance.now();
    await closed;
    expect(performance.now() - start).toBeLessThan(1000); // no wait for the keep-alive socket to time out
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it("installSignalHandlers closes the server on SIGTERM", async () => {
    const server = await startServer({ models: { primary }, port: 0 });
    let closedBySignal = false;
    const uninstall = installSignalHandlers(
      { close: () => server.close().then(() => void (closedBySignal = true)) },
      { exit: false },
    );
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      process.emit("SIGTERM");
      await expect.poll(() => closedBySignal, { timeout: 2000 }).toBe(true);
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      expect(process.listenerCount("SIGTERM")).toBe(0);
    } finally {
      uninstall();
    }
  });
});
