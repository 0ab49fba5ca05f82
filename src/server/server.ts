/**
 * An embeddings HTTP server speaking the OpenAI API (`POST /v1/embeddings`,
 * `GET /v1/models`, `GET /v1/models/:id`), plus `GET /health`, on Fastify 5.
 *
 * Any OpenAI client works against it: `new OpenAI({ baseURL: url + "/v1", apiKey })`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { Server as NetServer } from "node:net";
import { endianness } from "node:os";
import { setImmediate as nextLoopTurn, setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import { InvalidInputError } from "../errors.js";
import { type EmbeddingTable, PoolScratch, meanPool } from "../model/pooling.js";
import type { StaticModel } from "../model/static-model.js";
import { ApiError } from "./api-error.js";
import { answerClientError } from "./client-error.js";
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT } from "./defaults.js";
import { nestedDeeperThan } from "./json-depth.js";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The models served, by name (the request's `model` field). At least one. */
  models: Record<string, StaticModel>;
  /** Used when a request omits `model`; default the first of `models`. */
  defaultModel?: string | undefined;
  /** Default "127.0.0.1". */
  host?: string | undefined;
  /** Default 8080; 0 picks a free port (read it from the returned `url`). */
  port?: number | undefined;
  /** When set, every route but `GET /health` needs `Authorization: Bearer <apiKey>`; otherwise 401. Never logged. */
  apiKey?: string | undefined;
  limits?: {
    /** Largest request body in bytes; default 10 MB. Larger → 413. */
    bodyBytes?: number | undefined;
    /** Most texts per request; default 2048. More → 400. */
    batchSize?: number | undefined;
    /** Longest text in UTF-16 code units (JavaScript `length`); default 100,000. Longer → 400. */
    textLength?: number | undefined;
    /** Most open connections; default 512. Connections past it are closed as soon as they are accepted. */
    connections?: number | undefined;
    /** Time to receive a whole request, headers and body, in ms; default 30,000. Past it → 408 and the connection is closed. */
    requestTimeoutMs?: number | undefined;
    /** Time to receive the request headers, in ms; default 10,000, and at most `requestTimeoutMs`. Past it → 408. */
    headersTimeoutMs?: number | undefined;
  } | undefined;
  /** Called once per request with `METHOD /path STATUS 1.2ms`: never the key, the query or the texts. */
  log?: ((line: string) => void) | undefined;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port`, with the actual port when `port` was 0. */
  url: string;
  /**
   * Refuses new connections at once, answers every request already received
   * (each response then closes its connection), closes idle connections, then
   * resolves. Idempotent.
   */
  close(): Promise<void>;
}

/** Tokens kept per text, as `StaticModel.encode` does by default. */
const MAX_TOKENS = 512;
/** Texts pooled between yields to the event loop, so one large batch does not stall every other request. */
const CHUNK = 256;
/** Deepest JSON nesting accepted; a valid request needs 2 (`{"input":[…]}`), token ids 3 (refused later, with a clear message). */
const MAX_JSON_DEPTH = 16;
/** Connections the kernel holds for the server before it accepts them (Node's default). */
const LISTEN_BACKLOG = 511;
/** How long close() lets requests already sent, but not yet read from their sockets, arrive before idle connections are closed. */
const DRAIN_GRACE_MS = 50;
const LITTLE_ENDIAN = endianness() === "LE";

interface ServedModel {
  name: string;
  model: StaticModel;
  source: EmbeddingTable;
}

/**
 * Starts the server and resolves once it is listening.
 *
 * @throws InvalidInputError for bad options (no models, unknown `defaultModel`, bad limits or port);
 *   the listen error (e.g. EADDRINUSE) when the port cannot be bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = checkOptions(options);
  const { served, defaultModel, limits, apiKey, log } = config;
  const created = Math.floor(Date.now() / 1000);
  const keyDigest = apiKey === undefined ? null : sha256(apiKey);

  // Node checks the request and headers timeouts every `connectionsCheckingInterval`,
  // 30 s by default: far too coarse for a 30 s timeout.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout,
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    // close() below decides which connections to drop.
    forceCloseConnections: false,
    // Requests on connections still open while closing are served; see close().
    return503OnClosing: false,
    // Malformed URLs and the like, which never reach the error handler.
    frameworkErrors: (error, _request, reply) => sendError(reply, toApiError(error)),
    // Requests Node cannot parse, and requests that do not arrive in time.
    clientErrorHandler: answerClientError,
  });
  app.server.maxConnections = limits.connections;

  // Parse every body as JSON whatever its content type (curl -d sends form-urlencoded).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(new ApiError(400, "The request body is empty; send a JSON object."), undefined);
    if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(new ApiError(400, `The request body is JSON nested deeper than ${MAX_JSON_DEPTH} levels.`, null, "json_too_deep"), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ApiError(400, `The request body is not valid JSON: ${(error as Error).message}`, null, "invalid_json"), undefined);
    }
  });

  // While closing, end each connection after its response so close() need not wait for keep-alive timeouts.
  let closing: Promise<void> | null = null;
  app.addHook("onSend", async (_request, reply) => {
    if (closing !== null) reply.header("connection", "close");
  });

  // Decided on the route the router matched (after it decoded the path and took the path out of an
  // absolute-form target), never on the raw URL: only routes marked public skip the key, 404s included.
  app.addHook("onRequest", async (request) => {
    if (keyDigest === null || (request.routeOptions.config as RouteConfig).public === true) return;
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (match === null) {
      throw new ApiError(401, "You didn't provide an API key. Send it as `Authorization: Bearer <key>`.", null, "invalid_api_key");
    }
    if (!timingSafeEqual(sha256(match[1]!), keyDigest)) {
      throw new ApiError(401, "Incorrect API key provided.", null, "invalid_api_key");
    }
  });

  if (log) {
    app.addHook("onResponse", async (request, reply) => {
      try {
        log(`${request.method} ${pathOf(request.url)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
      } catch {
        // A throwing logger must not break the server.
      }
    });
  }

  app.setErrorHandler((error: FastifyError | ApiError, _request, reply) => sendError(reply, toApiError(error)));

  const routes = new Map<string, string>([
    ["/v1/embeddings", "POST"],
    ["/v1/models", "GET, HEAD"],
    ["/health", "GET, HEAD"],
  ]);
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const allow = routes.get(path) ?? (path.startsWith("/v1/models/") ? "GET, HEAD" : undefined);
    if (allow !== undefined) {
      reply.header("allow", allow);
      return sendError(reply, new ApiError(405, `Method ${request.method} is not allowed on ${path}; use ${allow}.`, null, "method_not_allowed"));
    }
    return sendError(reply, new ApiError(404, `No route ${request.method} ${path}.`, null, "not_found"));
  });

  app.get("/health", { config: { public: true } satisfies RouteConfig }, async (_request, reply) => {
    reply.type("application/json");
    return JSON.stringify({ status: "ok", models: [...served.keys()] });
  });

  const modelEntry = (name: string) => ({ id: name, object: "model", created, owned_by: "model2vec" });
  app.get("/v1/models", async (_request, reply) => {
    reply.type("application/json");
    return JSON.stringify({ object: "list", data: [...served.keys()].map(modelEntry) });
  });
  app.get("/v1/models/*", async (request, reply) => {
    const name = (request.params as { "*": string })["*"]; // already percent-decoded; may hold "/"
    if (!served.has(name)) throw modelNotFound(name);
    reply.type("application/json");
    return JSON.stringify(modelEntry(name));
  });

  app.post("/v1/embeddings", async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = parseEmbeddingRequest(request.body, served, defaultModel, limits);
    const body = await embed(parsed);
    reply.type("application/json");
    return body;
  });

  // Counted so that close() can tell when the listening socket's backlog is empty.
  let arrivals = 0;
  app.server.on("connection", () => arrivals++).on("drop", () => arrivals++);

  await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  const drainAndClose = async () => {
    // Requests sent before close() may still wait, unread, because the event loop was busy: in the
    // listening socket's backlog, or in the buffers of connections. Each step below keeps them.
    // 1. Accept the backlog (closing the listening socket would reset it). libuv accepts one connection
    //    per event-loop turn: turn until a turn brings none, at most as many turns as the backlog holds.
    //    A turn goes from one check phase to the next, so that it holds exactly one poll phase.
    await nextLoopTurn();
    for (let turn = 0; turn < LISTEN_BACKLOG; turn++) {
      const before = arrivals;
      await nextLoopTurn();
      if (arrivals === before) break;
    }
    // 2. Refuse new connections, closing only the listening socket: http.Server.close() would also drop
    //    every connection with no request in progress, including those whose request is still unread,
    //    and stop enforcing the request timeout, so that a stalled client could hold close() forever.
    const allClosed = once(app.server, "close"); // emitted once the listening socket and every connection are closed
    NetServer.prototype.close.call(app.server);
    // 3. Let the event loop read the connections' buffers (a poll phase comes before the next check
    //    phase): their requests are then in progress, and will be answered.
    await sleep(DRAIN_GRACE_MS);
    await nextLoopTurn();
    // 4. Drop the connections still idle, and wait for the others: each ends after its response, or
    //    at the request timeout.
    app.server.closeIdleConnections();
    await allClosed;
    await app.close();
  };

  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= drainAndClose();
      return closing;
    },
  };
}

