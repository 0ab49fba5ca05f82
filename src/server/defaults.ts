/**
 * The server's defaults, in a module of their own (it imports nothing) so that
 * `model2vec serve --help` can show them without loading the server.
 */

/** The interface listened on by default: this machine only. */
export const DEFAULT_HOST = "127.0.0.1";

/** The port listened on by default. */
export const DEFAULT_PORT = 8080;

/** Defaults of `ServerOptions.limits`. */
export const DEFAULT_LIMITS = {
  bodyBytes: 10 * 1024 * 1024,
  batchSize: 2048,
  textLength: 100_000,
  /** Below the usual `ulimit -n` of 1024, so the process keeps file descriptors to spare. */
  connections: 512,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
};
