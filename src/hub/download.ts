/**
 * Downloads one file of a commit into the cache. The bytes go to a temporary
 * file while their hash is computed; only a file whose size matches what the Hub
 * announced, and whose hash matches its ETag (sha256 for LFS files, the git blob
 * sha1 otherwise), is renamed into the cache and linked from the snapshot. The
 * size is checked against the repository's file list and the free disk space
 * before a byte is written, and the temporary file goes if a signal ends the process.
 */
import { createHash } from "node:crypto";
import { open, rm, statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { InvalidApiResponseFormatError, downloadFile, fileDownloadInfo } from "@huggingface/hub";
import { HubError } from "../errors.js";
import type { HubCache } from "./cache.js";
import { type HubFetchOptions, accessDeniedMessage, createHubFetch, malformedResponse, networkError, scrubToken } from "./hub-fetch.js";
import { normalizeEtag } from "./names.js";
import { removeOnSignal } from "../io/remove-on-signal.js";

/** Reported while files download. */
export interface DownloadProgress {
  /** The file's path in the repository. */
  file: string;
  loaded: number;
  total: number;
}

export interface FileDownload {
  repoId: string;
  commit: string;
  path: string;
  /** The size the repository's file list gives, when it gives one. */
  size: number | undefined;
  endpoint: string;
  /** Token, timeout and deadline of the requests. */
  fetchOptions: HubFetchOptions;
  /** Whole-file attempts, for transfers cut midway. */
  attempts?: number;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/** Downloads `path` at `commit` into `cache` and links it from the snapshot, retrying transfers that fail midway. */
export async function downloadToCache(cache: HubCache, request: FileDownload): Promise<void> {
  const repo = { type: "model" as const, name: request.repoId };
  const accessToken = request.fetchOptions.token;
  const common = { repo, path: request.path, revision: request.commit, hubUrl: request.endpoint, accessToken };
  // The file's own body is as long as it is: the loop below stops it at the announced size.
  const fetches = { info: createHubFetch(request.fetchOptions), body: createHubFetch({ ...request.fetchOptions, maxBodyBytes: Number.POSITIVE_INFINITY }) };
  const attempts = request.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      let info;
      try {
        info = await fileDownloadInfo({ ...common, fetch: fetches.info });
      } catch (error) {
        throw describeFailure(error, request, "asking for");
      }
      if (!info) throw new HubError(`File "${request.path}" not found in ${request.repoId} at ${request.commit}`, { status: 404 });
      if (request.size !== undefined && info.size !== request.size) {
        throw malformedResponse(fileUrl(request), `it announces ${info.size} bytes where the file list says ${request.size}`);
      }
      const etag = normalizeEtag(info.etag);
      const blob = await downloadFile({ ...common, fetch: fetches.body, downloadInfo: info });
      if (!blob) throw new HubError(`File "${request.path}" not found in ${request.repoId} at ${request.commit}`, { status: 404 });
      const temporary = await cache.temporaryBlobPath(etag);
      await checkFreeSpace(dirname(temporary), info.size, request);
      const forget = removeOnSignal(temporary);
      try {
        await writeVerified(blob, temporary, etag, info.size, request);
        await cache.commitBlob(temporary, etag);
      } finally {
        await rm(temporary, { force: true });
        forget();
      }
      await cache.linkSnapshot(request.commit, request.path, etag);
      return;
    } catch (error) {
      const retryable = error instanceof TransferError;
      if (!retryable || attempt >= attempts) throw error instanceof TransferError ? error.toHubError() : error;
    }
  }
}

/** The URL `@huggingface/hub` asks for the file at. */
function fileUrl(request: FileDownload): string {
  return `${request.endpoint}/${request.repoId}/resolve/${encodeURIComponent(request.commit)}/${request.path}`;
}

/** Refuses a file larger than the free space of the folder it goes to. */
async function checkFreeSpace(folder: string, size: number, request: FileDownload): Promise<void> {
  const { bavail, bsize } = await statfs(folder);
  const free = bavail * bsize;
  if (size > free) {
    throw new HubError(`Not enough disk space for "${request.path}" of ${request.repoId}: it needs ${size} bytes and ${folder} has ${free} free.`);
  }
}

/** A transfer that failed midway or delivered the wrong bytes: worth another attempt. */
class TransferError extends Error {
  constructor(
    message: string,
    readonly hubError: () => HubError,
  ) {
    super(message);
  }

  toHubError(): HubError {
    return this.hubError();
  }
}

async function writeVerified(blob: Blob, path: string, etag: string, size: number, request: FileDownload): Promise<void> {
  const file = await open(path, "w");
  const sha256 = createHash("sha256");
  // A git blob id is sha1("blob <size>\0" + content); non-LFS files carry it as their ETag.
  const gitSha1 = createHash("sha1").update(`blob ${size}\0`);
  let loaded = 0;
  try {
    // The fetch gives up on a body that stalls or outlives its deadline.
    const reader = blob.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.byteLength;
      if (loaded > size) {
        await reader.cancel();
        throw new TransferError("size", () => new HubError(`Download of "${request.path}" from ${request.repoId} gave more than the ${size} bytes the Hub announced; the file was discarded.`));
      }
      sha256.update(value);
      gitSha1.update(value);
      await file.write(value);
      request.onProgress?.({ file: request.path, loaded, total: size });
    }
  } catch (error) {
    if (error instanceof TransferError) throw error;
    throw new TransferError("interrupted", () => interrupted(request, loaded, size, error));
  } finally {
    await file.close();
  }
  if (loaded !== size) {
    throw new TransferError("size", () => new HubError(`Download of "${request.path}" from ${request.repoId} gave ${loaded} bytes where the Hub announced ${size}; the file was discarded.`));
  }
  const expected = etag.length === 64 ? sha256.digest("hex") : etag.length === 40 ? gitSha1.digest("hex") : etag;
  if (expected !== etag) {
    throw new TransferError("hash", () => new HubError(`Download of "${request.path}" from ${request.repoId} does not match its checksum (expected ${etag}, got ${expected}); the file was discarded.`));
  }
}

function interrupted(request: FileDownload, loaded: number, size: number, cause: unknown): HubError {
  const reason = scrubToken(cause instanceof Error ? cause.message : String(cause), request.fetchOptions.token);
  return new HubError(
    `Download of "${request.path}" from ${request.repoId} was interrupted after ${loaded} of ${size} bytes (${reason}); nothing was kept. Check your connection and try again.`,
    { cause },
  );
}

function describeFailure(error: unknown, request: FileDownload, what: string): unknown {
  const token = request.fetchOptions.token;
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === "number") {
    const denied = accessDeniedMessage(status, request.repoId, token);
    const message = denied ?? `The Hub answered ${status} when ${what} "${request.path}" of ${request.repoId}: ${scrubToken((error as Error).message, token)}`;
    return new HubError(message, { status, cause: error });
  }
  if (error instanceof HubError) return error;
  if (error instanceof InvalidApiResponseFormatError) return malformedResponse(fileUrl(request), error.message);
  return networkError(request.endpoint, `${what} ${request.path}`, error, token);
}