/** What a route tells the hooks about itself. */
interface RouteConfig {
  /** Answered without the API key. */
  public?: boolean;
}

/**
 * Closes `server` on SIGTERM or SIGINT: in-flight requests finish first. A
 * second signal while closing exits at once with code 1.
 *
 * @param options.exit - Call `process.exit(0)` once closed (default true); with false the
 *   process exits by itself once nothing else keeps it alive.
 * @returns A function that removes the handlers.
 */
export function installSignalHandlers(
  server: { close(): Promise<void> },
  options: { signals?: readonly NodeJS.Signals[] | undefined; exit?: boolean | undefined } = {},
): () => void {
  const signals = options.signals ?? (["SIGTERM", "SIGINT"] as const);
  const exit = options.exit ?? true;
  let closing = false;
  const handler = () => {
    if (closing) {
      process.exit(1);
    }
    closing = true;
    server.close().then(
      () => {
        uninstall();
        if (exit) process.exit(0);
      },
      (error: unknown) => {
        console.error("model2vec server: error while closing", error);
        uninstall();
        if (exit) process.exit(1);
      },
    );
  };
  const uninstall = () => {
    for (const signal of signals) process.off(signal, handler);
  };
  for (const signal of signals) process.on(signal, handler);
  return uninstall;
}

