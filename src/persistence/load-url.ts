/**
 * Loading a model over HTTP(S) with `fetch`: `StaticModel.fromUrl`, and
 * `fromPretrained("org/name")` in the browser build (through the Hub's
 * `resolve` URLs). No `node:` imports: this runs in browsers, workers, Deno,
 * Bun and Node ≥ 20.
 *
 * The folder layout is found the way {@link readModelFiles} finds it on disk
 * (model2vec, Sentence Transformers, nested `0_StaticEmbedding/`, or a
 * `0_StaticEmbedding` folder with its config in the parent), but layouts are
 * tried one at a time, so the common model2vec layout costs exactly its own
 * requests: `config.json`, `model.safetensors`, `tokenizer.json` and the
 * optional `README.md`, all in parallel. A 404 means "this file is absent";
 * any other failing status is an error naming the URL and the status.
 *
 * With `cache`, responses are kept in Cache Storage (`globalThis.caches`), keyed
 * by URL. Entries are written only after every file downloaded completely and
 * the model decoded, so a failed, aborted or corrupt download never leaves an
 * entry that a later load would trust.
 */
import { HubError, InvalidInputError } from "../errors.js";
import { candidateLayouts, chooseLayout, type ModelLayout } from "./model-layout.js";
import type { DownloadProgress } from "../hub/download.js";
import { accessDeniedMessage, scrubToken } from "../hub/hub-fetch.js";
import type { HubLoadOptions } from "./resolve-model.js";
import { type ModelParts, quantizeParts } from "./model-parts.js";
import type { QuantizeOptions } from "../quantize/quantize-table.js";
import { describe } from "../describe.js";
import { normalizeOverride, subfolderOption } from "./load-arguments.js";
import { type ModelFiles, modelPartsFromFiles } from "./model-files.js";

/** The Cache Storage name used when `cache` is `true`. */
export const DEFAULT_CACHE_NAME = "model2vec";

