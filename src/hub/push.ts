/** Uploading a saved model to the Hugging Face Hub through `@huggingface/hub`. Node-only (reads HF_TOKEN). */
import { createRepo, uploadFiles } from "@huggingface/hub";
import { HubError } from "../errors.js";
import { joinPath } from "../io/file-source.js";
import { createHubFetch, networkError, scrubToken } from "./hub-fetch.js";
import { checkRepoId, checkRepoPath } from "./names.js";
import { hubSettings } from "./settings.js";

/** Options of {@link StaticModel.pushToHub}. */
export interface PushOptions {
  /** Write token; default HF_TOKEN, then the token file of `huggingface-cli login`. */
  token?: string | undefined;
  /** Create the repository as private. Applies only when it does not exist yet, as in Python. */
  private?: boolean | undefined;
  /** Folder inside the repository to upload into. */
  subfolder?: string | undefined;
  commitMessage?: string | undefined;
}

/**
 * Creates `repoId` if it is missing and uploads `files` in one commit.
 *
 * @returns The URL of the repository.
 */
export async function pushFiles(repoId: string, files: ReadonlyMap<string, Uint8Array>, options: PushOptions = {}): Promise<string> {
  checkRepoId(repoId);
  const subfolder = options.subfolder ? checkRepoPath(options.subfolder, "subfolder") : "";
  const settings = hubSettings({ token: options.token });
  if (!settings.token) throw new HubError(`Pushing to ${repoId} needs a write token: pass the token option or set HF_TOKEN.`);
  const credentials = { accessToken: settings.token, hubUrl: settings.endpoint, fetch: createHubFetch({ token: settings.token, timeoutMs: settings.timeoutMs, deadlineMs: settings.deadlineMs }) };
  const repo = { type: "model" as const, name: repoId };
  try {
    await createRepo({ ...credentials, repo, private: options.private ?? false });
  } catch (error) {
    // 409: the repository exists already, which is fine.
    if ((error as { statusCode?: number }).statusCode !== 409) throw hubFailure(error, repoId, settings);
  }
  try {
    await uploadFiles({
      ...credentials,
      repo,
      commitTitle: options.commitMessage ?? "Upload model2vec model",
      files: [...files].map(([name, content]) => ({ path: joinPath(subfolder, name), content: new Blob([content as BlobPart]) })),
    });
  } catch (error) {
    throw hubFailure(error, repoId, settings);
  }
  return `${settings.endpoint}/${repoId}`;
}

function hubFailure(error: unknown, repoId: string, settings: { endpoint: string; token: string | undefined }): HubError {
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status !== "number") return networkError(settings.endpoint, `pushing to ${repoId}`, error, settings.token);
  const detail = scrubToken((error as Error).message, settings.token);
  const hint = status === 401 || status === 403 ? " The token must have write access to it." : "";
  return new HubError(`Pushing to ${repoId} failed: the Hub answered ${status} (${detail}).${hint}`, { status, cause: error });
}