// ------------------------------------------------------------------ options

function checkOptions(options: ServerOptions) {
  if (options === null || typeof options !== "object") throw new InvalidInputError("startServer needs an options object");
  const names = Object.keys(options.models ?? {});
  if (names.length === 0) throw new InvalidInputError("startServer: `models` must name at least one StaticModel");
  const served = new Map<string, ServedModel>();
  for (const name of names) {
    const model = options.models[name];
    if (name === "" || !model || typeof model.tokenize !== "function" || !model.embedding) {
      throw new InvalidInputError(`startServer: models[${JSON.stringify(name)}] is not a StaticModel`);
    }
    const source: EmbeddingTable = { table: model.embedding.data, dim: model.embedding.dim, mapping: model.mapping, weights: model.weights };
    served.set(name, { name, model, source });
  }
  const defaultModel = options.defaultModel ?? names[0]!;
  if (!served.has(defaultModel)) {
    throw new InvalidInputError(`startServer: defaultModel ${JSON.stringify(defaultModel)} is not one of ${names.join(", ")}`);
  }
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof typeof DEFAULT_LIMITS)[]) {
    const value = options.limits?.[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`startServer: limits.${key} must be a positive integer, got ${value}`);
    limits[key] = value;
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`startServer: port must be 0–65535, got ${port}`);
  if (options.apiKey !== undefined && (typeof options.apiKey !== "string" || options.apiKey === "")) {
    throw new InvalidInputError("startServer: apiKey must be a non-empty string");
  }
  return { served, defaultModel, limits, port, host: options.host ?? DEFAULT_HOST, apiKey: options.apiKey, log: options.log };
}

