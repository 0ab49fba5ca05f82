/** `readIndexFolder` in the browser build: there is no file system; indexes travel as `toFiles()` bytes. */
import { Model2VecError } from "../errors.js";

export async function readIndexFolder(folder: string): Promise<Map<string, Uint8Array>> {
  throw new Model2VecError(`Cannot load an index from "${folder}": this runtime has no file system. Use VectorIndex.fromFiles() with the files' bytes.`);
}
