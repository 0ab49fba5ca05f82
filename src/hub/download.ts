/**
 * Downloads one file of a commit into the cache. The bytes go to a temporary
 * file while their hash is computed; only a file whose size matches what the Hub
 * announced, and whose hash matches its ETag (sha256 for LFS files, the git blob
 * sha1 otherwise), is renamed into the cache and linked from the snapshot.
 */
import { createHash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { downloadFile, fileDownloadInfo } from "@huggingface/hub";
import { HubError } from "../errors.js";
import type { HubCache } from "./cache.js";
import { accessDeniedMessage, networkError, scrubToken } from "./hub-fetch.js";
import { normalizeEtag } from "./names.js";

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
  endpoint: string;
  token: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Whole-file attempts, for transfers cut midway. */
  attempts?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

/** Downloads `path` at `commit` into `cache` and links it from the snapshot, retrying transfers that fail midway. */
export async function downloadToCache(cache: HubCache, request: FileDownload): Promise<void> {
  const repo = { type: "model" as const, name: request.repoId };
  const common = { repo, path: request.path, revision: request.commit, hubUrl: request.endpoint, fetch: request.fetch, accessToken: request.token };
  const attempts = request.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      let info;
      try {
        info = await fileDownloadInfo(common);
      } catch (error) {
        throw describeFailure(error, request, "asking for");
      }
      if (!info) throw new HubError(`File "${request.path}" not found in ${request.repoId} at ${request.commit}`, { status: 404 });
      const etag = normalizeEtag(info.etag);
      const blob = await downloadFile({ ...common, downloadInfo: info });
      if (!blob) throw new HubError(`File "${request.path}" not found in ${request.repoId} at ${request.commit}`, { status: 404 });
      const temporary = await cache.temporaryBlobPath(etag);
      try {
        await writeVerified(blob, temporary, etag, info.size, request);
        await cache.commitBlob(temporary, etag);
      } finally {
        await rm(temporary, { force: true });
      }
      await cache.linkSnapshot(request.commit, request.path, etag);
      return;
    } catch (error) {
      const retryable = error instanceof TransferError;
      if (!retryable || attempt >= attempts) throw error instanceof TransferError ? error.toHubError() : error;
    }
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
    const reader = blob.stream().getReader();
    for (;;) {
      const { done, value } = await readWithin(reader, request.timeoutMs);
      if (done) break;
      loaded += value.byteLength;
      if (loaded > size) break;
      sha256.update(value);
      gitSha1.update(value);
      await file.write(value);
      request.onProgress?.({ file: request.path, loaded, total: size });
    }
  } catch (error) {
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

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  timeoutMs: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([reader.read(), stalled]);
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function interrupted(request: FileDownload, loaded: number, size: number, cause: unknown): HubError {
  const reason = scrubToken(cause instanceof Error ? cause.message : String(cause), request.token);
  return new HubError(
    `Download of "${request.path}" from ${request.repoId} was interrupted after ${loaded} of ${size} bytes (${reason}); nothing was kept. Check your connection and try again.`,
    { cause },
  );
}

function describeFailure(error: unknown, request: FileDownload, what: string): unknown {
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === "number") {
    const denied = accessDeniedMessage(status, request.repoId, request.token);
    const message = denied ?? `The Hub answered ${status} when ${what} "${request.path}" of ${request.repoId}: ${scrubToken((error as Error).message, request.token)}`;
    return new HubError(message, { status, cause: error });
  }
  if (error instanceof HubError) return error;
  return networkError(request.endpoint, `${what} ${request.path}`, error, request.token);
}
