/**
 * Locates ../shared (reference outputs and data sets) through one setting,
 * MODEL2VEC_SHARED_DIR, defaulting to ../shared beside the repo. Tests that need
 * it skip with the missing path named, unless MODEL2VEC_REQUIRE_SHARED=1 (CI),
 * where a missing folder fails the run instead.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SHARED_DIR = resolve(
  process.env.MODEL2VEC_SHARED_DIR ?? resolve(fileURLToPath(new URL(".", import.meta.url)), "../../shared"),
);

/** The absolute path of `relative` inside the shared folder, and whether tests may use it. */
export function sharedPath(relative: string): { path: string; available: boolean } {
  const path = resolve(SHARED_DIR, relative);
  const available = existsSync(path);
  if (!available) {
    const message = `shared data missing: ${path} (set MODEL2VEC_SHARED_DIR)`;
    if (process.env.MODEL2VEC_REQUIRE_SHARED === "1") throw new Error(message);
    console.warn(`skipping: ${message}`);
  }
  return { path, available };
}
