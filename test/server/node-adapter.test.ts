/**
 * The Node adapter over raw sockets: a body the routes refuse unread leaves the
 * keep-alive connection usable, and a target that is no URL is a JSON 400.
 */
import { describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { loadGenerated } from "../fixtures/index.js";
import { httpText, rawRequest } from "./raw-http.js";

const KEY = "sk-adapter-0123456789";
const model = loadGenerated({ dim: 16, seed: 7 }).model;

/** A keep-alive request: `httpText` less its `Connection: close`. */
function keepAlive(method: string, target: string, headers: Record<string, string>, body: string): string {
  return httpText(method, target, headers, body).replace("Connection: close\r\n", "");
}

/** The status codes of the responses in `raw`, in order. */
function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

async function withServer<T>(run: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer({ models: { m: model }, port: 0, apiKey: KEY, limits: { bodyBytes: 1000, requestTimeoutMs: 60_000 } });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

describe("Node adapter", () => {
  it("discards a body the handler did not read, then answers the next request on the same connection", async () => {
    await withServer(async ({ url }) => {
      const body = JSON.stringify({ input: "x".repeat(500_000) }); // many socket reads: a body left unread would stall the connection
      const unauthorized = keepAlive("POST", "/v1/embeddings", { "content-type": "application/json" }, body);
      const tooLarge = keepAlive("POST", "/v1/embeddings", { authorization: `Bearer ${KEY}` }, "y".repeat(5000)); // refused by its Content-Length
      // No Content-Length: refused once 1000 bytes were read, with most of it still to come.
      const chunk = "z".repeat(2000);
      const chunked =
        `POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(100) +
        "0\r\n\r\n";
      const last = httpText("GET", "/v1/models", { authorization: `Bearer ${KEY}` });
      const response = await rawRequest(url, unauthorized + tooLarge + chunked + last);
      expect(statuses(response.raw)).toEqual([401, 413, 413, 200]);
      expect(response.body).toContain('"object":"list"');
    });
  }, 20_000);

  it("answers a target that is no URL with a JSON 400, and a method no route takes with a 405", async () => {
    await withServer(async ({ url }) => {
      const bad = await rawRequest(url, httpText("GET", "http://[x/v1/models", { authorization: `Bearer ${KEY}` }));
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ error: { code: "malformed_request", type: "invalid_request_error" } });
      const trace = await rawRequest(url, httpText("TRACE", "/health"));
      expect(trace.status).toBe(401); // the key first: only GET /health is open
      const traced = await rawRequest(url, httpText("TRACE", "/health", { authorization: `Bearer ${KEY}` }));
      expect(traced.status).toBe(405);
      expect(traced.headers.allow).toBe("GET, HEAD");
    });
  });
});
