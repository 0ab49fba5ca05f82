/**
 * Load time of a potion-base-8M-shaped model (29,528 × 256 float32, ~30 MB) by Hub
 * id: cold (empty cache, downloaded from a local Hub on 127.0.0.1) and warm
 * (from the cache). Baselines in the same run: a plain `fetch` of the same three
 * files from the same server (cold), and `readFile` of the cached files (warm).
 *
 * Run with `npm run bench`. Needs the shared tokenizer ($MODEL2VEC_SHARED_DIR, default ../shared).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StaticModel, writeSafetensors } from "../src/index.js";
import { startHubServer } from "../test/fixtures/hub-server.js";
import { randomMatrix } from "../test/fixtures/random.js";
import { SHARED_DIR } from "../test/shared.js";

const RUNS = 5;
const sharedDir = SHARED_DIR;
const tokenizerPath = join(sharedDir, "reference/model2vec-rs-fixtures/test-model-float32/tokenizer.json");
if (!existsSync(tokenizerPath)) {
  console.log(`load bench skipped: missing ${tokenizerPath}`);
  process.exit(0);
}

const tokenizer = readFileSync(tokenizerPath);
const rows = 29528;
const files = {
  "config.json": JSON.stringify({ model_type: "model2vec", normalize: true }),
  "model.safetensors": writeSafetensors([{ name: "embeddings", dtype: "F32", shape: [rows, 256], data: randomMatrix(rows, 256, 42) }]),
  "tokenizer.json": tokenizer,
};
const totalMb = Object.values(files).reduce((sum, f) => sum + (typeof f === "string" ? f.length : f.byteLength), 0) / 1e6;

const server = await startHubServer();
server.addCommit("minishlab/potion-shaped", files);
process.env.HF_ENDPOINT = server.url;
const scratch = await mkdtemp(join(tmpdir(), "m2v-load-bench-"));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
async function time(fn: () => Promise<unknown>): Promise<number> {
  globalThis.gc?.();
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const cold: number[] = [];
const coldBaseline: number[] = [];
const warm: number[] = [];
const warmBaseline: number[] = [];
const warmCache = join(scratch, "warm");
await StaticModel.fromPretrained("minishlab/potion-shaped", { cacheDir: warmCache });
const snapshot = join(warmCache, "models--minishlab--potion-shaped", "snapshots", server.head("minishlab/potion-shaped")!);
for (let run = 0; run < RUNS; run++) {
  cold.push(await time(() => StaticModel.fromPretrained("minishlab/potion-shaped", { cacheDir: join(scratch, `cold-${run}`) })));
  coldBaseline.push(
    await time(() =>
      Promise.all(Object.keys(files).map((name) => fetch(`${server.url}/minishlab/potion-shaped/resolve/main/${name}`).then((r) => r.arrayBuffer()))),
    ),
  );
  warm.push(await time(() => StaticModel.fromPretrained("minishlab/potion-shaped", { cacheDir: warmCache, localFilesOnly: true })));
  warmBaseline.push(await time(() => Promise.all(Object.keys(files).map((name) => readFile(join(snapshot, name))))));
}
await server.close();
await rm(scratch, { recursive: true, force: true });

const line = (name: string, ms: number, baseline: number, what: string) =>
  `${name.padEnd(6)} ${ms.toFixed(1).padStart(8)} ms   baseline ${baseline.toFixed(1).padStart(7)} ms (${what})   ratio ${(ms / baseline).toFixed(2)}x`;
console.log(`model2vec load benchmark: ${rows} × 256 float32 + WordPiece tokenizer, ${totalMb.toFixed(1)} MB, median of ${RUNS}
${line("cold", median(cold), median(coldBaseline), "fetch of the 3 files")}
${line("warm", median(warm), median(warmBaseline), "readFile of the 3 files")}
peak RSS: ${((process.resourceUsage().maxRSS * 1024) / 1e6).toFixed(1)} MB`);
