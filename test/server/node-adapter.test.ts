/**
 * The Node adapter over raw sockets: a body the handler refuses unread leaves the
 * keep-alive connection usable, and what a web Request cannot carry is a JSON 400.
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
      const tooLarge = keepAlive("POST", "/v1/embeddings", { authorization: `Bearer ${KEY}` }, "y".repeat(5000));
      const last = httpText("GET", "/v1/models", { authorization: `Bearer ${KEY}` });
      const response = await rawRequest(url, unauthorized + tooLarge + last);
      expect(statuses(response.raw)).toEqual([401, 413, 200]);
      expect(response.body).toContain('"object":"list"');
    });
  }, 20_000);

  it("answers a method a web Request cannot carry with a JSON 400", async () => {
    await withServer(async ({ url }) => {
      const response = await rawRequest(url, httpText("TRACE", "/health"));
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: "malformed_request", type: "invalid_request_error" } });
    });
  });
});
