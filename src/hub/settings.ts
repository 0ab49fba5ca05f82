/**
 * Hub settings, read the way Python's huggingface_hub reads them: HF_ENDPOINT,
 * HF_TOKEN (else the token file `huggingface-cli login` writes), HF_HOME,
 * HF_HUB_CACHE, HF_HUB_OFFLINE and HF_HUB_DOWNLOAD_TIMEOUT.
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
  /** Milliseconds a request may wait for a response, or a download for its next bytes. */
  timeoutMs: number;
}

const TRUE_VALUES = new Set(["1", "on", "yes", "true"]);

/** Settings from the environment, overridden by explicit options. */
export function hubSettings(
  overrides: { cacheDir?: string; token?: string; offline?: boolean; endpoint?: string } = {},
  env: Record<string, string | undefined> = process.env,
): HubSettings {
  const hfHome = env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "huggingface");
  const timeoutSeconds = Number(env.HF_HUB_DOWNLOAD_TIMEOUT);
  return {
    endpoint: (overrides.endpoint ?? (env.HF_ENDPOINT || "https://huggingface.co")).replace(/\/+$/, ""),
    cacheDir: overrides.cacheDir ?? (env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(hfHome, "hub")),
    token: overrides.token ?? (env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || readTokenFile(env.HF_TOKEN_PATH || join(hfHome, "token"))),
    offline: overrides.offline ?? TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? "").toLowerCase()),
    timeoutMs: Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : 10_000,
  };
}

function readTokenFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
