/** What every command needs: the global flags, stderr notes and progress bars. */
import { createRequire } from "node:module";
import type { Command } from "commander";

export interface CliContext {
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** --offline: use only models already in the Hugging Face cache (the API's `localFilesOnly`). */
  readonly offline: boolean;
  /** Whether progress bars are drawn: stderr is a terminal and --quiet is off. */
  readonly progress: boolean;
  /** A note on stderr (hidden by --quiet). */
  note(message: string): void;
  /** A progress bar on stderr, or a no-op when bars are off. */
  bar(label: string, total: number, unit?: string): ProgressBar;
}

export interface ProgressBar {
  update(done: number, total?: number): void;
  /** Names the step in progress right after the label (redrawn at once); "" clears it. */
  status(text: string): void;
  stop(): void;
}

const NO_BAR: ProgressBar = { update() {}, status() {}, stop() {} };

/** Bars being drawn, stopped before an error is printed. */
const active = new Set<ProgressBar>();

/** Stops every bar still drawn, so an error message starts on a clean line. */
export function stopAllBars(): void {
  for (const bar of [...active]) bar.stop();
}

/** The context of the command being run, from its options and the program's. */
export function contextOf(command: Command): CliContext {
  const options = command.optsWithGlobals<{ verbose?: boolean; quiet?: boolean; offline?: boolean }>();
  const verbose = options.verbose === true;
  const quiet = options.quiet === true;
  const progress = !quiet && process.stderr.isTTY === true;
  return {
    verbose,
    quiet,
    offline: options.offline === true,
    progress,
    note(message) {
      if (!quiet) process.stderr.write(`${message}\n`);
    },
    bar(label, total, unit = "") {
      if (!progress) return NO_BAR;
      // Loaded only when a bar is drawn; synchronous so callbacks can open bars.
      const { SingleBar, Presets } = createRequire(import.meta.url)("cli-progress") as typeof import("cli-progress");
      const bar = new SingleBar(
        {
          stream: process.stderr,
          // The status comes early: cli-progress cuts lines at the terminal's width.
          format: `${label}{status} [{bar}] {percentage}% | {value}/{total}${unit ? ` ${unit}` : ""} | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
          fps: 10,
        },
        Presets.shades_classic,
      );
      bar.start(Math.max(total, 0), 0, { status: "" });
      let stopped = false;
      const handle: ProgressBar = {
        update(done, newTotal) {
          if (stopped) return;
          if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
          bar.update(done);
        },
        status(text) {
          if (stopped) return;
          bar.update({ status: text ? ` ${text}` : "" });
          bar.render();
        },
        stop() {
          if (stopped) return;
          stopped = true;
          active.delete(handle);
          bar.stop();
        },
      };
      active.add(handle);
      return handle;
    },
  };
}
