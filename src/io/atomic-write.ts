/** Writing one file so that no reader ever sees it half-written. Node-only. */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** The suffix of temporary files: `<name>.tmp-<pid>-<random>`, so leftovers can be recognised and removed. */
export const TEMPORARY_SUFFIX = /\.tmp-\d+-[0-9a-f]+$/;

/** A unique temporary path next to `path`. */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
}

/** Writes `content` to `path` through a temporary file and a rename. */
export async function atomicWrite(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
