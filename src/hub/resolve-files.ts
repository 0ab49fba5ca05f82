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
import { accessDeniedMessage, createHubFetch, networkError, scrubToken } from "./hub-fetch.js";
import { checkRepoId, checkRepoPath, checkRevision, isCommitHash } from "./names.js";
import { hubSettings } from "./settings.js";

export interface HubFilesOptions {
  /** Branch, tag or commit. Default "main". */
  revision?: string;
  /** Access token; default HF_TOKEN, then the token file of `huggingface-cli login`. */
  token?: string;
  /** Cache root; default HF_HUB_CACHE, else $HF_HOME/hub. */
  cacheDir?: string;
  /** Use only the cache, as HF_HUB_OFFLINE=1 does. */
  localFilesOnly?: boolean;
  /** Download the files again even when cached. */
  forceDownload?: boolean;
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
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

  const fetch = createHubFetch({ token: settings.token, timeoutMs: settings.timeoutMs });
  let info: RevisionInfo;
  try {
    info = await revisionInfo(fetch, settings.endpoint, repoId, revision, settings.token);
  } catch (error) {
    if (!(error instanceof NetworkFailure)) throw error;
    try {
      return await fromCache(cache, repoId, revision, choose, "the Hub could not be reached");
    } catch {
      throw networkError(settings.endpoint, `resolving ${repoId}@${revision}`, error.cause, settings.token);
    }
  }
  await cache.writeRef(revision, info.sha);
  const paths = chosen(choose, (path) => info.files.has(path));
  for (const path of paths) {
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
  return { folder: cache.snapshotFolder(info.sha), commit: info.sha, paths };
}

function chosen(choose: HubFileChooser, has: (path: string) => boolean): readonly string[] {
  const paths = choose(has);
  for (const path of paths) checkRepoPath(path, "file");
  return paths;
}

async function fromCache(cache: HubCache, repoId: string, revision: string, choose: HubFileChooser, reason: string): Promise<ResolvedHubFiles> {
  const missing = (detail?: string) =>
    new HubError(
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
  files: ReadonlySet<string>;
}

/** A request that never got an HTTP answer. */
class NetworkFailure extends Error {}

/** `GET /api/models/{repo}/revision/{revision}`: the commit and the file list. */
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
