/**
 * The server against hostile clients, over raw node:net sockets: API-key bypass attempts,
 * stalled and malformed requests, the connection cap, deeply nested JSON and non-finite output.
 */
import { type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server/server.js";
import { loadGenerated } from "../fixtures/index.js";
import { type RawResponse, httpText, openSocket, rawRequest, responseOf } from "./raw-http.js";

const KEY = "sk-hardening-0123456789";
const model = loadGenerated({ dim: 16, seed: 7 }).model;
const EMBED_BODY = JSON.stringify({ input: "hello world", encoding_format: "float" });

async function withServer<T>(options: Partial<ServerOptions>, run: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer({ models: { m: model }, port: 0, ...options });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

/** The OpenAI error object of a raw response, or a failure naming what came back instead. */
function errorOf(response: RawResponse): { message: string; type: string; param: string | null; code: string | null } {
  expect(response.headers["content-type"], response.raw).toMatch(/^application\/json/);
  const json = JSON.parse(response.body) as { error: { message: string; type: string; param: string | null; code: string | null } };
  expect(typeof json.error, response.body).toBe("object");
  expect(typeof json.error.message).toBe("string");
  expect(typeof json.error.type).toBe("string");
  return json.error;
}

/** Every spelling of `path` a lenient router or proxy might take for it. */
function spellings(path: string): string[] {
  const [, first, ...rest] = path.split("/"); // "", "v1", ...
  const tail = rest.join("/");
  const encodeAll = (text: string) => [...text].map((c) => (c === "/" ? c : `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)).join("");
  return [
    path,
    `/%76${first!.slice(1)}/${tail}`, // "/%761/embeddings"
    `/%56${first!.slice(1)}/${tail}`, // %56 is "V"
    encodeAll(path),
    encodeAll(path).toUpperCase(),
    `http://x${path}`,
    `http://x.${path}`,
    `HTTP://X${path}`,
    `http://127.0.0.1:1/${encodeAll(path).slice(1)}`,
    `//${path.slice(1)}`,
    path.replace("/", "//").replace(/\/(?=[^/]*$)/, "//"),
    `${path}/`,
    `${path}.`,
    `/${first}./${tail}`,
    `${path}?`,
    `${path}?api_key=${KEY}`,
    `${path}#x`,
    path.toUpperCase(),
    `/${first!.toUpperCase()}/${tail}`,
    `/${first}/${tail.toUpperCase()}`,
    `/./${path.slice(1)}`,
    `/x/..${path}`,
  ];
}

describe("API key", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ models: { m: model }, port: 0, apiKey: KEY });
  });
  afterAll(() => server.close());

  const routes: [method: string, path: string, body: string][] = [
    ["POST", "/v1/embeddings", EMBED_BODY],
    ["GET", "/v1/models", ""],
    ["HEAD", "/v1/models", ""],
    ["GET", "/v1/models/m", ""],
    ["HEAD", "/v1/models/m", ""],
  ];

  it("answers every spelling of every /v1 route with 401 and no data when the key is missing", async () => {
    const wrong: string[] = [];
    for (const [method, path, body] of routes) {
      for (const target of spellings(path)) {
        const response = await rawRequest(server.url, httpText(method, target, { "content-type": "application/json" }, body));
        if (response.status !== 401) wrong.push(`${method} ${target} -> ${response.status} ${response.body.slice(0, 60)}`);
        else if (method !== "HEAD") expect(errorOf(response).code).toBe("invalid_api_key");
      }
    }
    expect(wrong).toEqual([]);
  });

  it("routes the decoded and absolute-form spellings to the real handler once the key is sent", async () => {
    // Proves the bypass spellings above do reach the routes: with the key they are answered.
    const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    for (const target of ["/%761/embeddings", "http://x/v1/embeddings"]) {
      const response = await rawRequest(server.url, httpText("POST", target, auth, EMBED_BODY));
      expect(response.status, target).toBe(200);
      expect((JSON.parse(response.body) as { data: unknown[] }).data).toHaveLength(1);
    }
    expect((await rawRequest(server.url, httpText("GET", "/%761/models/m", auth))).status).toBe(200);
  });

  it("keeps /health open without the key", async () => {
    for (const target of ["/health", "http://x/health", "/%68ealth"]) {
      const response = await rawRequest(server.url, httpText("GET", target));
      expect(response.status, target).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ status: "ok", models: ["m"] });
    }
    expect((await rawRequest(server.url, httpText("HEAD", "/health"))).status).toBe(200);
  });

  it("asks for the key on unknown routes too, rather than telling which exist", async () => {
    const response = await rawRequest(server.url, httpText("GET", "/v2/anything"));
    expect(response.status).toBe(401);
    expect(errorOf(response).code).toBe("invalid_api_key");
  });
});

