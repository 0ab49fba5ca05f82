/**
 * The fetch every Hub request goes through: it adds the token, gives up on a
 * response that does not start within the timeout, and retries network failures,
 * 429 and 5xx answers with exponential back-off. The body it hands back fails
 * when no byte comes for the timeout, when the request's deadline passes, or past
 * a size cap, so that no answer can hang a load or fill memory.
 */
import { HubError } from "../errors.js";

/** The most a JSON or error body may hold. */
export const MAX_JSON_BYTES = 10 * 1024 * 1024;

export interface HubFetchOptions {
  token: string | undefined;
  /** Milliseconds to wait for a response to start, and then for each next chunk of its body. */
  timeoutMs: number;
  /** Milliseconds a call may take in all, from the request to the end of the body, retries included. */
  deadlineMs: number;
  /** Cap on a successful answer's body; default {@link MAX_JSON_BYTES}. Error bodies are always capped at that. */
  maxBodyBytes?: number;
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
    const timer = new RequestTimer(shownUrl(input instanceof Request ? input.url : String(input)), options);
    const headers = new Headers(init.headers);
    if (options.token && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${options.token}`);
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      const pending = timer.start("no response", (error) => controller.abort(error));
      const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
      try {
        const response = await fetch(input, { ...init, headers, signal });
        if (!RETRY_STATUSES.has(response.status) || attempt >= attempts) return guardBody(response, timer, options.maxBodyBytes ?? MAX_JSON_BYTES);
        await response.body?.cancel();
      } catch (error) {
        if (init.signal?.aborted || attempt >= attempts) throw error;
      } finally {
        clearTimeout(pending);
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
    }
  };
}

/** The idle timeout and the deadline of one call. */
class RequestTimer {
  private readonly deadline: number;

  constructor(
    /** The URL, as errors name it. */
    readonly url: string,
    private readonly options: HubFetchOptions,
  ) {
    this.deadline = Date.now() + options.deadlineMs;
  }

  /** Calls `fail` after the idle timeout or at the deadline, whichever comes first, with an error naming the setting to raise. */
  start(what: string, fail: (error: Error) => void): ReturnType<typeof setTimeout> {
    const { timeoutMs, deadlineMs } = this.options;
    const remaining = this.deadline - Date.now();
    const error =
      timeoutMs < remaining
        ? new Error(`${what} from ${this.url} for ${timeoutMs / 1000} s (HF_HUB_DOWNLOAD_TIMEOUT)`)
        : new Error(`${this.url} did not finish within ${deadlineMs / 1000} s (MODEL2VEC_HUB_DEADLINE)`);
    return setTimeout(() => fail(error), Math.max(0, Math.min(timeoutMs, remaining)));
  }

  /** The next chunk of `reader`, or an error once the idle timeout or the deadline passes. */
  async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      pending = this.start("no data", reject);
    });
    try {
      return await Promise.race([reader.read(), stalled]);
    } finally {
      clearTimeout(pending);
    }
  }
}

/** Statuses whose responses carry no body, which `new Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** `response` with a body read under the timer, that fails past `limit` bytes (past {@link MAX_JSON_BYTES} for an error). */
function guardBody(response: Response, timer: RequestTimer, limit: number): Response {
  if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
  const cap = response.ok ? limit : Math.min(limit, MAX_JSON_BYTES);
  const reader = response.body.getReader();
  let received = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await timer.read(reader);
        if (done) return controller.close();
        received += value.byteLength;
        if (received > cap) throw new HubError(`The response from ${timer.url} is larger than ${cap / 1024 / 1024} MB; stopped reading it.`);
        controller.enqueue(value);
      } catch (error) {
        await reader.cancel().catch(() => {});
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const guarded = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // `@huggingface/hub` reads where a redirect led from `url`.
  Object.defineProperties(guarded, { url: { value: response.url }, redirected: { value: response.redirected } });
  return guarded;
}

/** The JSON body of `response`. @throws HubError when it is not JSON, or past the fetch's cap. */
export async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformedResponse(url, error instanceof Error ? error.message : String(error));
  }
}

/** A HubError for an answer that is not what the Hub sends. */
export function malformedResponse(url: string, detail: string): HubError {
  return new HubError(`malformed response from ${shownUrl(url)}: ${detail}`);
}

/** `url` without its query, as messages show it: a storage redirect's query holds a signature. */
function shownUrl(url: string): string {
  return url.split("?")[0] as string;
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
