/** Validation of the load options shared by `fromPretrained`, `fromUrl` and `fromBuffers`, with errors that name the option. */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { joinPath } from "../io/file-source.js";

/** `{ normalize }` when the caller overrides the config's `normalize`, else `{}`. */
export function normalizeOverride(normalize: unknown): { normalize?: boolean } {
  if (normalize === undefined) return {};
  if (typeof normalize !== "boolean") throw new InvalidInputError(`normalize must be a boolean, got ${describe(normalize)}`);
  return { normalize };
}

/** `subfolder` as a clean relative path ("" for none), refusing absolute paths and paths that climb out of the model folder. */
export function subfolderOption(subfolder: unknown): string {
  if (subfolder === undefined || subfolder === null) return "";
  if (typeof subfolder !== "string" || /^([\\/]|[A-Za-z]:)/.test(subfolder) || joinPath(subfolder).split("/")[0] === "..") {
    throw new InvalidInputError(`subfolder must be a relative path inside the model folder, got ${describe(subfolder)}`);
  }
  return joinPath(subfolder);
}
