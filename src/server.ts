/**
 * model2vec/server: the OpenAI-compatible embeddings HTTP server (Node, Fastify).
 *
 * @packageDocumentation
 */
export { startServer, installSignalHandlers, type ServerOptions, type RunningServer } from "./server/server.js";
