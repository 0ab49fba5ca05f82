/**
 * embeddingsHandler called directly with web-standard Requests, no sockets: the
 * routes, the key, the body cap on a streamed body, and that it imports nothing of Node.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { embeddingsHandler } from "../../src/server/index.js";
import { loadGenerated } from "../fixtures/index.js";
import { ROOT } from "../fixtures/run-cli.js";

const KEY = "sk-handler-0123456789";
const model = loadGenerated({ dim: 16, seed: 7 }).model;
const TEXTS = ["hello world", "the quick brown fox", ""];
const handler = embeddingsHandler({ models: { m: model }, apiKey: KEY });
const auth = { authorization: `Bearer ${KEY}` };

async function errorCode(response: Response): Promise<string | null> {
  return ((await response.json()) as { error: { code: string | null } }).error.code;
}

function embed(body: object, headers: Record<string, string> = auth): Promise<Response> {
  return handler(new Request("http://localhost/v1/embeddings", { method: "POST", headers, body: JSON.stringify(body) }));
}

describe("embeddingsHandler", () => {
  it("answers /health without the key, and every other route only with it", async () => {
    const health = await handler(new Request("http://localhost/health"));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", models: ["m"] });
    for (const url of ["http://localhost/v1/models", "http://x/%761/models/m", "http://localhost/v1/models/nope", "http://localhost/nowhere"]) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(401);
      expect(await errorCode(response)).toBe("invalid_api_key");
    }
    expect((await embed({ input: "hello" }, { authorization: "Bearer sk-wrong" })).status).toBe(401);
    const models = await handler(new Request("http://localhost/v1/models", { headers: auth }));
    expect(models.status).toBe(200);
    expect(((await models.json()) as { data: { id: string }[] }).data.map((d) => d.id)).toEqual(["m"]);
  });

  it("returns model.encode's vectors and the model's own token counts as usage", async () => {
    const response = await embed({ input: TEXTS, encoding_format: "float" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const json = (await response.json()) as { data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(json.data.map((d) => d.embedding.map(Math.fround))).toEqual(model.encode(TEXTS).toArray());
    const tokens = model.tokenize(TEXTS, { maxLength: 512 }).reduce((sum, ids) => sum + ids.length, 0);
    expect(tokens).toBeGreaterThan(3);
    expect(json.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it("answers wrong methods with 405 and Allow, unknown routes with 404", async () => {
    const wrong = await handler(new Request("http://localhost/v1/embeddings", { headers: auth }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(await errorCode(wrong)).toBe("method_not_allowed");
    const missing = await handler(new Request("http://localhost/v1/chat/completions", { method: "POST", headers: auth, body: "{}" }));
    expect(missing.status).toBe(404);
    expect(await errorCode(missing)).toBe("not_found");
  });

  it("caps a streamed body with no Content-Length at limits.bodyBytes", async () => {
    const capped = embeddingsHandler({ models: { m: model }, limits: { bodyBytes: 1000 } });
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new TextEncoder().encode(`{"input":"${"a".repeat(400)}`));
      },
    });
    const request = new Request("http://localhost/v1/embeddings", { method: "POST", body: endless, duplex: "half" } as RequestInit);
    const response = await capped(request);
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe("request_too_large");
    expect(pulls).toBeLessThan(5); // stopped reading past the cap
  });

  it("lets other requests through between the chunks of a large batch", async () => {
    const open = embeddingsHandler({ models: { m: model } });
    const order: string[] = [];
    const big = open(
      new Request("http://localhost/v1/embeddings", { method: "POST", body: JSON.stringify({ input: Array.from({ length: 2048 }, (_, i) => `text ${i}`) }) }),
    ).then((response) => order.push(`embeddings ${response.status}`));
    await new Promise((resolve) => setTimeout(resolve, 0)); // the batch has started
    const health = open(new Request("http://localhost/health")).then((response) => order.push(`health ${response.status}`));
    await Promise.all([big, health]);
    expect(order).toEqual(["health 200", "embeddings 200"]);
  });

  it("rejects bad options naming embeddingsHandler", () => {
    expect(() => embeddingsHandler({ models: {} })).toThrow("embeddingsHandler: `models` must name at least one StaticModel");
    expect(() => embeddingsHandler({ models: { m: model }, limits: { bodyBytes: 0 } })).toThrow("embeddingsHandler: limits.bodyBytes");
    expect(() => embeddingsHandler({ models: { m: model }, apiKey: "" })).toThrow("apiKey must be a non-empty string");
  });

  it("imports nothing of Node, directly or through the modules it imports", () => {
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      // Static imports (side-effect ones too) and re-exports that are not type-only, and dynamic imports.
      for (const match of source.matchAll(/^(?:import|export)(?!\s+type\b)(?:[^;"]*?from)?\s*"([^"]+)"|import\(\s*"([^"]+)"\s*\)/gm)) {
        const specifier = match[1] ?? match[2]!;
        if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
        else nodeImports.push(`${file}: ${specifier}`);
      }
    };
    visit(join(ROOT, "src/server/handler.ts"));
    expect(seen.size).toBeGreaterThan(5);
    expect(nodeImports).toEqual([]);
  });
});
