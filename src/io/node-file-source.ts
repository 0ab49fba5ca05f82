/** The FileSource over a local folder. Node-only; loaded lazily so the core stays runtime-neutral. */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { FileSource } from "./file-source.js";

export class NodeFileSource implements FileSource {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.describe(path));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
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
