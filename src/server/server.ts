/**
 * An embeddings HTTP server speaking the OpenAI API (`POST /v1/embeddings`,
 * `GET /v1/models`, `GET /v1/models/:id`), plus `GET /health`: the routes of the
 * web-standard `embeddingsHandler`, served on Node's `http` with the timeouts, the
 * connection cap and the graceful shutdown that a bare handler cannot have.
 *
 * Any OpenAI client works against it: `new OpenAI({ baseURL: url + "/v1", apiKey })`.
 */
import { once } from "node:events";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import { Server as NetServer } from "node:net";
import { setImmediate as nextLoopTurn, setTimeout as sleep } from "node:timers/promises";
import { InvalidInputError } from "../errors.js";
import { ApiError } from "./api-error.js";
import { answerClientError } from "./client-error.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "./defaults.js";
import { type HandlerOptions, checkLimits } from "./handler-options.js";
import { requestPartsOf } from "./node-request.js";
import { type Answer, type RequestParts, createRoutes, errorAnswer } from "./routes.js";

/** Options of {@link startServer}. */
export interface ServerOptions extends Omit<HandlerOptions, "limits"> {
  /** Default "127.0.0.1". */
  host?: string | undefined;
  /** Default 8080; 0 picks a free port (read it from the returned `url`). */
  port?: number | undefined;
  limits?: NonNullable<HandlerOptions["limits"]> & {
    /** Most open connections; default 512. Connections past it are closed as soon as they are accepted. */
    connections?: number | undefined;
    /** Time to receive a whole request, headers and body, in ms; default 30,000. Past it → 408 and the connection is closed. */
    requestTimeoutMs?: number | undefined;
    /** Time to receive the request headers, in ms; default 10,000, and at most `requestTimeoutMs`. Past it → 408. */
    headersTimeoutMs?: number | undefined;
  } | undefined;
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

/** Connections the kernel holds for the server before it accepts them (Node's default). */
const LISTEN_BACKLOG = 511;
/** How long close() lets requests already sent, but not yet read from their sockets, arrive before idle connections are closed. */
const DRAIN_GRACE_MS = 50;
/** Longer than the 60 s idle timeout of common load balancers, so that they, not the server, close idle connections. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * Starts the server and resolves once it is listening.
 *
 * @throws InvalidInputError for bad options (no models, unknown `defaultModel`, bad limits or port);
 *   the listen error (e.g. EADDRINUSE) when the port cannot be bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const routes = createRoutes(options, "startServer");
  const limits = checkLimits(options.limits, ["connections", "requestTimeoutMs", "headersTimeoutMs"], "startServer");
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`startServer: port must be 0–65535, got ${port}`);
  const hostOption = options.host ?? DEFAULT_HOST;

  // Node checks the request and headers timeouts every `connectionsCheckingInterval`,
  // 30 s by default: far too coarse for a 30 s timeout.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout,
    connectionsCheckingInterval: Math.min(1000, headersTimeout),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  });
  server.maxConnections = limits.connections;
  // Requests Node cannot parse, and requests that do not arrive in time.
  server.on("clientError", answerClientError);

  let closing: Promise<void> | null = null;
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    answer(request, response).catch(() => response.destroy()); // the response could not be written: nothing left to tell
  });
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let parts: RequestParts;
    try {
      parts = requestPartsOf(request);
    } catch (error) {
      send(errorAnswer(new ApiError(400, `The request target is not a URL: ${(error as Error).message}`, null, "malformed_request")), response, true);
      return;
    }
    const answer = await routes(parts);
    // A body the routes did not read to its end (a 401, a 413) is discarded, so that the connection can carry the next request.
    if (!request.complete) request.resume();
    // While closing, end each connection after its response so close() need not wait for keep-alive timeouts.
    send(answer, response, closing !== null);
  }

  // Counted so that close() can tell when the listening socket's backlog is empty.
  let arrivals = 0;
  server.on("connection", () => arrivals++).on("drop", () => arrivals++);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: hostOption, port, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const host = hostOption.includes(":") ? `[${hostOption}]` : hostOption;

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
    const allClosed = once(server, "close"); // emitted once the listening socket and every connection are closed
    NetServer.prototype.close.call(server);
    // 3. Let the event loop read the connections' buffers (a poll phase comes before the next check
    //    phase): their requests are then in progress, and will be answered.
    await sleep(DRAIN_GRACE_MS);
    await nextLoopTurn();
    // 4. Drop the connections still idle, and wait for the others: each ends after its response, or
    //    at the request timeout.
    server.closeIdleConnections();
    await allClosed;
  };

  return {
    url: `http://${host}:${actualPort}`,
    close() {
      closing ??= drainAndClose();
      return closing;
    },
  };
}

/** Writes `answer` to Node's `response`; with `close`, the connection ends after it. */
function send(answer: Answer, response: ServerResponse, close: boolean): void {
  response.writeHead(answer.status, {
    ...answer.headers,
    "content-length": Buffer.byteLength(answer.body),
    ...(close ? { connection: "close" } : {}),
  });
  response.end(answer.body);
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