describe("stalled requests", () => {
  /** Headers announcing a 100-byte body, then one byte of it. */
  const stalledStart = httpText("POST", "/v1/embeddings", { "content-type": "application/json" }).replace("Content-Length: 0", "Content-Length: 100") + "{";

  it("answers a body that stalls after one byte with a JSON 408 and closes the connection", async () => {
    await withServer({ limits: { requestTimeoutMs: 1000, headersTimeoutMs: 500 } }, async ({ url }) => {
      const socket = await openSocket(url);
      const response = responseOf(socket);
      socket.write(stalledStart);
      const answer = await response; // resolves only once the server closes the connection
      expect(answer.status).toBe(408);
      expect(errorOf(answer)).toMatchObject({ type: "invalid_request_error", code: "request_timeout" });
    });
  }, 30_000);

  it("answers a connection that sends nothing, or never finishes its headers, with a JSON 408", async () => {
    await withServer({ limits: { requestTimeoutMs: 1000, headersTimeoutMs: 500 } }, async ({ url }) => {
      for (const start of ["", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\n"]) {
        const socket = await openSocket(url);
        const response = responseOf(socket);
        socket.write(start);
        const answer = await response;
        expect(answer.status, JSON.stringify(start)).toBe(408);
        expect(errorOf(answer).code).toBe("request_timeout");
      }
    });
  }, 30_000);

  it("answers /health while stalled connections fill all but one slot, and closes connections past the cap at once", async () => {
    const cap = 40;
    await withServer({ limits: { connections: cap, requestTimeoutMs: 60_000, headersTimeoutMs: 60_000 } }, async ({ url }) => {
      const stalled: Socket[] = [];
      const stalledAnswers: RawResponse[] = [];
      try {
        for (let i = 0; i < cap - 1; i++) {
          const socket = await openSocket(url);
          void responseOf(socket).then((answer) => stalledAnswers.push(answer));
          socket.write(stalledStart);
          stalled.push(socket);
        }
        // One slot left: /health is answered, on a connection the server then closes.
        const health = await rawRequest(url, httpText("GET", "/health"));
        expect(health.status).toBe(200);

        // Fill the last slot, then one more: that one is closed with nothing sent, while the stalled ones still wait.
        const last = await openSocket(url);
        void responseOf(last);
        last.write(stalledStart);
        stalled.push(last);
        const extra = await openSocket(url);
        const refused = await responseOf(extra);
        expect(refused.raw).toBe("");
        expect(stalledAnswers).toEqual([]);
      } finally {
        for (const socket of stalled) socket.destroy();
      }
    });
  }, 60_000);

  it("rejects timeouts and caps that are not positive integers", async () => {
    for (const key of ["requestTimeoutMs", "headersTimeoutMs", "connections"]) {
      await expect(startServer({ models: { m: model }, port: 0, limits: { [key]: 0 } })).rejects.toThrow(`limits.${key}`);
    }
  });
});

describe("malformed requests", () => {
  it("answers Node's parse errors with the same OpenAI-shaped JSON as every other error", async () => {
    await withServer({}, async ({ url }) => {
      const cases: [name: string, request: string, status: number][] = [
        ["bad Content-Length", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400],
        ["Content-Length and Transfer-Encoding", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
        ["two different Content-Lengths", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400],
        ["garbage request line", "GARBAGE\r\n\r\n", 400],
        ["binary request line", "\u0000\u0001\u0002 / HTTP/1.1\r\n\r\n", 400],
        ["header without a colon", "GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400],
        ["oversized headers", `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
      ];
      for (const [name, request, status] of cases) {
        const response = await rawRequest(url, request);
        expect(response.status, name).toBe(status);
        const error = errorOf(response);
        expect(error.type, name).toBe("invalid_request_error");
        expect(error.param, name).toBeNull();
        expect(error.code, name).toBe(status === 431 ? "headers_too_large" : "malformed_request");
      }
      // The server is still fine.
      expect((await rawRequest(url, httpText("GET", "/health"))).status).toBe(200);
    });
  });

  it("refuses deeply nested JSON with a 400 before parsing it", async () => {
    await withServer({}, async ({ url }) => {
      const depth = 4_500_000; // a 9 MB body
      for (const body of ["[".repeat(depth) + "]".repeat(depth), `{"input":${"[".repeat(depth)}${"]".repeat(depth)}}`, `{"a":`.repeat(1_500_000)]) {
        const response = await rawRequest(url, httpText("POST", "/v1/embeddings", { "content-type": "application/json" }, body));
        expect(response.status).toBe(400);
        const error = errorOf(response);
        expect(error.code).toBe("json_too_deep");
        expect(error.message).toContain("nested deeper than 16");
      }
      // Brackets and quotes inside strings are text, not nesting.
      const texts = ["[".repeat(100), '\\"[[[[[[[[[[[[[[[[[[[[[[', "{{{{{{{{{{{{{{{{{{{{{{{{{"];
      const response = await rawRequest(
        url,
        httpText("POST", "/v1/embeddings", { "content-type": "application/json" }, JSON.stringify({ input: texts, encoding_format: "float" })),
      );
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as { data: unknown[] }).data).toHaveLength(3);
    });
  }, 60_000);
});

describe("non-finite embeddings", () => {
  it("answers a NaN or infinite embedding with a JSON 500 instead of invalid JSON", async () => {
    const broken = loadGenerated({ dim: 16, seed: 7 }).model;
    const [id] = broken.tokenize(["hello"], { maxLength: 512 })[0]!;
    const table = broken.embedding.data;
    table[(broken.mapping?.[id!] ?? id!) * broken.dim] = Number.NaN;
    await withServer({ models: { broken } }, async ({ url }) => {
      for (const format of ["float", "base64"]) {
        const response = await rawRequest(
          url,
          httpText("POST", "/v1/embeddings", { "content-type": "application/json" }, JSON.stringify({ input: ["fine", "hello"], encoding_format: format })),
        );
        expect(response.status, format).toBe(500);
        const error = errorOf(response);
        expect(error).toMatchObject({ type: "server_error", code: "non_finite_embedding" });
        expect(error.message).toContain("input[1]");
      }
    });
  });
});
