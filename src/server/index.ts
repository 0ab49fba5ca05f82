/**
 * model2vec/server: the OpenAI-compatible embeddings server. `embeddingsHandler`
 * is a web-standard `(Request) => Promise<Response>` for any runtime (Deno, Bun,
 * Cloudflare Workers, hono, Next.js route handlers); `startServer` serves it on Node's `http`.
 *
 * @packageDocumentation
 */
export { embeddingsHandler, type HandlerOptions, type HandlerLimits } from "./handler.js";
export { startServer, installSignalHandlers, type ServerOptions, type RunningServer } from "./server.js";
