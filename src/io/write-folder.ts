/** Writing a set of files so that no reader ever sees a half-written one. Node-only. */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/**
 * Writes `files` into `folder`. Everything is first written to a temporary folder
 * beside it; a new folder is then renamed into place in one step, and into an
 * existing folder each file is renamed over its old version (other files stay).
 */
export async function writeFolderAtomically(folder: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const target = resolve(folder);
  await mkdir(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString("hex")}.m2v-tmp`);
  try {
    for (const [name, content] of files) {
      await mkdir(dirname(join(temporary, name)), { recursive: true });
      await writeFile(join(temporary, name), content);
    }
    if (!(await exists(target))) {
      try {
        await rename(temporary, target);
        return;
      } catch (error) {
        // Another writer created the folder meanwhile: fall through to per-file renames.
        if (!(await exists(target))) throw error;
      }
    }
    for (const name of files.keys()) {
      await mkdir(dirname(join(target, name)), { recursive: true });
      await rename(join(temporary, name), join(target, name));
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
