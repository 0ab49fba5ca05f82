/**
 * The FileSource over a local folder. Node-only; loaded lazily so the core stays runtime-neutral.
 *
 * Only regular files are read (a FIFO would block forever, a device never ends),
 * and a symbolic link is followed only when it resolves inside the folder, or,
 * for a snapshot of the Hugging Face cache, into that repository's `blobs/`,
 * where the cache's own links point. Anything else is a ModelFormatError that
 * names the link and its target but never shows the target's content.
 */
import { constants } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ModelFormatError } from "../errors.js";
import type { FileSource, ReadOptions } from "./file-source.js";

/** Opening a FIFO for reading would wait for a writer; non-blocking, it returns at once and fstat tells what it is. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export class NodeFileSource implements FileSource {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * @throws ModelFormatError when the path is not a regular file, is larger than
   *   `maxBytes`, or is a link that leads out of the folder.
   */
  async read(path: string, options: ReadOptions = {}): Promise<Uint8Array | undefined> {
    const file = this.describe(path);
    const target = await this.#linkTarget(file);
    if (target === undefined) return undefined;
    let handle;
    try {
      handle = await open(target, OPEN_FLAGS);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ModelFormatError(`${file} is not a regular file (it is ${fileKind(stats)}); model files must be regular files`);
      const { maxBytes } = options;
      if (maxBytes !== undefined && stats.size > maxBytes) {
        throw new ModelFormatError(`${file} is ${stats.size} bytes, over the ${maxBytes}-byte limit for this file`);
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await stat(this.describe(path))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  describe(path: string): string {
    return resolve(this.root, path);
  }

  /**
   * Where `file` really is, once its links are resolved; undefined when it does not exist.
   *
   * @throws ModelFormatError when a link leads outside the folders a model may use.
   */
  async #linkTarget(file: string): Promise<string | undefined> {
    let target: string;
    try {
      target = await realpath(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    // The folder the layout reaches into: the root, or its parent for a config kept beside 0_StaticEmbedding/.
    const scope = relative(this.root, file).startsWith(`..${sep}`) ? dirname(this.root) : this.root;
    const realScope = await realpath(scope);
    const allowed = [realScope, huggingFaceBlobs(realScope)].filter((folder) => folder !== null);
    if (!allowed.some((folder) => isInside(target, folder))) {
      throw new ModelFormatError(
        `${file} is a link to ${target}, outside the model folder ${scope}; links are followed only within the folder (or into blobs/ for a Hugging Face cache snapshot)`,
      );
    }
    return target;
  }
}

/** `<repo>/blobs` when `folder` is in a Hugging Face cache snapshot (`<repo>/snapshots/<commit>/…`, `<repo>` named `models--…`), else null. */
function huggingFaceBlobs(folder: string): string | null {
  const parts = folder.split(sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] === "snapshots" && parts[i - 1]!.startsWith("models--")) return join(parts.slice(0, i).join(sep) || sep, "blobs");
  }
  return null;
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${sep}`));
}

function fileKind(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a named pipe";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  return "another kind of file";
}

/** Whether `path` is an existing directory. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
