/**
 * The OpenAI embeddings API as a web-standard `(Request) => Promise<Response>`
 * function: `POST /v1/embeddings`, `GET /v1/models`, `GET /v1/models/:id` and
 * `GET /health`. It imports nothing of Node, so it runs as is on Deno, Bun,
 * Cloudflare Workers and under any framework that speaks Request/Response;
 * `startServer` (server.ts) serves it on Node's `http`.
 */
import { ApiError } from "./api-error.js";
import { BearerKey } from "./auth.js";
import { modelNotFound, parseEmbeddingRequest } from "./embedding-request.js";
import { embeddingResponse } from "./embedding-response.js";
import { type HandlerOptions, checkLimits, checkModels } from "./handler-options.js";
import { readJsonBody } from "./read-body.js";

export type { HandlerOptions, HandlerLimits } from "./handler-options.js";

/** The methods each route answers, for 405's `Allow`. */
const ALLOW = { embeddings: "POST", read: "GET, HEAD" };
const MODELS_PREFIX = "/v1/models/";

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
  return createHandler(options, "embeddingsHandler");
}

/** {@link embeddingsHandler}, with `caller` naming the public function in option errors. */
export function createHandler(options: HandlerOptions, caller: string): (request: Request) => Promise<Response> {
  const { models, defaultModel, apiKey } = checkModels(options, caller);
  const limits = checkLimits(options.limits, ["bodyBytes", "batchSize", "textLength"], caller);
  const key = apiKey === undefined ? null : new BearerKey(apiKey);
  const log = options.log;
  const created = Math.floor(Date.now() / 1000);
  const modelEntry = (name: string) => ({ id: name, object: "model", created, owned_by: "model2vec" });

  async function route(request: Request, rawPath: string): Promise<Response> {
    const method = request.method === "HEAD" ? "GET" : request.method;
    const path = decodePath(rawPath);
    if (key !== null && !(path === "/health" && method === "GET")) await key.check(request.headers.get("authorization"));
    if (path === null) throw new ApiError(400, `The request path ${rawPath} is not valid percent-encoded UTF-8.`, null, "invalid_url");
    if (path === "/v1/embeddings") {
      if (method !== "POST") throw new MethodNotAllowed(request.method, path, ALLOW.embeddings);
      const body = await readJsonBody(request, limits.bodyBytes);
      return json(200, await embeddingResponse(parseEmbeddingRequest(body, models, defaultModel, limits)));
    }
    const readable = path === "/health" || path === "/v1/models" || path.startsWith(MODELS_PREFIX);
    if (!readable) throw new ApiError(404, `No route ${request.method} ${path}.`, null, "not_found");
    if (method !== "GET") throw new MethodNotAllowed(request.method, path, ALLOW.read);
    if (path === "/health") return json(200, JSON.stringify({ status: "ok", models: [...models.keys()] }));
    if (path === "/v1/models") return json(200, JSON.stringify({ object: "list", data: [...models.keys()].map(modelEntry) }));
    const name = path.slice(MODELS_PREFIX.length); // may hold "/": Hub-style names
    if (!models.has(name)) throw modelNotFound(name);
    return json(200, JSON.stringify(modelEntry(name)));
  }

  return async (request) => {
    const start = performance.now();
    const rawPath = new URL(request.url).pathname; // no query: it may hold a key
    let response: Response;
    try {
      response = await route(request, rawPath);
    } catch (error) {
      response = errorResponse(error);
    }
    if (log) {
      try {
        log(`${request.method} ${rawPath} ${response.status} ${(performance.now() - start).toFixed(1)}ms`);
      } catch {
        // A throwing logger must not break the server.
      }
    }
    return response;
  };
}

/** The OpenAI-shaped response of `error`; anything but an ApiError is a 500 that tells nothing of its cause. */
export function errorResponse(error: unknown): Response {
  const apiError =
    error instanceof ApiError ? error : new ApiError(500, "The server had an error while processing the request.", null, "internal_error", "server_error");
  const headers: Record<string, string> = error instanceof MethodNotAllowed ? { allow: error.allow } : {};
  return json(apiError.status, apiError.toJson(), headers);
}

/** A 405, with the methods the route does answer. */
class MethodNotAllowed extends ApiError {
  constructor(
    method: string,
    path: string,
    readonly allow: string,
  ) {
    super(405, `Method ${method} is not allowed on ${path}; use ${allow}.`, null, "method_not_allowed");
  }
}

/** The percent-decoded path, or null when it does not decode. */
function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

function json(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}
