/**
 * Finds a Hub model's files in the cache, downloading what is missing: the
 * revision is resolved to a commit, the folder layout picked from the
 * repository's file list, and only that layout's files fetched. Offline, the
 * same choice runs against the cached snapshot.
 */
import { resolve } from "node:path";
import { HubError, InvalidInputError } from "../errors.js";
import { chooseLayout } from "./model-layout.js";
import { isDirectory } from "../io/node-file-source.js";
import { isRepoId } from "../hub/names.js";
import { type HubFilesOptions, RepoLookupError, resolveHubFiles } from "../hub/resolve-files.js";

/** Options of a Hub load; each defaults to the environment as Python reads it. */
export interface HubLoadOptions extends HubFilesOptions {
  /** Folder inside the repository that holds the model. */
  subfolder?: string | undefined;
}

/** Where a Hub model's files are: a snapshot folder of the cache. */
export interface ResolvedHubModel {
  folder: string;
  commit: string;
}

/**
 * Resolves `repoId` to a snapshot folder holding one model layout's files (and its README when listed).
 *
 * @throws HubError with an actionable message (authentication, not found, offline, network);
 *   ModelFormatError listing the layouts tried when the repository holds no model.
 */
export async function resolveHubModel(repoId: string, options: HubLoadOptions = {}): Promise<ResolvedHubModel> {
  const { folder, commit } = await resolveHubFiles(
    repoId,
    (has) => {
      const layout = chooseLayout(has, options.subfolder ?? "", (path) => `${repoId}/${path}`);
      return [layout.config, layout.model, layout.tokenizer, ...(has(layout.readme) ? [layout.readme] : [])];
    },
    options,
  );
  return { folder, commit };
}

/**
 * The folder `pathOrId` names: the local folder when there is one, else the Hub model's snapshot.
 *
 * @throws InvalidInputError "No such folder" when there is no such folder and the name cannot be a Hub id;
 *   HubError naming both possibilities (no folder here, and why the Hub lookup failed) when it can
 *   and the Hub could not confirm the repository (any later failure, a download's, is thrown as it is).
 */
export async function resolveModelFolder(pathOrId: string, options: HubLoadOptions = {}): Promise<string> {
  if (await isDirectory(pathOrId)) return pathOrId;
  if (!isRepoId(pathOrId)) {
    throw new InvalidInputError(`No such folder: "${pathOrId}" is neither a local folder nor a valid Hub model id (org/name).`);
  }
  try {
    return (await resolveHubModel(pathOrId, options)).folder;
  } catch (error) {
    if (!(error instanceof RepoLookupError)) throw error;
    throw new HubError(`No folder named "${pathOrId}" here (${resolve(pathOrId)}), and the Hub lookup failed: ${error.message}`, {
      status: error.status,
      cause: error,
    });
  }
}
