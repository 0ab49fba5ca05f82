/** `writeFolderAtomically` in the browser build: there is no file system to write to. */
import { Model2VecError } from "../errors.js";

export async function writeFolderAtomically(folder: string, _files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  throw new Model2VecError(
    `Cannot save to "${folder}": this is the browser build of model2vec, which has no file system. Use model.toFiles() for the files' bytes (e.g. to offer a download).`,
  );
}
