/**
 * Finding the tasks whose data files are not there, before any work: a run can then
 * name every missing task and path at once, or (the CLI) skip them.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { TaskDefinition } from "./builtin-tasks.js";

/** A task with data files that are not there, and the paths looked for. */
export interface MissingData {
  task: string;
  files: string[];
}

/**
 * The tasks among `tasks` with a declared data file (`dataFiles`) that is not a
 * file: absent, or a folder. Relative files are looked for in `dataDir`. Tasks
 * that declare no files are taken as complete.
 */
export async function findMissingData(tasks: readonly TaskDefinition[], dataDir: string): Promise<MissingData[]> {
  const missing: MissingData[] = [];
  for (const task of tasks) {
    const paths = (task.dataFiles ?? []).map((file) => (isAbsolute(file) ? file : join(dataDir, file)));
    const absent = (await Promise.all(paths.map(async (path) => ((await isMissing(path)) ? path : undefined)))).filter((path) => path !== undefined);
    if (absent.length > 0) missing.push({ task: task.name, files: absent });
  }
  return missing;
}

/** One indented line per task: `  name: path, path`. */
export function formatMissingData(missing: readonly MissingData[]): string {
  return missing.map(({ task, files }) => `  ${task}: ${files.join(", ")}`).join("\n");
}

async function isMissing(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isFile();
  } catch (error) {
    // Other failures (permissions…) are left for the loader to report as they are.
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR";
  }
}
