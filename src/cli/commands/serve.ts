/** `model2vec serve`: an HTTP embedding server. */
import { Command, Option } from "commander";
import type { StaticModel } from "../../index.js";
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT } from "../../server/defaults.js";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { loadModel } from "../load-model.js";
import { collect, port, positiveInteger } from "../options.js";
import { loadServerModule } from "../optional-modules.js";

interface ServeCommandOptions {
  model?: string[];
  defaultModel?: string;
  host: string;
  port: number;
  apiKey?: string;
  maxBodyBytes: number;
  maxBatchSize: number;
  maxTextLength: number;
  maxConnections: number;
  requestTimeout: number;
  headersTimeout: number;
}

const API_KEY_ENV = "MODEL2VEC_API_KEY";

/** "name=idOrPath", or a bare id or path named after its last segment. */
export function parseModelSpec(spec: string): { name: string; idOrPath: string } {
  const equals = spec.indexOf("=");
  if (equals === 0) throw new UsageError(`--model ${spec}: the name before "=" is empty`);
  if (equals > 0) {
    const name = spec.slice(0, equals).trim();
    const idOrPath = spec.slice(equals + 1).trim();
    if (!name || !idOrPath) throw new UsageError(`--model ${spec}: expected name=idOrPath`);
    return { name, idOrPath };
  }
  const name = spec.split(/[\\/]/).filter(Boolean).pop();
  if (!name) throw new UsageError(`--model ${JSON.stringify(spec)}: expected name=idOrPath`);
  return { name, idOrPath: spec };
}

export function serveCommand(): Command {
  return new Command("serve")
    .summary("serve embeddings over HTTP")
    .description("Start an HTTP server that encodes texts with one or more models. Stops on SIGINT or SIGTERM.")
    .option("-m, --model <name=idOrPath>", "a model to serve, named (repeatable); a bare id or path is named after its last segment", collect)
    .option("--default-model <name>", "the model used when a request names none (default: the first)")
    .option("--host <host>", "interface to listen on", DEFAULT_HOST)
    .option("-p, --port <port>", "port to listen on (0: any free port)", port, DEFAULT_PORT)
    .addOption(
      new Option(
        "--api-key <key>",
        `require this bearer key on every route but /health; prefer setting ${API_KEY_ENV}: a key given as a flag is visible to other users in \`ps\``,
      ).env(API_KEY_ENV),
    )
    .option("--max-body-bytes <n>", "largest request body accepted", positiveInteger, DEFAULT_LIMITS.bodyBytes)
    .option("--max-batch-size <n>", "most texts per request", positiveInteger, DEFAULT_LIMITS.batchSize)
    .option("--max-text-length <n>", "longest text accepted, in characters", positiveInteger, DEFAULT_LIMITS.textLength)
    .option("--max-connections <n>", "most open connections; more are closed at once", positiveInteger, DEFAULT_LIMITS.connections)
    .option("--request-timeout <ms>", "time to receive a whole request; past it: 408", positiveInteger, DEFAULT_LIMITS.requestTimeoutMs)
    .option("--headers-timeout <ms>", "time to receive the request headers; past it: 408", positiveInteger, DEFAULT_LIMITS.headersTimeoutMs)
    .action(async (options: ServeCommandOptions, command: Command) => {
      const context = contextOf(command);
      const apiKey = options.apiKey;
      if (apiKey !== undefined && apiKey.trim() === "") {
        const source = command.getOptionValueSource("apiKey") === "env" ? `${API_KEY_ENV} is set but empty` : "--api-key is empty";
        throw new UsageError(`${source}: give a key, or leave it out to serve without one`);
      }
      // Without --model, the default model bundled in the package, served as "default".
      const specs: { name: string; idOrPath: string | undefined }[] = (options.model ?? []).map(parseModelSpec);
      if (specs.length === 0) specs.push({ name: "default", idOrPath: undefined });
      const names = new Set<string>();
      for (const { name } of specs) {
        if (names.has(name)) throw new UsageError(`--model: the name "${name}" is used twice; name the models with name=idOrPath`);
        names.add(name);
      }
      if (options.defaultModel !== undefined && !names.has(options.defaultModel)) {
        throw new UsageError(`--default-model ${options.defaultModel} is not one of the served models (${[...names].join(", ")})`);
      }
      const { startServer, installSignalHandlers } = await loadServerModule();
      const models: Record<string, StaticModel> = {};
      for (const { name, idOrPath } of specs) {
        models[name] = await loadModel(idOrPath, context);
        context.note(`loaded ${name} (${idOrPath ?? "bundled default model"}): ${models[name]!.dim} dimensions`);
      }
      const server = await startServer({
        models,
        defaultModel: options.defaultModel ?? specs[0]!.name,
        host: options.host,
        port: options.port,
        ...(apiKey === undefined ? {} : { apiKey }),
        limits: {
          bodyBytes: options.maxBodyBytes,
          batchSize: options.maxBatchSize,
          textLength: options.maxTextLength,
          connections: options.maxConnections,
          requestTimeoutMs: options.requestTimeout,
          headersTimeoutMs: options.headersTimeout,
        },
        ...(context.quiet ? {} : { log: (line: string) => process.stderr.write(`${line.replace(/\n$/, "")}\n`) }),
      }).catch((error: unknown) => {
        throw listenError(error, options);
      });
      installSignalHandlers(server);
      process.stdout.write(`${server.url}\n`);
      context.note(`serving ${Object.keys(models).join(", ")} at ${server.url}${apiKey ? " (API key required)" : ""}; stop with Ctrl+C`);
    });
}

/** A failure to listen, as a usage error naming the flag that chose the address when it is at fault. */
function listenError(error: unknown, { host, port }: ServeCommandOptions): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case "EADDRINUSE":
      return new UsageError(`${host}:${port} is already in use; choose another --port (0 picks a free one)`);
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new UsageError(`--host ${host} is not an address of this machine`);
    default:
      return error;
  }
}
