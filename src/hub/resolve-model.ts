/**
 * Finds a Hub model's files in the cache, downloading what is missing: resolve the
 * revision to a commit, pick the folder layout from the repository's file list, and
 * fetch only that layout's files. Offline, the same lookup runs against the cache.
 */
import { HubError } from "../errors.js";
import type { FileSource } from "../io/file-source.js";
import { NodeFileSource } from "../io/node-file-source.js";
import { findLayout, type ModelLayout } from "../formats/model-layout.js";
import { HubCache } from "./cache.js";
import { type DownloadProgress, downloadToCache } from "./download.js";
import { accessDeniedMessage, createHubFetch, networkError, scrubToken } from "./hub-fetch.js";
import { checkRepoId, checkRevision, isCommitHash } from "./names.js";
import { hubSettings } from "./settings.js";

/** Options of a Hub load; each defaults to the environment as Python reads it. */
export interface HubLoadOptions {
  /** Branch, tag or commit. Default "main". */
  revision?: string;
  /** Access token; default HF_TOKEN, then the token file of `huggingface-cli login`. */
  token?: string;
  /** Folder inside the repository that holds the model. */
  subfolder?: string;
  /** Cache root; default HF_HUB_CACHE, else $HF_HOME/hub. */
  cacheDir?: string;
  /** Use only the cache, as HF_HUB_OFFLINE=1 does. */
  localFilesOnly?: boolean;
  /** Download the files again even when cached. */
  forceDownload?: boolean;
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Where a Hub model's files are: a snapshot folder of the cache. */
export interface ResolvedHubModel {
  folder: string;
  commit: string;
}

/**
 * Resolves `repoId` to a complete snapshot folder in the cache.
 *
 * @throws HubError with an actionable message (authentication, not found, offline, network).
 */
export async function resolveHubModel(repoId: string, options: HubLoadOptions = {}): Promise<ResolvedHubModel> {
  checkRepoId(repoId);
  const revision = checkRevision(options.revision ?? "main");
  const subfolder = options.subfolder ?? "";
  const settings = hubSettings({ cacheDir: options.cacheDir, token: options.token, offline: options.localFilesOnly || undefined });
  const cache = new HubCache(settings.cacheDir, repoId);
  const offlineReason = options.localFilesOnly ? "localFilesOnly is set" : "HF_HUB_OFFLINE is set";
  if (settings.offline) return fromCache(cache, repoId, revision, subfolder, offlineReason);

  const fetch = createHubFetch({ token: settings.token, timeoutMs: settings.timeoutMs });
  let info: RevisionInfo;
  try {
    info = await revisionInfo(fetch, settings.endpoint, repoId, revision, settings.token);
  } catch (error) {
    if (!(error instanceof NetworkFailure)) throw error;
    // As Python does, fall back to the cache when the Hub cannot be reached.
    try {
      return await fromCache(cache, repoId, revision, subfolder, "the Hub could not be reached");
    } catch {
      throw networkError(settings.endpoint, `resolving ${repoId}@${revision}`, error.cause, settings.token);
    }
  }
  await cache.writeRef(revision, info.sha);
  const layout = await findLayout(new ListedFiles(repoId, info.files), subfolder);
  for (const path of filesOf(layout, info.files)) {
    if (!options.forceDownload && (await cache.hasFile(info.sha, path))) continue;
    await downloadToCache(cache, {
      repoId,
      commit: info.sha,
      path,
      endpoint: settings.endpoint,
      token: settings.token,
      fetch,
      timeoutMs: settings.timeoutMs,
      onProgress: options.onProgress,
    });
  }
  return { folder: cache.snapshotFolder(info.sha), commit: info.sha };
}

/** The files a layout needs, plus its README when the repository has one. */
function filesOf(layout: ModelLayout, listed: ReadonlySet<string>): string[] {
  const files = [layout.config, layout.model, layout.tokenizer];
  if (listed.has(layout.readme)) files.push(layout.readme);
  return files;
}

async function fromCache(cache: HubCache, repoId: string, revision: string, subfolder: string, reason: string): Promise<ResolvedHubModel> {
  const commit = await cache.commitFor(revision);
  const missing = () =>
    new HubError(
      `${repoId} at revision "${revision}" is not in the cache (${cache.repoFolder}), and ${reason}. Load it once while online, or pass a local folder.`,
    );
  if (!commit) throw missing();
  const folder = cache.snapshotFolder(commit);
  try {
    await findLayout(new NodeFileSource(folder), subfolder);
  } catch {
    throw missing();
  }
  return { folder, commit };
}

interface RevisionInfo {
  sha: string;
  files: ReadonlySet<string>;
}

/** A request that never got an HTTP answer. */
class NetworkFailure extends Error {}

/** `GET /api/models/{repo}/revision/{revision}`: the commit and the file list (Python's `model_info`). */
async function revisionInfo(
  fetch: typeof globalThis.fetch,
  endpoint: string,
  repoId: string,
  revision: string,
  token: string | undefined,
): Promise<RevisionInfo> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`, {
      headers: { Accept: "application/json" },
    });
  } catch (error) {
    throw new NetworkFailure("network", { cause: error });
  }
  if (!response.ok) throw await statusError(response, repoId, revision, token);
  const body = (await response.json().catch(() => null)) as { sha?: unknown; siblings?: { rfilename?: unknown }[] } | null;
  if (!body || typeof body.sha !== "string" || !isCommitHash(body.sha) || !Array.isArray(body.siblings)) {
    throw new HubError(`The Hub's answer for ${repoId}@${revision} has no commit hash or file list`);
  }
  const files = new Set(body.siblings.map((s) => s.rfilename).filter((name): name is string => typeof name === "string"));
  return { sha: body.sha, files };
}

async function statusError(response: Response, repoId: string, revision: string, token: string | undefined): Promise<HubError> {
  const code = response.headers.get("X-Error-Code");
  const status = response.status;
  const detail = scrubToken(await response.text().catch(() => ""), token).slice(0, 300);
  let message: string;
  const denied = accessDeniedMessage(status, repoId, token);
  if (denied) {
    message = denied;
  } else if (status === 404 && code === "RevisionNotFound") {
    message = `Revision "${revision}" of ${repoId} was not found.`;
  } else if (status === 404) {
    message = `Model ${repoId} was not found on the Hub.`;
  } else {
    message = `The Hub answered ${status} for ${repoId}@${revision}${detail ? `: ${detail}` : ""}. Try again later.`;
  }
  return new HubError(message, { status });
}

/** A FileSource that knows only which paths a repository lists. */
class ListedFiles implements FileSource {
  constructor(
    private readonly repoId: string,
    private readonly files: ReadonlySet<string>,
  ) {}

  async read(): Promise<undefined> {
    return undefined;
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  describe(path: string): string {
    return `${this.repoId}/${path}`;
  }
}
