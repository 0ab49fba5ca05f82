/** Loading a model with a download progress bar for Hub ids. */
import type { FromPretrainedOptions, StaticModel } from "../index.js";
import type { CliContext, ProgressBar } from "./context.js";

export interface DownloadBar {
  onProgress(progress: { file: string; loaded: number; total: number }): void;
  stop(): void;
}

/**
 * `StaticModel.fromPretrained(idOrPath)` (the bundled default model when
 * undefined), drawing a bar while Hub files download; only from the cache with --offline.
 */
export async function loadModel(idOrPath: string | undefined, context: CliContext, options: FromPretrainedOptions = {}): Promise<StaticModel> {
  const { StaticModel } = await import("../index.js");
  return withDownloadBar(context, idOrPath ?? "the default model", (onProgress) =>
    StaticModel.fromPretrained(idOrPath, { ...options, ...offline(context), onProgress }),
  );
}

/** Runs `load`, drawing a bar named after `name` while the files it reports download. */
export async function withDownloadBar<T>(context: CliContext, name: string, load: (onProgress: DownloadBar["onProgress"]) => Promise<T>): Promise<T> {
  const downloads = downloadBar(context, name);
  try {
    return await load(downloads.onProgress);
  } finally {
    downloads.stop();
  }
}

/** The Hub option --offline stands for. */
export function offline(context: CliContext): { localFilesOnly?: true } {
  return context.offline ? { localFilesOnly: true } : {};
}

/** A bar over the bytes of all files being downloaded, started at the first byte. */
export function downloadBar(context: CliContext, name: string): DownloadBar {
  const files = new Map<string, { loaded: number; total: number }>();
  let bar: ProgressBar | null = null;
  return {
    onProgress(progress: { file: string; loaded: number; total: number }) {
      if (!context.progress) return;
      files.set(progress.file, { loaded: progress.loaded, total: progress.total });
      let loaded = 0;
      let total = 0;
      for (const file of files.values()) {
        loaded += file.loaded;
        total += file.total;
      }
      const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
      bar ??= context.bar(`downloading ${name}`, mb(total), "MB");
      bar.update(mb(loaded), mb(total));
    },
    stop() {
      bar?.stop();
    },
  };
}
