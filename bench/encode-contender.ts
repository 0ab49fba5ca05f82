/**
 * One contender of the encode benchmark, in its own process so that load time,
 * JIT state and peak RSS belong to it alone. Started by bench/encode.bench.ts as
 *   node --expose-gc --import tsx bench/encode-contender.ts '<Job as JSON>'
 * and answers with one `RESULT {json}` line on stdout (a ContenderResult, or a
 * MemoryResult in memory mode).
 *
 * Every baseline does what a careful user would write to match model2vec: its
 * tokenizer with no special tokens, model2vec's cuts (unknown ids dropped, at most
 * MAX_LENGTH ids, texts cut to `charLimit` code points first), then the same
 * typed-array mean pool (Float64 sums, Float32 output, L2-normalised), so that
 * the differences in the table are the tokenizer's and the call overhead's.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import {
  BATCH,
  type ContenderResult,
  DIM,
  type Job,
  MAX_LENGTH,
  MB,
  type MemoryResult,
  WARMUP_CHARS,
  median,
  peakRssMb,
  sampleIndices,
  toBase64,
} from "./encode-common.js";

/** A loaded contender: encodes texts to rows of `DIM` floats. */
interface Encoder {
  /** From files on disk to ready (module import excluded). */
  loadMs: number;
  encode(texts: readonly string[]): Promise<{ vectors: Float32Array; tokensPooled: number | null }>;
  /** Ours only: tokenization alone, for the tokenize / pool split. */
  tokenizeOnly?(texts: readonly string[]): void;
  close?(): Promise<void>;
  note: string;
}

const job = JSON.parse(process.argv[2] ?? "null") as Job;
const texts = JSON.parse(readFileSync(job.corpusPath, "utf8")) as string[];
const totalChars = texts.reduce((sum, t) => sum + t.length, 0);

// ------------------------------------------------------------- shared helpers

/** Times an async call after a GC, so the previous run's garbage is not billed to it; also its process CPU time. */
async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; cpuMs: number; value: T }> {
  globalThis.gc?.();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, value };
}

/** model2vec's character cut before tokenizing (Python: `text[:max_length * median_token_length]`, in code points). */
function cutText(text: string): string {
  if (text.length <= job.charLimit) return text; // UTF-16 length bounds the code-point count
  let index = 0;
  for (let count = 0; count < job.charLimit && index < text.length; count++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, index);
}

/** The embedding table from model.safetensors, parsed by hand so baselines do not load our library. */
function readTable(path: string): Float32Array {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString("utf8", 8, 8 + headerLength)) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const tensor = header.embeddings;
  if (tensor?.dtype !== "F32" || tensor.shape[1] !== DIM) throw new Error(`${path}: expected an F32 [rows, ${DIM}] "embeddings" tensor`);
  const start = 8 + headerLength + tensor.data_offsets[0];
  const table = new Float32Array((tensor.data_offsets[1] - tensor.data_offsets[0]) / 4);
  new Uint8Array(table.buffer).set(bytes.subarray(start, start + table.byteLength)); // copy: the file offset may be unaligned
  return table;
}

/**
 * The baselines' pooling: mean of the rows of the kept ids (unknown dropped, first
 * MAX_LENGTH kept), L2-normalised, written to `out` row `row`. Returns the ids kept.
 */
class MeanPool {
  readonly #sum = new Float64Array(DIM);
  constructor(readonly table: Float32Array) {}

  pool(ids: ArrayLike<number>, out: Float32Array, row: number): number {
    const sum = this.#sum;
    sum.fill(0);
    let kept = 0;
    for (let t = 0; t < ids.length && kept < MAX_LENGTH; t++) {
      const id = ids[t]!;
      if (id === job.unkId) continue;
      const base = id * DIM;
      for (let j = 0; j < DIM; j++) sum[j]! += this.table[base + j]!;
      kept++;
    }
    if (kept === 0) return 0; // zero row, as model2vec gives
    let norm = 0;
    for (let j = 0; j < DIM; j++) norm += (sum[j]! / kept) ** 2;
    const scale = 1 / (kept * (Math.sqrt(norm) + 1e-32));
    for (let j = 0; j < DIM; j++) out[row * DIM + j] = sum[j]! * scale;
    return kept;
  }
}

// ---------------------------------------------------------------- contenders

/** model2vec: `StaticModel.fromPretrained` + `encode(texts, { threads })`. */
async function ours(): Promise<Encoder> {
  const { StaticModel } = await import("../src/index.js"); // import excluded from load: tsx compiles our sources on the fly
  const { ms, value: model } = await timed(() => StaticModel.fromPretrained(job.modelDir));
  return {
    loadMs: ms,
    note: `StaticModel.fromPretrained + encode(texts, { threads: ${job.threads} }), one call for the whole corpus`,
    encode: async (batch) => ({ vectors: model.encode(batch, { threads: job.threads }).data, tokensPooled: null }),
    tokenizeOnly: (batch) => void model.tokenize(batch, { maxLength: MAX_LENGTH }),
    close: () => model.close(),
  };
}

