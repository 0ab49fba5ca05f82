#!/usr/bin/env node
/**
 * The `model2vec` executable (bin). Everything heavy is imported by the command
 * that needs it, so `--help` and small commands start fast.
 */
import { run } from "./program.js";

// `model2vec encode … | head`: a closed pipe is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
