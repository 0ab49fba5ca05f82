/**
 * Finds a Hub model's files in the cache, downloading what is missing: the
 * revision is resolved to a commit, the folder layout picked from the
 * repository's file list, and only that layout's files fetched. Offline, the
 * same choice runs against the cached snapshot.
 */
import { chooseLayout } from "../formats/model-layout.js";
import { type HubFilesOptions, resolveHubFiles } from "./resolve-files.js";

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