/** How files are fetched; shared by {@link FromUrlOptions} and the browser build's `fromPretrained`. */
export interface FetchLoadOptions {
  /** The `fetch` to use; default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
  /** Aborts every pending request; the load then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Keep the downloaded files in Cache Storage (`globalThis.caches`), so later loads make no
   * request: `true` uses the cache named `"model2vec"`, a string names the cache. Ignored where
   * Cache Storage does not exist (Node, insecure origins). Default false.
   */
  cache?: boolean | string | undefined;
  /** Called as bytes arrive; `total` is 0 when the server did not announce the size. */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/** Options of `StaticModel.fromUrl`. */
export interface FromUrlOptions extends FetchLoadOptions, QuantizeOptions {
  /** Folder under the base URL that holds the model. */
  subfolder?: string | undefined;
  /** Overrides the config's `normalize`. */
  normalize?: boolean | undefined;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Extra request headers. */
  headers?: Record<string, string> | undefined;
}

/** Options that only the browser build's `fromPretrained` reads (Node reads HF_ENDPOINT and its file cache instead). */
export interface BrowserHubOptions extends FetchLoadOptions {
  /** The Hub's base URL in the browser build. Default `https://huggingface.co`. */
  endpoint?: string | undefined;
}

/**
 * Options of `StaticModel.fromPretrained`. The {@link BrowserHubOptions} (`endpoint`,
 * `fetch`, `signal`, `cache`) apply in the browser build, which loads through `fetch`.
 */
export interface FromPretrainedOptions extends HubLoadOptions, QuantizeOptions, BrowserHubOptions {
  /** Overrides the config's `normalize`. */
  normalize?: boolean | undefined;
}

/** Internal: names a Hub repository in access errors. */
interface LoadContext {
  repoId?: string;
}

/**
 * Fetches a model's files from `base` (a folder URL) and decodes (and quantizes, when asked) the parts of the model.
 *
 * @throws InvalidInputError for a bad URL or option; HubError naming the URL and HTTP status
 *   when a request fails; ModelFormatError listing the layouts tried when no model is there.
 */
export async function loadFromUrl(base: string | URL, options: FromUrlOptions = {}, context: LoadContext = {}): Promise<ModelParts> {
  if (options === null || typeof options !== "object") throw new InvalidInputError(`fromUrl options must be an object, got ${describe(options)}`);
  const root = baseUrl(base);
  const subfolder = subfolderOption(options.subfolder);
  const init = normalizeOverride(options.normalize);
  const source = new UrlSource(root, options, context);
  try {
    const { files, names } = await source.readModel(subfolder);
    const parts = quantizeParts({ ...modelPartsFromFiles(files, names), ...init }, options);
    await source.commitToCache();
    return parts;
  } catch (error) {
    source.abort();
    // Cached files that do not make a model (cleared or corrupted storage) must not fail every later load.
    if (!(error instanceof HubError) && !options.signal?.aborted) await source.evictCached();
    throw error;
  }
}

/** `base` as an absolute URL whose path ends with "/" (relative URLs resolve against `location` where there is one). */
function baseUrl(base: unknown): URL {
  if (!(base instanceof URL) && (typeof base !== "string" || base.length === 0)) {
    throw new InvalidInputError(`fromUrl needs the URL of a model folder, got ${describe(base)}`);
  }
  const location = (globalThis as { location?: { href?: string } }).location?.href;
  let url: URL;
  try {
    url = new URL(base, location);
  } catch (error) {
    throw new InvalidInputError(`fromUrl needs an absolute http(s) URL${location ? "" : " (there is no page location to resolve a relative one against)"}, got ${describe(String(base))}`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidInputError(`fromUrl needs an http(s) URL, got ${JSON.stringify(url.href)}`);
  }
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

interface Downloaded {
  url: string;
  bytes: Uint8Array;
  contentType: string | null;
  /** Whether the bytes came from Cache Storage (then they need no new entry). */
  cached: boolean;
}

/** The files under one base URL, each fetched at most once. */
class UrlSource {
  readonly #root: URL;
  readonly #options: FromUrlOptions;
  readonly #context: LoadContext;
  readonly #fetch: typeof fetch;
  readonly #headers: Headers;
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal;
  readonly #files = new Map<string, Promise<Downloaded | undefined>>();
  readonly #cache: Promise<Cache | undefined>;

  constructor(root: URL, options: FromUrlOptions, context: LoadContext) {
    this.#root = root;
    this.#options = options;
    this.#context = context;
    const fetchImpl = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
    if (typeof fetchImpl !== "function") throw new InvalidInputError(`fetch must be a function, got ${describe(fetchImpl)}: pass the fetch option where the runtime has none`);
    // Called unbound: browsers refuse `fetch` called with another `this` ("Illegal invocation").
    this.#fetch = (input, init) => fetchImpl(input, init);
    this.#headers = new Headers(options.headers);
    if (options.token) this.#headers.set("Authorization", `Bearer ${options.token}`);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new InvalidInputError(`signal must be an AbortSignal, got ${describe(options.signal)}`);
    }
    this.#signal = options.signal ? anySignal([options.signal, this.#controller.signal]) : this.#controller.signal;
    const cache = options.cache;
    if (cache !== undefined && typeof cache !== "boolean" && (typeof cache !== "string" || cache.length === 0)) {
      throw new InvalidInputError(`cache must be true, false or a cache name, got ${describe(cache)}`);
    }
    this.#cache = openCache(cache);
  }

  /** The URL of `path`, or undefined for a path that climbs above the base URL. */
  url(path: string): string | undefined {
    if (path === ".." || path.startsWith("../")) return undefined;
    return new URL(path.split("/").map(encodeURIComponent).join("/"), this.#root).href;
  }

  /** Picks the first layout whose config, model and tokenizer exist, and returns its files. */
  async readModel(subfolder: string): Promise<{ files: ModelFiles; names: { model: string; config: string } }> {
    const layouts = candidateLayouts(subfolder);
    // The README of the first three layouts: fetched alongside, since it is usually there.
    void this.#get(layouts[0]!.readme);
    let layout: ModelLayout | undefined;
    for (const candidate of layouts) {
      const found = await Promise.all([candidate.config, candidate.model, candidate.tokenizer].map((path) => this.#get(path)));
      if (found.every((file) => file !== undefined)) {
        layout = candidate;
        break;
      }
    }
    if (layout === undefined) {
      const present = new Set<string>();
      for (const [path, file] of this.#files) if (await file) present.add(path);
      chooseLayout((path) => present.has(path), subfolder, (path) => new URL(path, this.#root).href); // throws, listing the layouts tried
      throw new Error("unreachable");
    }
    const [config, model, tokenizer, readme] = await Promise.all([layout.config, layout.model, layout.tokenizer, layout.readme].map((path) => this.#get(path)));
    return {
      files: { config: config!.bytes, model: model!.bytes, tokenizer: tokenizer!.bytes, readme: readme?.bytes },
      names: { model: model!.url, config: config!.url },
    };
  }

  /** Puts every file fetched from the network into Cache Storage; call only once the model loaded. */
  async commitToCache(): Promise<void> {
    const cache = await this.#cache;
    if (!cache) return;
    const downloads = (await Promise.all(this.#files.values())).filter((file): file is Downloaded => file !== undefined && !file.cached);
    try {
      await Promise.all(
        downloads.map((file) => {
          const headers: Record<string, string> = { "Content-Length": String(file.bytes.byteLength) };
          if (file.contentType) headers["Content-Type"] = file.contentType;
          return cache.put(file.url, new Response(file.bytes as Uint8Array<ArrayBuffer>, { status: 200, headers }));
        }),
      );
    } catch {
      // A full quota or a closed cache costs the next load a download, nothing more.
    }
  }

  /** Removes the Cache Storage entries this load read. */
  async evictCached(): Promise<void> {
    const cache = await this.#cache;
    if (!cache) return;
    const files = await Promise.all([...this.#files.values()].map((file) => file.catch(() => undefined)));
    await Promise.all(files.filter((file) => file?.cached).map((file) => cache.delete(file!.url).catch(() => false)));
  }

  /** Cancels the downloads still running after a failure. (Aborting after a success would mark finished requests as cancelled in browsers.) */
  abort(): void {
    this.#controller.abort(new HubError("fromUrl: the load failed; pending downloads were cancelled"));
  }

  #get(path: string): Promise<Downloaded | undefined> {
    let file = this.#files.get(path);
    if (file === undefined) {
      const url = this.url(path);
      file = url === undefined ? Promise.resolve(undefined) : this.#download(path, url);
      // Failures surface where the file is awaited; one nobody awaits must not be "unhandled".
      file.catch(() => {});
      this.#files.set(path, file);
    }
    return file;
  }

  async #download(path: string, url: string): Promise<Downloaded | undefined> {
    const cache = await this.#cache;
    if (cache) {
      const hit = await cache.match(url).catch(() => undefined);
      if (hit?.ok) {
        try {
          return { url, bytes: new Uint8Array(await hit.arrayBuffer()), contentType: hit.headers.get("Content-Type"), cached: true };
        } catch {
          await cache.delete(url).catch(() => false);
        }
      }
    }
    this.#signal.throwIfAborted();
    let response: Response;
    try {
      response = await this.#fetch(url, { headers: this.#headers, signal: this.#signal });
    } catch (error) {
      if (this.#signal.aborted) throw this.#signal.reason;
      throw new HubError(`Could not fetch ${url}: ${this.#message(error)}`, { cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const hint = this.#context.repoId ? accessDeniedMessage(response.status, this.#context.repoId, this.#options.token) : undefined;
      throw new HubError(`GET ${url} failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${hint ? `. ${hint}` : ""}`, {
        status: response.status,
      });
    }
    const bytes = await this.#readBody(path, url, response);
    return { url, bytes, contentType: response.headers.get("Content-Type"), cached: false };
  }

  /**
   * The whole body, reporting progress; a body that ends short of its Content-Length is an
   * error. The bytes are read with `arrayBuffer()` and progress is counted on a clone:
   * Chromium reports a response drained through a reader as a cancelled request about half
   * the time (a cosmetic but alarming entry in the network log), `arrayBuffer()` never.
   */
  async #readBody(path: string, url: string, response: Response): Promise<Uint8Array> {
    const encoding = response.headers.get("Content-Encoding");
    const declared = Number(response.headers.get("Content-Length"));
    // With a content encoding, Content-Length counts the compressed bytes.
    const total = !encoding || encoding === "identity" ? (Number.isSafeInteger(declared) && declared > 0 ? declared : 0) : 0;
    const onProgress = this.#options.onProgress;
    let loaded = 0;
    let bytes: Uint8Array;
    try {
      const counter = onProgress && response.body ? response.clone().body!.getReader() : undefined;
      const whole = response.arrayBuffer();
      if (counter) {
        whole.catch(() => {}); // awaited below, after the count
        for (;;) {
          const { done, value } = await counter.read();
          if (done) break;
          loaded += value.byteLength;
          onProgress!({ file: path, loaded, total });
        }
      }
      bytes = new Uint8Array(await whole);
    } catch (error) {
      if (this.#signal.aborted) throw this.#signal.reason;
      throw new HubError(`The download of ${url} failed${loaded > 0 ? ` after ${loaded} bytes` : ""}: ${this.#message(error)}`, { cause: error });
    }
    if (total > 0 && bytes.byteLength !== total) {
      throw new HubError(`The download of ${url} ended after ${bytes.byteLength} of the ${total} bytes announced`);
    }
    return bytes;
  }

  #message(error: unknown): string {
    const text = error instanceof Error ? (error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message) : String(error);
    return scrubToken(text, this.#options.token);
  }
}

/** The Cache Storage cache to use, or undefined when caching is off or unavailable. */
async function openCache(option: FromUrlOptions["cache"]): Promise<Cache | undefined> {
  if (option === undefined || option === false) return undefined;
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage || typeof storage.open !== "function") return undefined;
  try {
    return await storage.open(option === true ? DEFAULT_CACHE_NAME : option);
  } catch {
    return undefined; // e.g. storage disabled for this origin: load without caching
  }
}

/** `AbortSignal.any`, with a fallback for runtimes that lack it. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
