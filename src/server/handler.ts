/**
 * The OpenAI embeddings API as a web-standard `(Request) => Promise<Response>`
 * function: `POST /v1/embeddings`, `GET /v1/models`, `GET /v1/models/:id` and
 * `GET /health`. It imports nothing of Node, so it runs as is on Deno, Bun,
 * Cloudflare Workers and under any framework that speaks Request/Response;
 * `startServer` (server.ts) serves the same routes on Node's `http`.
 */
import type { HandlerOptions } from "./handler-options.js";
import { createRoutes } from "./routes.js";

export type { HandlerOptions, HandlerLimits } from "./handler-options.js";

/**
 * Makes the request handler of an OpenAI-compatible embeddings server.
 *
 * Every route but `GET /health` needs the API key when one is set, unknown routes
 * included; the key is checked on the route the percent-decoded path matched, so no
 * spelling of a path reaches a route without it. Errors are OpenAI-shaped JSON.
 *
 * @example
 * ```ts
 * const handler = embeddingsHandler({ models: { potion: await StaticModel.fromPretrained() } });
 * Deno.serve(handler); // or Bun.serve({ fetch: handler }), or export default { fetch: handler }
 * ```
 * @throws InvalidInputError for bad options (no models, unknown `defaultModel`, bad limits, empty key).
 */
export function embeddingsHandler(options: HandlerOptions): (request: Request) => Promise<Response> {
  const routes = createRoutes(options, "embeddingsHandler");
  return async (request) => {
    const { status, headers, body } = await routes({
      method: request.method,
      path: new URL(request.url).pathname,
      header: (name) => request.headers.get(name),
      body: request.body === null ? null : chunksOf(request.body),
    });
    return new Response(body, { status, headers });
  };
}

/** The chunks of `stream`; stopping early cancels it, so that its source stops sending. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const part = await reader.read();
      if (part.done) break;
      yield part.value;
    }
    done = true;
  } finally {
    if (!done) await reader.cancel();
  }
}
