/**
 * Hub settings, read the way Python's huggingface_hub reads them: HF_ENDPOINT,
 * HF_TOKEN (else the token file `huggingface-cli login` writes), HF_HOME,
 * HF_HUB_CACHE, HF_HUB_OFFLINE and HF_HUB_DOWNLOAD_TIMEOUT; plus MODEL2VEC_HUB_DEADLINE,
 * which Python lacks.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface HubSettings {
  /** Base URL, without a trailing slash. */
  endpoint: string;
  /** Cache root holding `models--org--name` folders. */
  cacheDir: string;
  token: string | undefined;
  offline: boolean;
  /** Milliseconds a request may wait for a response, or a download for its next bytes (HF_HUB_DOWNLOAD_TIMEOUT, in seconds; default 10). */
  timeoutMs: number;
  /** Milliseconds a request may take in all, body included: one file's download (MODEL2VEC_HUB_DEADLINE, in seconds; default 30 minutes). */
  deadlineMs: number;
}

const TRUE_VALUES = new Set(["1", "on", "yes", "true"]);

/** Settings from the environment, overridden by explicit options. */
export function hubSettings(
  overrides: { cacheDir?: string | undefined; token?: string | undefined; offline?: boolean | undefined; endpoint?: string | undefined } = {},
  env: Record<string, string | undefined> = process.env,
): HubSettings {
  const hfHome = env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "huggingface");
  return {
    endpoint: (overrides.endpoint ?? (env.HF_ENDPOINT || "https://huggingface.co")).replace(/\/+$/, ""),
    cacheDir: overrides.cacheDir ?? (env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(hfHome, "hub")),
    token: overrides.token ?? (env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || readTokenFile(env.HF_TOKEN_PATH || join(hfHome, "token"))),
    offline: overrides.offline ?? TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? "").toLowerCase()),
    timeoutMs: seconds(env.HF_HUB_DOWNLOAD_TIMEOUT) ?? 10_000,
    deadlineMs: seconds(env.MODEL2VEC_HUB_DEADLINE) ?? 30 * 60_000,
  };
}

/** A positive number of seconds from the environment, in milliseconds. */
function seconds(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed * 1000 : undefined;
}

function readTokenFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
