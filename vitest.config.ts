import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Lets README examples import "model2vec" and run against the sources.
    alias: [
      { find: /^model2vec$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^model2vec\/evaluate$/, replacement: fileURLToPath(new URL("./src/evaluation.ts", import.meta.url)) },
      { find: /^model2vec\/train$/, replacement: fileURLToPath(new URL("./src/training.ts", import.meta.url)) },
      { find: /^model2vec\/server$/, replacement: fileURLToPath(new URL("./src/server.ts", import.meta.url)) },
      { find: /^model2vec\/(langchain|ai-sdk|chonkie)$/, replacement: fileURLToPath(new URL("./src/$1.ts", import.meta.url)) },
      { find: /^model2vec\/onnx$/, replacement: fileURLToPath(new URL("./src/onnx.ts", import.meta.url)) },
      { find: /^model2vec\/teachers$/, replacement: fileURLToPath(new URL("./src/teachers.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // No test may reach the real Hub or the user's cache: hub tests set these to a local server.
    env: { HF_ENDPOINT: "http://127.0.0.1:9", HF_HOME: join(tmpdir(), "model2vec-test-hf-home"), HF_TOKEN: "" },
    testTimeout: 60_000,
    pool: "forks",
  },
});