/** `@huggingface/tokenizers` (pure JS, what model2vec falls back on) + MeanPool. */
async function hfTokenizers(): Promise<Encoder> {
  const { Tokenizer } = await import("@huggingface/tokenizers");
  const { ms, value } = await timed(() => {
    const json = JSON.parse(readFileSync(join(job.modelDir, "tokenizer.json"), "utf8")) as object;
    return { tokenizer: new Tokenizer(json, {}), pool: new MeanPool(readTable(join(job.modelDir, "model.safetensors"))) };
  });
  const { tokenizer, pool } = value;
  return {
    loadMs: ms,
    note: "Tokenizer.encode(text, { add_special_tokens: false }).ids per text + typed-array mean pool",
    async encode(batch) {
      const vectors = new Float32Array(batch.length * DIM);
      let tokensPooled = 0;
      for (let i = 0; i < batch.length; i++) {
        // Annotated: tokenizers.js's .d.ts imports do not resolve under NodeNext, so `ids` is `any`.
        const ids: number[] = tokenizer.encode(cutText(batch[i]!), { add_special_tokens: false }).ids;
        tokensPooled += pool.pool(ids, vectors, i);
      }
      return { vectors, tokensPooled };
    },
  };
}

/**
 * transformers.js: its AutoTokenizer, then the model2vec/onnx EmbeddingBag graph
 * through AutoModel (onnxruntime-node), one session call per BATCH texts. The graph
 * pools and normalises; ORT is held to 1 thread like the other baselines.
 */
async function transformersJs(): Promise<Encoder> {
  const { AutoModel, AutoTokenizer, LogLevel, Tensor, env } = await import("@huggingface/transformers");
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(job.onnxDir);
  env.useFSCache = false;
  env.logLevel = LogLevel.NONE; // AutoModel warns `Unknown model class "model2vec"` and falls back to the base class
  const id = basename(job.onnxDir);
  const { ms, value } = await timed(async () => ({
    tokenizer: await AutoTokenizer.from_pretrained(id, { local_files_only: true }),
    model: await AutoModel.from_pretrained(id, { local_files_only: true, session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } }),
  }));
  const { tokenizer, model } = value;
  return {
    loadMs: ms,
    note: "AutoTokenizer.encode per text, AutoModel({ input_ids, offsets }) per 1,024 texts, ORT on 1 thread",
    async encode(batch) {
      const vectors = new Float32Array(batch.length * DIM);
      let tokensPooled = 0;
      for (let first = 0; first < batch.length; first += BATCH) {
        const last = Math.min(first + BATCH, batch.length);
        const rows: number[][] = [];
        let total = 0;
        for (let i = first; i < last; i++) {
          const ids = keptIds(tokenizer.encode(cutText(batch[i]!), { add_special_tokens: false }));
          rows.push(ids);
          total += ids.length;
        }
        const inputIds = new BigInt64Array(total);
        const offsets = new BigInt64Array(rows.length);
        let at = 0;
        rows.forEach((ids, k) => {
          offsets[k] = BigInt(at);
          for (const t of ids) inputIds[at++] = BigInt(t);
        });
        const out = (await model({
          input_ids: new Tensor("int64", inputIds, [inputIds.length]),
          offsets: new Tensor("int64", offsets, [offsets.length]),
        })) as { embeddings: { data: Float32Array } };
        vectors.set(out.embeddings.data, first * DIM);
        tokensPooled += total;
      }
      return { vectors, tokensPooled };
    },
    close: async () => void (await model.dispose()),
  };
}

/** The model2vec cuts for the graph's input (it pools whatever ids it is given). */
function keptIds(ids: readonly number[]): number[] {
  const kept: number[] = [];
  for (const id of ids) {
    if (id === job.unkId) continue;
    kept.push(id);
    if (kept.length === MAX_LENGTH) break;
  }
  return kept;
}

/**
 * The Rust `tokenizers` crate through its napi binding `@anush008/tokenizers` +
 * MeanPool. `encodeBatch` per BATCH texts: as fast as or faster than one
 * `encode` promise per text, and it runs the batch on rayon's threads (the
 * orchestrator sets TOKENIZERS_PARALLELISM and RAYON_NUM_THREADS to `threads`).
 */
async function rustTokenizers(): Promise<Encoder> {
  const require = createRequire(import.meta.url);
  // No types for `require`: the binding's own .d.ts describes this much.
  const { Tokenizer } = require("@anush008/tokenizers") as {
    Tokenizer: {
      fromFile(path: string): {
        encodeBatch(texts: string[], options: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }[]>;
      };
    };
  };
  const { ms, value } = await timed(() => ({
    tokenizer: Tokenizer.fromFile(join(job.modelDir, "tokenizer.json")),
    pool: new MeanPool(readTable(join(job.modelDir, "model.safetensors"))),
  }));
  const { tokenizer, pool } = value;
  return {
    loadMs: ms,
    note: `encodeBatch(1,024 texts, { addSpecialTokens: false }), getIds() + typed-array mean pool, rayon on ${job.threads} thread${job.threads === 1 ? "" : "s"}`,
    async encode(batch) {
      const vectors = new Float32Array(batch.length * DIM);
      let tokensPooled = 0;
      for (let first = 0; first < batch.length; first += BATCH) {
        const chunk = batch.slice(first, first + BATCH).map(cutText);
        const encodings = await tokenizer.encodeBatch(chunk, { addSpecialTokens: false });
        encodings.forEach((encoding, k) => (tokensPooled += pool.pool(encoding.getIds(), vectors, first + k)));
      }
      return { vectors, tokensPooled };
    },
  };
}

