/**
 * Validation of the names that become cache paths: repo ids, revisions, commit
 * hashes, ETags and file paths. Anything that could escape the cache folder is refused.
 */
import { InvalidInputError } from "../errors.js";

const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** Whether `repoId` is a Hub model id, `name` or `org/name`, as the Hub accepts them. */
export function isRepoId(repoId: string): boolean {
  const parts = repoId.split("/");
  return parts.length <= 2 && parts.every((part) => REPO_PART.test(part) && !part.includes("--") && !part.includes("..") && !part.endsWith("."));
}

/** Checks a Hub model id (see {@link isRepoId}). */
export function checkRepoId(repoId: string): string {
  if (!isRepoId(repoId)) throw new InvalidInputError(`"${repoId}" is neither a local folder nor a valid Hub model id (org/name)`);
  return repoId;
}

/** Checks a revision (branch, tag, `refs/pr/1` or commit); it becomes a path under `refs/`. */
export function checkRevision(revision: string): string {
  if (typeof revision !== "string" || revision.length === 0 || revision.length > 255 || !isSafeRelativePath(revision)) {
    throw new InvalidInputError(`revision ${JSON.stringify(revision)} is not a valid branch, tag or commit`);
  }
  return revision;
}

/** Checks a path inside a repo (file or subfolder). */
export function checkRepoPath(path: string, what: string): string {
  if (typeof path !== "string" || !isSafeRelativePath(path)) {
    throw new InvalidInputError(`${what} ${JSON.stringify(path)} must be a relative path inside the repository`);
  }
  return path;
}

/** Whether `hash` is a full commit hash. */
export function isCommitHash(hash: string): boolean {
  return /^[0-9a-f]{40}$/.test(hash);
}

/** An ETag as the cache names blobs: quotes and the weak prefix removed; refused if it is not a plain token. */
export function normalizeEtag(etag: string): string {
  const value = etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(value)) throw new InvalidInputError(`the Hub sent an unusable ETag ${JSON.stringify(etag)}`);
  return value;
}

function isSafeRelativePath(path: string): boolean {
  if (path.startsWith("/") || path.includes("\\") || /^[A-Za-z]:/.test(path) || /[\u0000-\u001f]/.test(path)) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
