/** Where model files come from: a folder, the Hub, or bytes in memory. */

/** Limits on one read. */
export interface ReadOptions {
  /** Refuse a file larger than this many bytes (sources that read from disk check before reading). */
  maxBytes?: number;
}

/** Reads files by slash-separated paths relative to a root. */
export interface FileSource {
  /** The file's bytes, or undefined when it does not exist. */
  read(path: string, options?: ReadOptions): Promise<Uint8Array | undefined>;
  /** Whether the file exists. */
  exists(path: string): Promise<boolean>;
  /** How to name `path` in an error message (e.g. the absolute file path). */
  describe(path: string): string;
}

/** A FileSource over files held in memory, keyed by relative path. */
export class MemoryFileSource implements FileSource {
  readonly #files: ReadonlyMap<string, Uint8Array>;

  constructor(files: Record<string, Uint8Array> | ReadonlyMap<string, Uint8Array>) {
    this.#files = files instanceof Map ? files : new Map(Object.entries(files));
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    return this.#files.get(normalizePath(path));
  }

  async exists(path: string): Promise<boolean> {
    return this.#files.has(normalizePath(path));
  }

  describe(path: string): string {
    return normalizePath(path);
  }
}

/**
 * Joins slash-separated path parts and resolves `.` and `..`. A leading `..`
 * that climbs above the root is kept, so sources can decide whether to allow it.
 */
export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((p) => p.length > 0).join("/"));
}

function normalizePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split(/[\\/]+/)) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(segment);
  }
  return out.join("/");
}
