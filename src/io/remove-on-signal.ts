/**
 * Temporary files being written (Hub downloads, CLI outputs), removed when the
 * process ends by a signal it can catch (SIGINT, SIGTERM, SIGHUP) or exits while
 * they are registered. A SIGKILL leaves them behind; their writers recognise and
 * remove stale ones later. Node-only.
 */
import { rmSync } from "node:fs";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const live = new Set<string>();

/**
 * Removes `path` if the process is interrupted before the returned function is called.
 * While any file is registered, SIGINT, SIGTERM and SIGHUP remove them all and then end the process
 * as they would have: by the signal itself when nothing else listens for it, or through the
 * application's own handlers when it has some.
 */
export function removeOnSignal(path: string): () => void {
  if (live.size === 0) install();
  live.add(path);
  return () => {
    live.delete(path);
    if (live.size === 0) uninstall();
  };
}

function removeAll(): void {
  for (const path of live) rmSync(path, { force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  const alone = process.listenerCount(signal) === 1;
  uninstall();
  // With no listener left, Node restores the signal's default action: re-raise it to get that.
  if (alone) process.kill(process.pid, signal);
}

function install(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("exit", removeAll);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off("exit", removeAll);
}
