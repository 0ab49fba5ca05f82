/**
 * Modules other parts of the package provide (the HTTP server, the ONNX
 * exporter), imported only by the commands that use them, so the other commands
 * neither load nor depend on them. A failure to load them is reported as the
 * command being unavailable rather than as a crash.
 */
import { UnavailableError } from "./errors.js";

export type ServerModule = typeof import("../server/server.js");
export type OnnxExportModule = typeof import("../integrations/onnx.js");

/** Loads `src/server/server.ts`. */
export async function loadServerModule(): Promise<ServerModule> {
  try {
    return await import("../server/server.js");
  } catch (error) {
    throw unavailable("serve", "the HTTP server (server/server.js)", error);
  }
}

/** Loads `src/integrations/onnx.ts`. */
export async function loadOnnxExportModule(): Promise<OnnxExportModule> {
  try {
    return await import("../integrations/onnx.js");
  } catch (error) {
    throw unavailable("export-onnx", "the ONNX exporter (integrations/onnx.js)", error);
  }
}

function unavailable(command: string, what: string, error: unknown): Error {
  if (!isModuleMissing(error)) return error instanceof Error ? error : new Error(String(error));
  return new UnavailableError(`${command} is not available in this build of model2vec: ${what} is missing`, { cause: error });
}

/** Whether the import failed because the module itself is absent (not because of an error inside it). */
function isModuleMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && /[\\/](server|onnx)\.[jt]s\b/.test(message);
}
