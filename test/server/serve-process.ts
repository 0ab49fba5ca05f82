/** Runs `model2vec serve` (the real CLI, `node --import tsx src/cli/main.ts`) as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { ROOT } from "../fixtures/run-cli.js";

/** A `model2vec serve` child, once it printed its URL. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code (or the signal's name) and everything written to stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts `model2vec serve --port 0 --quiet ...args` and resolves once it listens. */
export function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", `${ROOT}/src/cli/main.ts`, "serve", "--port", "0", "--quiet", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const line = /^(http:\/\/\S+)\n/.exec(stdout);
      if (line) resolve({ child, url: line[1]!, exited });
    });
    void exited.then(({ code, stderr: text }) => reject(new Error(`model2vec serve exited with ${code} before listening:\n${text}`)));
  });
}
