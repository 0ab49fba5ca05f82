/**
 * The demo's Vite config (`npm run demo`, `npm run demo:build`). "model2vec" is the
 * library's sources, with the browser build's module swap (scripts/browser-modules.ts),
 * so no library build is needed first. The bundled default model (models/default) is
 * served at ./model/ and the corpus at ./sentences.json: by middleware in dev, as emitted
 * assets in a build (examples/browser-search/dist). Neither is copied into the repository.
 */
import { createReadStream, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { viteBrowserModules } from "../../scripts/browser-modules.js";
import { loadCorpus } from "./corpus.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../..");
const modelFolder = join(repo, "models", "default");
const MODEL_FILES: Record<string, string> = {
  "config.json": "application/json",
  "model.safetensors": "application/octet-stream",
  "tokenizer.json": "application/json",
  "README.md": "text/markdown; charset=utf-8",
};

/** Serves / emits models/default as ./model/ and the corpus as ./sentences.json. */
function demoData(): Plugin {
  let corpus: string | undefined;
  const corpusJson = () => (corpus ??= JSON.stringify(loadCorpus()));
  return {
    name: "model2vec-demo-data",
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = (request.url ?? "").split("?")[0]!;
        if (path === "/sentences.json") {
          response.setHeader("Content-Type", "application/json");
          response.end(corpusJson());
          return;
        }
        const file = path.startsWith("/model/") ? path.slice("/model/".length) : undefined;
        if (file === undefined) return next();
        const type = MODEL_FILES[file];
        if (type === undefined) {
          response.statusCode = 404;
          response.end("not found");
          return;
        }
        response.setHeader("Content-Type", type);
        createReadStream(join(modelFolder, file)).pipe(response);
      });
    },
    generateBundle() {
      for (const file of Object.keys(MODEL_FILES)) {
        this.emitFile({ type: "asset", fileName: `model/${file}`, source: readFileSync(join(modelFolder, file)) });
      }
      this.emitFile({ type: "asset", fileName: "sentences.json", source: corpusJson() });
    },
  };
}

export default defineConfig({
  root: here,
  base: "./",
  resolve: {
    alias: [
      { find: /^model2vec$/, replacement: join(repo, "src", "index.ts") },
      { find: /^model2vec\/search$/, replacement: join(repo, "src", "search", "index.ts") },
    ],
  },
  plugins: [viteBrowserModules(), demoData()],
  worker: {
    format: "es",
    plugins: () => [viteBrowserModules()],
  },
  server: { fs: { allow: [repo] } },
  build: {
    target: "es2022",
    outDir: join(here, "dist"),
    emptyOutDir: true,
    reportCompressedSize: false,
  },
});
