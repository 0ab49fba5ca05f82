/**
 * Embeddings server throughput: requests/s and latency percentiles of
 * `POST /v1/embeddings` at 1, 16 and 64 concurrent clients, with batches of 1
 * and 32 texts, in both encodings, against a potion-base-8M-shaped model.
 * Then a soak: 60,000 requests from 200 clients, counting errors and sampling
 * the server's RSS every 10,000 requests (it should stay flat).
 *
 * Run with `node --import tsx bench/server.bench.ts` (`--soak` for the soak alone).
 * The server runs in a child process (its own event loop and core); this
 * process is the load generator, using Node's built-in fetch over keep-alive.
 * Shared data comes from $MODEL2VEC_SHARED_DIR, default `../shared` next to the repo.
 * Prints a table (writes no files).
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { arch, cpus, platform } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SHARED_DIR } from "../test/shared.js";

const DIM = 256; // potion-base-8M's width
const SEED = 42;
const CONCURRENCY = [1, 16, 64];
const BATCHES = [1, 32];
const FORMATS = ["float", "base64"] as const;
const WARMUP_MS = 500;
const MEASURE_MS = 2500;
const SOAK_CLIENTS = 200;
const SOAK_REQUESTS = 60_000;
const SOAK_SAMPLE_EVERY = 10_000;

const sharedDir = SHARED_DIR;
const tokenizerPath = join(sharedDir, "reference/model2vec-rs-fixtures/test-model-float32/tokenizer.json");
const corpusPath = join(sharedDir, "data/corpus/wikitext-2/valid.txt");

if (process.argv.includes("--serve")) {
  await serve();
} else {
  if (!existsSync(tokenizerPath)) {
    console.log(`bench skipped: missing ${tokenizerPath}\n(set MODEL2VEC_SHARED_DIR to the folder holding reference/)`);
    process.exit(0);
  }
  await drive();
}

// ------------------------------------------------------------------ server (child)

async function serve(): Promise<void> {
  const { StaticModel, writeSafetensors } = await import("../src/index.js");
  const { startServer, installSignalHandlers } = await import("../src/server/server.js");
  const { randomMatrix } = await import("../test/fixtures/random.js");
  const tokenizerBytes = new Uint8Array(readFileSync(tokenizerPath));
  const json = JSON.parse(new TextDecoder().decode(tokenizerBytes)) as {
    model: { vocab: Record<string, number> };
    added_tokens?: { id: number }[];
  };
  const vocabSize = 1 + Math.max(...Object.values(json.model.vocab), ...(json.added_tokens ?? []).map((t) => t.id));
  const matrix = randomMatrix(vocabSize, DIM, SEED);
  const safetensors = writeSafetensors([{ name: "embeddings", dtype: "F32", shape: [vocabSize, DIM], data: matrix }]);
  const model = StaticModel.fromBuffers({ model: safetensors, tokenizer: tokenizerBytes, config: { normalize: true } });
  const server = await startServer({ models: { "potion-base-8M-shaped": model }, port: 0 });
  installSignalHandlers(server);
  process.on("disconnect", () => void server.close().then(() => process.exit(0)));
  process.on("message", (message) => {
    if (message !== "memory") return;
    globalThis.gc?.(); // so that the heap figure counts live objects only
    process.send!({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
  });
  process.send!({ url: server.url, rows: vocabSize, dim: DIM });
}

// ------------------------------------------------------------------ load generator

interface Run {
  concurrency: number;
  batch: number;
  format: string;
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSec: number;
  textsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function sentences(): string[] {
  const out: string[] = [];
  if (existsSync(corpusPath)) {
    for (const line of readFileSync(corpusPath, "utf8").replace(/^\uFEFF/, "").split("\n")) {
      const trimmed = line.trim();
      if (trimmed === "" || /^=.*=$/.test(trimmed)) continue;
      for (const s of trimmed.split(" . ")) if (s.trim() !== "") out.push(s.trim());
    }
  }
  if (out.length > 0) return out;
  const words = "the quick brown fox jumps over the lazy dog static embeddings are fast and small".split(" ");
  for (let i = 0; i < 2000; i++) out.push(Array.from({ length: 5 + (i % 25) }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(" "));
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function drive(): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, "--expose-gc"],
  });
  const info = await new Promise<{ url: string; rows: number; dim: number }>((resolveInfo, reject) => {
    child.once("message", (message) => resolveInfo(message as { url: string; rows: number; dim: number }));
    child.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const corpus = sentences();
  const endpoint = `${info.url}/v1/embeddings`;
  const model = "potion-base-8M-shaped";

  // Pre-serialised bodies, so the generator's cost is the HTTP exchange and the response parse.
  const bodies = (batch: number, format: string) =>
    Array.from({ length: 64 }, (_, i) =>
      JSON.stringify({ model, encoding_format: format, input: Array.from({ length: batch }, (_, k) => corpus[(i * batch + k) % corpus.length]) }),
    );

  async function load(concurrency: number, batch: number, format: string, ms: number, record: boolean) {
    const payloads = bodies(batch, format);
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const stopAt = performance.now() + ms;
    const client = async () => {
      while (performance.now() < stopAt) {
        const body = payloads[next++ % payloads.length]!;
        const start = performance.now();
        try {
          const response = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body });
          const json = (await response.json()) as { data?: unknown[] };
          if (response.status !== 200 || json.data?.length !== batch) errors++;
        } catch {
          errors++;
        }
        if (record) latencies.push(performance.now() - start);
      }
    };
    const began = performance.now();
    await Promise.all(Array.from({ length: concurrency }, client));
    return { latencies, errors, seconds: (performance.now() - began) / 1000 };
  }

  const runs: Run[] = [];
  const soakOnly = process.argv.includes("--soak");
  for (const batch of soakOnly ? [] : BATCHES) {
    for (const format of FORMATS) {
      for (const concurrency of CONCURRENCY) {
        await load(concurrency, batch, format, WARMUP_MS, false);
        const { latencies, errors, seconds } = await load(concurrency, batch, format, MEASURE_MS, true);
        const sorted = Float64Array.from(latencies).sort();
        runs.push({
          concurrency,
          batch,
          format,
          requests: latencies.length,
          errors,
          seconds,
          requestsPerSec: latencies.length / seconds,
          textsPerSec: (latencies.length * batch) / seconds,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted[sorted.length - 1] ?? NaN,
        });
      }
    }
  }
  const soakResult = await soak(child, endpoint, bodies(1, "float"));
  child.disconnect();
  await new Promise((done) => child.once("exit", done));

  const int = (n: number) => Math.round(n).toLocaleString("en-US");
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const soakLine = `soak     ${int(SOAK_REQUESTS)} requests (1 text, float) from ${SOAK_CLIENTS} clients in ${soakResult.seconds.toFixed(1)} s: ${soakResult.errors} errors
         server RSS (heap after GC) at ${soakResult.memory.map((m) => `${int(m.requests / 1000)}k: ${mb(m.rss)} (${mb(m.heap)})`).join(", ")}`;
  if (soakOnly) {
    console.log(soakLine);
    return;
  }
  const rows: string[][] = [
    ["batch", "format", "clients", "requests", "errors", "req/s", "texts/s", "p50 ms", "p99 ms", "max ms"],
    ...runs.map((r) => [
      String(r.batch),
      r.format,
      String(r.concurrency),
      int(r.requests),
      String(r.errors),
      int(r.requestsPerSec),
      int(r.textsPerSec),
      r.p50Ms.toFixed(2),
      r.p99Ms.toFixed(2),
      r.maxMs.toFixed(2),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const table = rows.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
  console.log(`model2vec embeddings server benchmark (node ${process.version}, ${platform()} ${arch()}, ${cpus().length} cores)
  model    ${int(info.rows)} x ${info.dim} float32, seeded random (potion-base-8M shape), WordPiece tokenizer, normalize
  server   startServer (embeddingsHandler on node:http) in a child process; client: built-in fetch, keep-alive, this process
  texts    ${existsSync(corpusPath) ? "wikitext-2 valid sentences" : "generated sentences"}; ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms measured per row

${table}

${soakLine}`);
}

/**
 * `SOAK_REQUESTS` requests from `SOAK_CLIENTS` concurrent clients; any status but 200, or a
 * network error, counts as an error. The server's memory is sampled every `SOAK_SAMPLE_EVERY` requests.
 */
async function soak(child: ChildProcess, endpoint: string, payloads: string[]) {
  type Sample = { requests: number; rss: number; heap: number };
  const serverMemory = (requests: number) =>
    new Promise<Sample>((resolveSample) => {
      child.once("message", (message) => resolveSample({ requests, ...(message as { rss: number; heap: number }) }));
      child.send("memory");
    });
  const memory: Sample[] = [await serverMemory(0)];
  let started = 0;
  let done = 0;
  let errors = 0;
  let sampling = Promise.resolve();
  const client = async () => {
    while (started < SOAK_REQUESTS) {
      const body = payloads[started++ % payloads.length]!;
      try {
        const response = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body });
        const json = (await response.json()) as { data?: unknown[] };
        if (response.status !== 200 || json.data?.length !== 1) errors++;
      } catch {
        errors++;
      }
      if (++done % SOAK_SAMPLE_EVERY === 0) {
        const at = done;
        sampling = sampling.then(async () => void memory.push(await serverMemory(at)));
      }
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: SOAK_CLIENTS }, client));
  const seconds = (performance.now() - began) / 1000;
  await sampling;
  return { errors, seconds, memory };
}
