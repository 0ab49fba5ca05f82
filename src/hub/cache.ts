/**
 * The Hugging Face cache, in Python huggingface_hub's layout, so that models
 * downloaded by either library are found by the other:
 *
 *   <cacheDir>/models--org--name/blobs/<etag>
 *   <cacheDir>/models--org--name/refs/<revision>            (holds the commit hash)
 *   <cacheDir>/models--org--name/snapshots/<commit>/<path>  (a relative link to the blob)
 *
 * Every write goes to a uniquely named temporary file first and is renamed into
 * place, so a reader never sees a partial file and concurrent writers of the same
 * blob each rename a complete copy.
 */
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, symlink } from "node:fs/promises";
import { atomicWrite } from "../io/atomic-write.js";
import { dirname, join, relative } from "node:path";
import { isCommitHash } from "./names.js";

export class HubCache {
  /** The `models--org--name` folder. */
  readonly repoFolder: string;

  constructor(cacheDir: string, repoId: string) {
    this.repoFolder = join(cacheDir, `models--${repoId.split("/").join("--")}`);
  }

  /** The commit a revision points to: the revision itself if it is a commit, else `refs/<revision>`. */
  async commitFor(revision: string): Promise<string | undefined> {
    if (isCommitHash(revision)) return revision;
    try {
      const commit = (await readFile(join(this.repoFolder, "refs", revision), "utf8")).trim();
      return isCommitHash(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records that `revision` points to `commit`. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    await atomicWrite(join(this.repoFolder, "refs", revision), commit);
  }

  snapshotFolder(commit: string): string {
    return join(this.repoFolder, "snapshots", commit);
  }

  /** Whether the snapshot has `path`, resolving to a readable file. */
  async hasFile(commit: string, path: string): Promise<boolean> {
    try {
      return (await stat(join(this.snapshotFolder(commit), path))).isFile();
    } catch {
      return false;
    }
  }

  blobPath(etag: string): string {
    return join(this.repoFolder, "blobs", etag);
  }

  /** A fresh temporary path beside the blobs, unique per process and call. */
  async temporaryBlobPath(etag: string): Promise<string> {
    await mkdir(join(this.repoFolder, "blobs"), { recursive: true });
    return join(this.repoFolder, "blobs", `${etag}.${process.pid}-${randomBytes(6).toString("hex")}.m2v-tmp`);
  }

  /**
   * Removes temporary blobs last written over `ageMs` ago: a process killed mid-download left them.
   * A live download writes at least every HF_HUB_DOWNLOAD_TIMEOUT seconds, so an hour is safe.
   */
  async removeStaleTemporaries(ageMs = 3_600_000): Promise<void> {
    const folder = join(this.repoFolder, "blobs");
    const names = await readdir(folder).catch(() => []);
    for (const name of names.filter((n) => n.endsWith(".m2v-tmp"))) {
      const path = join(folder, name);
      const modified = await stat(path).then((s) => s.mtimeMs, () => Date.now());
      if (Date.now() - modified > ageMs) await rm(path, { force: true });
    }
  }

  /** Moves a verified temporary file into place as the blob `etag`. */
  async commitBlob(temporary: string, etag: string): Promise<void> {
    await rename(temporary, this.blobPath(etag));
  }

  /**
   * Points `snapshots/<commit>/<path>` at the blob, with a relative symbolic link as
   * Python does; where links are not allowed (Windows without developer mode) the
   * blob is copied instead.
   */
  async linkSnapshot(commit: string, path: string, etag: string): Promise<void> {
    const target = join(this.snapshotFolder(commit), path);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}-${randomBytes(6).toString("hex")}.m2v-tmp`;
    try {
      await symlink(relative(dirname(target), this.blobPath(etag)), temporary);
    } catch {
      await copyFile(this.blobPath(etag), temporary);
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