// ------------------------------------------------------------------ requests

interface EmbeddingRequest {
  served: ServedModel;
  texts: string[];
  base64: boolean;
  dimensions: number | null;
}

function parseEmbeddingRequest(
  body: unknown,
  served: Map<string, ServedModel>,
  defaultModel: string,
  limits: typeof DEFAULT_LIMITS,
): EmbeddingRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "The request body must be a JSON object.");
  }
  const fields = body as Record<string, unknown>;

  const name = fields.model ?? defaultModel;
  if (typeof name !== "string") throw new ApiError(400, "`model` must be a string.", "model");
  const entry = served.get(name);
  if (entry === undefined) throw modelNotFound(name);

  const texts = textsOf(fields.input);
  if (texts.length > limits.batchSize) {
    throw new ApiError(400, `\`input\` has ${texts.length} texts; at most ${limits.batchSize} are allowed per request.`, "input", "batch_too_large");
  }
  for (let i = 0; i < texts.length; i++) {
    if (texts[i]!.length > limits.textLength) {
      throw new ApiError(
        400,
        `\`input[${i}]\` is ${texts[i]!.length} characters long; at most ${limits.textLength} are allowed.`,
        "input",
        "text_too_long",
      );
    }
  }

  const format = fields.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    throw new ApiError(400, `\`encoding_format\` must be "float" or "base64", got ${JSON.stringify(format)}.`, "encoding_format");
  }

  let dimensions: number | null = null;
  if (fields.dimensions !== undefined && fields.dimensions !== null) {
    const d = fields.dimensions;
    const dim = entry.model.dim;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > dim) {
      throw new ApiError(400, `\`dimensions\` must be an integer from 1 to ${dim} for model ${JSON.stringify(name)}, got ${JSON.stringify(d)}.`, "dimensions");
    }
    dimensions = d;
  }
  return { served: entry, texts, base64: format === "base64", dimensions };
}

function textsOf(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (input === undefined || input === null) throw new ApiError(400, "`input` is required: a string or an array of strings.", "input");
  if (!Array.isArray(input)) throw new ApiError(400, "`input` must be a string or an array of strings.", "input");
  if (input.length === 0) throw new ApiError(400, "`input` must not be an empty array.", "input");
  for (let i = 0; i < input.length; i++) {
    const item: unknown = input[i];
    if (typeof item === "string") continue;
    if (typeof item === "number" || Array.isArray(item)) {
      throw new ApiError(400, "`input` holds token ids; this server embeds text only, so send strings.", "input", "token_input_unsupported");
    }
    throw new ApiError(400, `\`input[${i}]\` must be a string, got ${item === null ? "null" : typeof item}.`, "input");
  }
  return input as string[];
}

function modelNotFound(name: string): ApiError {
  return new ApiError(404, `The model ${JSON.stringify(name)} does not exist.`, "model", "model_not_found");
}

// ------------------------------------------------------------------ encoding

/**
 * Encodes as `StaticModel.encode` does (tokens cut at 512, unknown ids dropped,
 * mean of rows, normalised per the model), tokenizing once so the token count
 * comes for free, then serialises the OpenAI response.
 */
