/**
 * Downloads chosen files of a Hub repository into the cache (Python's layout).
 * The revision is resolved to a commit (`/api/models/{id}/revision/{rev}`), the
 * caller picks the paths from the repository's file list, and only those are
 * fetched. Offline, or when the Hub cannot be reached, the same choice runs
 * against the cached snapshot, as Python falls back to its cache.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { HubError } from "../errors.js";
import { HubCache } from "./cache.js";
import { type DownloadProgress, downloadToCache } from "./download.js";
import { type HubFetchOptions, accessDeniedMessage, createHubFetch, malformedResponse, networkError, readJson, scrubToken } from "./hub-fetch.js";
import { checkRepoId, checkRepoPath, checkRevision, isCommitHash } from "./names.js";
import { hubSettings } from "./settings.js";

export interface HubFilesOptions {
  /** Branch, tag or commit. Default "main". */
  revision?: string | undefined;
  /** Access token; default HF_TOKEN, then the token file of `huggingface-cli login`. */
  token?: string | undefined;
  /** Cache root; default HF_HUB_CACHE, else $HF_HOME/hub. */
  cacheDir?: string | undefined;
  /** Use only the cache, as HF_HUB_OFFLINE=1 does. */
  localFilesOnly?: boolean | undefined;
  /** Download the files again even when cached. */
  forceDownload?: boolean | undefined;
  /** Called as bytes arrive. */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/**
 * Picks the repository paths to fetch. `has(path)` tells whether the repository
 * lists a file (offline: whether the cached snapshot has it). Throw to report
 * that something required is missing; offline, the error is reported as a cache miss.
 */
export type HubFileChooser = (has: (path: string) => boolean) => readonly string[];

export interface ResolvedHubFiles {
  /** The snapshot folder; each chosen path is a file under it. */
  folder: string;
  commit: string;
  /** The paths `choose` returned. */
  paths: readonly string[];
}

/**
 * Resolves `repoId` at the revision to a cache snapshot holding the files `choose` picks.
 *
 * @throws HubError with an actionable message (authentication, not found, offline, network).
 */
export async function resolveHubFiles(repoId: string, choose: HubFileChooser, options: HubFilesOptions = {}): Promise<ResolvedHubFiles> {
  checkRepoId(repoId);
  const revision = checkRevision(options.revision ?? "main");
  const settings = hubSettings({ cacheDir: options.cacheDir, token: options.token, offline: options.localFilesOnly || undefined });
  const cache = new HubCache(settings.cacheDir, repoId);
  if (settings.offline) {
    return fromCache(cache, repoId, revision, choose, options.localFilesOnly ? "localFilesOnly is set" : "HF_HUB_OFFLINE is set");
  }

  const fetchOptions: HubFetchOptions = { token: settings.token, timeoutMs: settings.timeoutMs, deadlineMs: settings.deadlineMs };
  let info: RevisionInfo;
  try {
    info = await revisionInfo(createHubFetch(fetchOptions), settings.endpoint, repoId, revision, settings.token);
  } catch (error) {
    if (!(error instanceof NetworkFailure)) throw error;
    try {
      return await fromCache(cache, repoId, revision, choose, "the Hub could not be reached");
    } catch {
      const { message } = networkError(settings.endpoint, `resolving ${repoId}@${revision}`, error.cause, settings.token);
      throw new RepoLookupError(message, { cause: error.cause });
    }
  }
  await cache.writeRef(revision, info.sha);
  const paths = chosen(choose, (path) => info.files.has(path));
  await cache.removeStaleTemporaries();
  for (const path of paths) {
    if (!options.forceDownload && (await cache.hasFile(info.sha, path))) continue;
    await downloadToCache(cache, {
      repoId,
      commit: info.sha,
      path,
      size: info.files.get(path),
      endpoint: settings.endpoint,
      fetchOptions,
      onProgress: options.onProgress,
    });
  }
  return { folder: cache.snapshotFolder(info.sha), commit: info.sha, paths };
}

function chosen(choose: HubFileChooser, has: (path: string) => boolean): readonly string[] {
  const paths = choose(has);
  for (const path of paths) checkRepoPath(path, "file");
  return paths;
}

async function fromCache(cache: HubCache, repoId: string, revision: string, choose: HubFileChooser, reason: string): Promise<ResolvedHubFiles> {
  const missing = (detail?: string) =>
    new RepoLookupError(
      `${repoId} at revision "${revision}" is not in the cache (${cache.repoFolder})${detail ? ` (${detail})` : ""}, and ${reason}. Load it once while online, or pass a local folder.`,
    );
  const commit = await cache.commitFor(revision);
  if (!commit) throw missing();
  const folder = cache.snapshotFolder(commit);
  const present = await listFiles(folder);
  let paths: readonly string[];
  try {
    paths = chosen(choose, (path) => present.has(path));
  } catch (error) {
    throw missing(error instanceof Error ? error.message : String(error));
  }
  for (const path of paths) if (!(await cache.hasFile(commit, path))) throw missing(`no ${path}`);
  return { folder, commit, paths };
}

/** Every file under `folder`, as repo-relative paths with `/` separators. */
async function listFiles(folder: string): Promise<Set<string>> {
  const files = new Set<string>();
  let entries;
  try {
    entries = await readdir(folder, { recursive: true, withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    // Node 20 reports the parent as `parentPath` (20.12+) or `path`.
    const parent = (entry as { parentPath?: string }).parentPath ?? (entry as { path?: string }).path ?? folder;
    const relative = join(parent, entry.name).slice(folder.length + 1);
    files.add(relative.split("\\").join("/"));
  }
  return files;
}

interface RevisionInfo {
  sha: string;
  /** Each file's path, and its size when the listing gives one. */
  files: ReadonlyMap<string, number | undefined>;
}

/**
 * The Hub could not confirm that the repository exists: it gave no answer, refused, or (offline)
 * the cache does not have it. A caller that also tried the name as a folder can say both.
 */
export class RepoLookupError extends HubError {
  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options);
    this.name = "HubError"; // a HubError to users
  }
}

/** A request that never got an HTTP answer. */
class NetworkFailure extends Error {}

/** `GET /api/models/{repo}/revision/{revision}?blobs=true`: the commit and the file list, with sizes. */
async function revisionInfo(
  fetch: typeof globalThis.fetch,
  endpoint: string,
  repoId: string,
  revision: string,
  token: string | undefined,
): Promise<RevisionInfo> {
  const url = `${endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}?blobs=true`;
  let body: unknown;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw await statusError(response, repoId, revision, token);
    body = await readJson(response, url);
  } catch (error) {
    // A HubError is an answer (a status, an oversized or malformed body); anything else, a connection that failed.
    if (error instanceof HubError) throw error;
    throw new NetworkFailure("network", { cause: error });
  }
  const listing = body as { sha?: unknown; siblings?: unknown } | null;
  if (!listing || typeof listing.sha !== "string" || !isCommitHash(listing.sha) || !Array.isArray(listing.siblings)) {
    throw malformedResponse(url, "no commit hash or file list");
  }
  const files = new Map<string, number | undefined>();
  for (const sibling of listing.siblings as { rfilename?: unknown; size?: unknown }[]) {
    if (typeof sibling?.rfilename !== "string") continue;
    const size = sibling.size;
    files.set(sibling.rfilename, typeof size === "number" && Number.isSafeInteger(size) && size >= 0 ? size : undefined);
  }
  return { sha: listing.sha, files };
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
  return new RepoLookupError(message, { status });
}
