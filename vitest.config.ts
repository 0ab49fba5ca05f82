import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { ENTRY_POINTS, subpathOf } from "./scripts/entry-points.js";

export default defineConfig({
  resolve: {
    // Lets README examples import "model2vec" and run against the sources.
    alias: Object.entries(ENTRY_POINTS).map(([name, file]) => ({
      find: new RegExp(`^${subpathOf(name)}$`),
      replacement: fileURLToPath(new URL(`./${file}`, import.meta.url)),
    })),
  },
  test: {
    include: ["test/**/*.test.ts"],
    // No test may reach the real Hub or the user's cache: hub tests set these to a local server.
    env: { HF_ENDPOINT: "http://127.0.0.1:9", HF_HOME: join(tmpdir(), "model2vec-test-hf-home"), HF_TOKEN: "" },
    testTimeout: 60_000,
    pool: "forks",
  },
});
