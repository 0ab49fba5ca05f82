/** `pushFiles` in the browser build: uploading to the Hub is available in Node only. */
import { HubError } from "../errors.js";
import type { PushOptions } from "./push.js";

export async function pushFiles(repoId: string, _files: ReadonlyMap<string, Uint8Array>, _options: PushOptions = {}): Promise<string> {
  throw new HubError(
    `Cannot push to ${repoId}: pushToHub needs Node (this is the browser build of model2vec). Use model.toFiles() and upload the files with @huggingface/hub's uploadFiles.`,
  );
}
