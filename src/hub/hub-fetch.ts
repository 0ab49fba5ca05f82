/**
 * The fetch every Hub request goes through: it adds the token, gives up on a
 * response that does not start within the timeout, and retries network failures,
 * 429 and 5xx answers with exponential back-off.
 */
import { HubError } from "../errors.js";

export interface HubFetchOptions {
  token: string | undefined;
  timeoutMs: number;
  /** Attempts per request, the first included. */
  attempts?: number;
  /** Delay before the first retry; doubles each time. */
  retryDelayMs?: number;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** A fetch function for `@huggingface/hub` and our own requests. */
export function createHubFetch(options: HubFetchOptions): typeof fetch {
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 250;
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (options.token && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${options.token}`);
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`no response within ${options.timeoutMs} ms`)), options.timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
      try {
        const response = await fetch(input, { ...init, headers, signal });
        if (!RETRY_STATUSES.has(response.status) || attempt >= attempts) return response;
        await response.body?.cancel();
      } catch (error) {
        if (init.signal?.aborted || attempt >= attempts) throw error;
      } finally {
        clearTimeout(timer);
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
    }
  };
}

/** Removes the token from a message, whatever produced it. */
export function scrubToken(message: string, token: string | undefined): string {
  return token ? message.split(token).join("***") : message;
}

/** A HubError for a failed request that never got an answer. */
export function networkError(endpoint: string, what: string, cause: unknown, token: string | undefined): HubError {
  const reason = scrubToken(cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause), token);
  return new HubError(
    `Could not reach the Hub at ${endpoint} (${what}: ${reason}). Check your connection, or use offline mode (HF_HUB_OFFLINE=1 or localFilesOnly) to load models already in the cache.`,
    { cause },
  );
}

/** What to tell a user the Hub refused with 401 or 403, or undefined for other statuses. */
export function accessDeniedMessage(status: number, repoId: string, token: string | undefined): string | undefined {
  if (status === 401) {
    return `${repoId} was not found, or it is private or gated: ${token ? "the token given has no access to it" : "pass a token (the token option or HF_TOKEN)"}.`;
  }
  if (status === 403) {
    return `Access to ${repoId} is restricted (gated or private): request access on the Hub, then ${token ? "use a token of an account that has it" : "pass a token (the token option or HF_TOKEN)"}.`;
  }
  return undefined;
}
