/** Reading a saved index's files from a folder. Node-only (index-folder.browser.ts replaces it). */
import { NodeFileSource } from "../io/node-file-source.js";
import { INDEX_FILES } from "./index-files.js";

/** The files of the index saved in `folder`; a missing file is left out (the reader names it). */
export async function readIndexFolder(folder: string): Promise<Map<string, Uint8Array>> {
  const source = new NodeFileSource(folder);
  const files = new Map<string, Uint8Array>();
  for (const name of Object.values(INDEX_FILES)) {
    const bytes = await source.read(name);
    if (bytes !== undefined) files.set(name, bytes);
  }
  return files;
}