async function embed(request: EmbeddingRequest): Promise<string> {
  const { served, texts, base64, dimensions } = request;
  const { model, source } = served;
  const dim = model.dim;
  const outDim = dimensions ?? dim;
  const normalize = model.normalize;
  const full = new Float32Array(dim);
  const scratch = new PoolScratch(dim);
  const out = new Float32Array(texts.length * outDim);
  let tokens = 0;
  for (let first = 0; first < texts.length; first += CHUNK) {
    if (first > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const ids = model.tokenize(texts.slice(first, first + CHUNK), { maxLength: MAX_TOKENS });
    for (let k = 0; k < ids.length; k++) {
      const row = ids[k]!;
      tokens += row.length;
      const offset = (first + k) * outDim;
      if (dimensions === null) {
        meanPool(source, row, 0, row.length, out, offset, normalize, scratch);
      } else {
        meanPool(source, row, 0, row.length, full, 0, normalize, scratch);
        truncateNormalized(full, dimensions, out, offset);
      }
    }
  }

  const parts: string[] = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const row = out.subarray(i * outDim, (i + 1) * outDim);
    // NaN and Infinity have no JSON spelling (and would be garbage in base64): answer an error, never invalid JSON.
    if (!allFinite(row)) {
      throw new ApiError(
        500,
        `The embedding of input[${i}] holds NaN or Infinity: the model ${JSON.stringify(served.name)} has non-finite values in its table.`,
        null,
        "non_finite_embedding",
        "server_error",
      );
    }
    const embedding = base64 ? `"${toBase64(row)}"` : floatArray(row);
    parts[i] = `{"object":"embedding","index":${i},"embedding":${embedding}}`;
  }
  return `{"object":"list","data":[${parts.join(",")}],"model":${JSON.stringify(served.name)},"usage":{"prompt_tokens":${tokens},"total_tokens":${tokens}}}`;
}

/** Keeps the first `d` values and rescales them to unit length (Matryoshka); a zero vector stays zero. */
function truncateNormalized(vector: Float32Array, d: number, out: Float32Array, offset: number): void {
  let norm = 0;
  for (let j = 0; j < d; j++) norm += vector[j]! * vector[j]!;
  const scale = 1 / (Math.sqrt(norm) + 1e-32);
  for (let j = 0; j < d; j++) out[offset + j] = vector[j]! * scale;
}

/**
 * JSON numbers that parse back to the same float32 values: 9 significant digits
 * always round-trip a float32, at about half the bytes of the float64 spelling
 * and the same speed. `embed` checks first that every value is finite.
 */
function floatArray(row: Float32Array): string {
  let s = "[";
  for (let j = 0; j < row.length; j++) {
    if (j > 0) s += ",";
    s += row[j]!.toPrecision(9);
  }
  return s + "]";
}

/** Whether no value of `row` is NaN or ±Infinity. */
function allFinite(row: Float32Array): boolean {
  for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j]!)) return false;
  return true;
}

/** Little-endian float32 bytes in base64, as OpenAI sends them. */
function toBase64(row: Float32Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64");
  const bytes = Buffer.alloc(row.byteLength);
  for (let j = 0; j < row.length; j++) bytes.writeFloatLE(row[j]!, j * 4);
  return bytes.toString("base64");
}

// ------------------------------------------------------------------ errors

function toApiError(error: FastifyError | ApiError): ApiError {
  if (error instanceof ApiError) return error;
  const status = typeof error.statusCode === "number" ? error.statusCode : 500;
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(413, "The request body is too large.", null, "request_too_large");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError(400, "The Content-Length header does not match the body.", null, "invalid_content_length");
  }
  if (status >= 500) return new ApiError(500, "The server had an error while processing the request.", null, "internal_error", "server_error");
  return new ApiError(status, error.message, null, error.code ?? null);
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.status).type("application/json").send(error.toJson());
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
