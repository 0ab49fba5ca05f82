/**
 * `StaticModel.fromPretrained` in the browser build (swapped in for
 * ./load-pretrained.ts by scripts/browser-modules.ts): a Hub id loads through
 * the Hub's `resolve` URLs with `fetch`, an http(s) URL loads as
 * `StaticModel.fromUrl` does. There is no file system, hence no local folders,
 * no bundled default model and no huggingface_hub cache; the `cache` option
 * keeps the files in Cache Storage instead.
 */
import { HubError, InvalidInputError } from "../errors.js";
import { checkRepoId, checkRevision } from "../hub/names.js";
import type { ModelParts } from "./model-parts.js";
import { type FromPretrainedOptions, loadFromUrl } from "./load-url.js";

const DEFAULT_ENDPOINT = "https://huggingface.co";

export async function loadPretrained(
  pathOrId: string | undefined,
  subfolder: string,
  options: FromPretrainedOptions,
  init: { normalize?: boolean },
): Promise<ModelParts> {
  if (pathOrId === undefined) {
    throw new HubError(
      "fromPretrained() with no argument loads the default model bundled in the package, which needs a file system: in a browser, serve the package's models/default folder and load it with StaticModel.fromUrl(url)",
    );
  }
  const load = { ...options, subfolder, ...init };
  if (/^https?:\/\//i.test(pathOrId)) return loadFromUrl(pathOrId, load);
  if (options.localFilesOnly) {
    throw new HubError(`fromPretrained("${pathOrId}"): localFilesOnly needs the file-system cache of Node; in a browser, use the cache option (Cache Storage)`);
  }
  try {
    checkRepoId(pathOrId);
  } catch (error) {
    throw new InvalidInputError(`"${pathOrId}" is not a Hub model id (org/name) or an http(s) URL; this build has no file system to load a folder from`, {
      cause: error,
    });
  }
  const revision = checkRevision(options.revision ?? "main");
  const endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
  if (typeof endpoint !== "string" || !/^https?:\/\//i.test(endpoint)) {
    throw new InvalidInputError(`endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  const base = `${endpoint.replace(/\/+$/, "")}/${pathOrId}/resolve/${encodeURIComponent(revision)}/`;
  return loadFromUrl(base, load, { repoId: pathOrId });
}