const CONTENDERS: Record<Job["contender"], () => Promise<Encoder>> = {
  ours,
  "hf-tokenizers": hfTokenizers,
  "transformers-js": transformersJs,
  "rust-tokenizers": rustTokenizers,
};

// ----------------------------------------------------------------------- runs

/** Between the two warm-up calls: ours' workers load the tokenizer in 0.1–0.3 s. */
const WARMUP_PAUSE_MS = 500;

/** A prefix of the corpus with at least WARMUP_CHARS UTF-16 units: enough to warm the JIT (and start ours' workers). */
function warmupTexts(): string[] {
  let chars = 0;
  let end = 0;
  while (end < texts.length && chars < WARMUP_CHARS) chars += texts[end++]!.length;
  return texts.slice(0, end);
}

/** Says READY on stdout and waits for GO on stdin: processes run at once start their timed runs together. */
async function readyThenGo(): Promise<void> {
  process.stdout.write("READY\n");
  let input = "";
  for await (const chunk of process.stdin.setEncoding("utf8")) {
    input += chunk;
    if (input.includes("GO")) return;
  }
}

async function throughput(): Promise<ContenderResult> {
  // Load twice: the first is cold (JIT, lazy imports), the second what a warm process pays.
  const cold = await CONTENDERS[job.contender]();
  await cold.close?.();
  const encoder = await CONTENDERS[job.contender]();

  const warmup = warmupTexts();
  const warmupChars = warmup.reduce((sum, t) => sum + t.length, 0);
  // Twice, a pause apart: worker threads started by the first call (ours, rayon's) are ready and
  // warm for the second, so the timed runs measure steady throughput rather than their start-up.
  await encoder.encode(warmup);
  await new Promise((resolve) => setTimeout(resolve, WARMUP_PAUSE_MS));
  const first = await timed(() => encoder.encode(warmup));
  if (job.waitForGo) await readyThenGo();
  // Slow contenders get fewer runs (never under minRuns) so the whole bench stays in its time budget.
  const estimatedMs = (first.ms * totalChars) / warmupChars;
  const runs = Math.max(job.minRuns, Math.min(job.runs, Math.floor(job.budgetMs / estimatedMs)));

  // Ours also times `tokenize` alone, alternating with encode so load drift hits both alike.
  const runsMs: number[] = [];
  const tokenizeMs: number[] = [];
  let cpuMs = 0;
  let last = first.value;
  if (encoder.tokenizeOnly) encoder.tokenizeOnly(warmup);
  for (let r = 0; r < runs; r++) {
    const run = await timed(() => encoder.encode(texts));
    cpuMs += run.cpuMs;
    runsMs.push(run.ms);
    last = run.value;
    if (encoder.tokenizeOnly) tokenizeMs.push((await timed(() => encoder.tokenizeOnly!(texts))).ms);
  }
  const cpuPerWall = cpuMs / runsMs.reduce((a, b) => a + b, 0);

  const indices = sampleIndices(texts.length);
  const sample = new Float32Array(indices.length * DIM);
  indices.forEach((row, k) => sample.set(last.vectors.subarray(row * DIM, (row + 1) * DIM), k * DIM));
  await encoder.close?.();
  return {
    contender: job.contender,
    threads: job.threads,
    loadColdMs: cold.loadMs,
    loadMs: encoder.loadMs,
    warmupMs: first.ms,
    warmupChars,
    runsMs,
    medianMs: median(runsMs),
    cpuPerWall,
    tokensPooled: last.tokensPooled,
    peakRssMb: peakRssMb(),
    ...(encoder.tokenizeOnly ? { tokenizeMs } : {}),
    sample: toBase64(sample),
    note: encoder.note,
  };
}

/** Ours on `memoryTexts` texts (the corpus repeated): RSS before, peak, output size. */
async function memory(): Promise<MemoryResult> {
  const encoder = await ours();
  const count = job.memoryTexts ?? 100_000;
  const many = Array.from({ length: count }, (_, i) => texts[i % texts.length]!); // references, not copies
  globalThis.gc?.();
  const rssBeforeMb = process.memoryUsage().rss / MB;
  const peakBeforeMb = peakRssMb();
  const { ms, value } = await timed(() => encoder.encode(many));
  const peak = peakRssMb();
  const outputMb = value.vectors.byteLength / MB;
  return {
    texts: count,
    rssBeforeMb,
    peakBeforeMb,
    peakRssMb: peak,
    outputMb,
    growthExcludingOutputMb: peak - rssBeforeMb - outputMb,
    encodeMs: ms,
  };
}

const result = job.mode === "memory" ? await memory() : await throughput();
console.log(`RESULT ${JSON.stringify(result)}`);
