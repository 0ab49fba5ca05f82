/**
 * The OpenAI embeddings API on a request reduced to what the routes read
 * ({@link RequestParts}), answering an {@link Answer}: the one core of both the
 * web-standard `embeddingsHandler` and the Node adapter, which build the parts
 * straight from Node's IncomingMessage (a web Request and Response cost Node 20
 * about as much CPU again as the whole rest of a 1-text request).
 */
import { ApiError } from "./api-error.js";
import { BearerKey } from "./auth.js";
import { modelNotFound, parseEmbeddingRequest } from "./embedding-request.js";
import { embeddingResponse } from "./embedding-response.js";
import { type HandlerOptions, checkLimits, checkModels } from "./handler-options.js";
import { readJsonBody } from "./read-body.js";

/** What the routes read of a request. */
export interface RequestParts {
  method: string;
  /** The path as sent, still percent-encoded, without the query (it may hold a key: never logged). */
  path: string;
  /** A header's value, or null. */
  header(name: string): string | null;
  /** The body's chunks, null when there is none. Left unread or partly read when refused. */
  body: AsyncIterable<Uint8Array> | null;
}

/** A response: always a JSON body. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The methods each route answers, for 405's `Allow`. */
const ALLOW = { embeddings: "POST", read: "GET, HEAD" };
const MODELS_PREFIX = "/v1/models/";

/**
 * The routes of `options`. `caller` names the public function in option errors.
 *
 * @throws InvalidInputError for bad options (no models, unknown `defaultModel`, bad limits, empty key).
 */
export function createRoutes(options: HandlerOptions, caller: string): (request: RequestParts) => Promise<Answer> {
  const { models, defaultModel, apiKey } = checkModels(options, caller);
  const limits = checkLimits(options.limits, ["bodyBytes", "batchSize", "textLength"], caller);
  const key = apiKey === undefined ? null : new BearerKey(apiKey);
  const log = options.log;
  const created = Math.floor(Date.now() / 1000);
  const modelEntry = (name: string) => ({ id: name, object: "model", created, owned_by: "model2vec" });

  // The key is checked on the route the percent-decoded path matched, never on the raw target:
  // only GET /health is open, unknown routes included, so no spelling of a path skips the key.
  async function route(request: RequestParts): Promise<Answer> {
    const method = request.method === "HEAD" ? "GET" : request.method;
    const path = decodePath(request.path);
    if (key !== null && !(path === "/health" && method === "GET")) await key.check(request.header("authorization"));
    if (path === null) throw new ApiError(400, `The request path ${request.path} is not valid percent-encoded UTF-8.`, null, "invalid_url");
    if (path === "/v1/embeddings") {
      if (method !== "POST") throw new MethodNotAllowed(request.method, path, ALLOW.embeddings);
      const body = await readJsonBody(request.body, request.header("content-length"), limits.bodyBytes);
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
    let answer: Answer;
    try {
      answer = await route(request);
    } catch (error) {
      answer = errorAnswer(error);
    }
    if (log) {
      try {
        log(`${request.method} ${request.path} ${answer.status} ${(performance.now() - start).toFixed(1)}ms`);
      } catch {
        // A throwing logger must not break the server.
      }
    }
    return answer;
  };
}

/** The OpenAI-shaped answer of `error`; anything but an ApiError is a 500 that tells nothing of its cause. */
export function errorAnswer(error: unknown): Answer {
  const apiError =
    error instanceof ApiError ? error : new ApiError(500, "The server had an error while processing the request.", null, "internal_error", "server_error");
  return json(apiError.status, apiError.toJson(), error instanceof MethodNotAllowed ? { allow: error.allow } : {});
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

function json(status: number, body: string, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body };
}
