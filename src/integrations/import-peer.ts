/**
 * Loading an optional peer package (one a single entry point needs) on first use,
 * so that importing the entry costs nothing until it is used, and a missing
 * package is reported with the command that installs it.
 */
import { MissingDependencyError } from "../errors.js";

/**
 * Imports the optional package `name` through `importer`.
 *
 * @param purpose - What needs it, for the message ("The LanceDB embedding function").
 * @param install - The `npm install` arguments that fix it (name and version range).
 * @throws MissingDependencyError naming the package and the install command, when it is
 *   absent or fails to load.
 */
export async function importPeer<T>(name: string, purpose: string, install: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    const absent = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && message.includes(name);
    throw new MissingDependencyError(
      absent
        ? `${purpose} needs the optional package "${name}", which is not installed. Install it with \`npm install ${install}\`.`
        : `"${name}" is installed but could not be loaded (${message}). Reinstall it with \`npm install ${install}\`.`,
      { cause: error },
    );
  }
}
