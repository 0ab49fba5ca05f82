/**
 * Encode throughput of model2vec against the ways one could otherwise compute the
 * same static embeddings in Node, each contender in its own process:
 *   - model2vec `encode`, on 1 thread and on every core; on 1 thread also with the JavaScript
 *     pooling kernel (MODEL2VEC_WASM=off: the kernel before issue #16, in the same run), and
 *     with the table stored as float16 and as int8 (read in that form by the SIMD kernel);
 *   - `@huggingface/tokenizers` + a typed-array mean pool (the baseline every ratio is to);
 *   - transformers.js: its tokenizer + the model2vec/onnx EmbeddingBag graph on onnxruntime-node;
 *   - the Rust `tokenizers` crate (napi binding `@anush008/tokenizers`) + the same mean pool,
 *     on 1 thread and on every core.
 * Models: potion-base-8M-shaped (256-d seeded random float32 tables) on the shared
 * WordPiece (bge) and Unigram (vocab-quantized fixture) tokenizers. Corpora:
 * wikitext-2 valid+test as sentences, and as documents of 500–3,000 characters.
 *
 * This file builds the models and corpora in a temporary folder, runs
 * bench/encode-contender.ts once per (model × corpus × contender), checks each
 * contender's vectors against ours, prints a table per model × corpus and writes
 * bench/results/encode.json. Goals are reported, not asserted.
 *
 * Run with `npm run bench` (node --expose-gc --import tsx bench/encode.bench.ts).
 * Shared data comes from $MODEL2VEC_SHARED_DIR, default `../shared` next to the repo.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch, availableParallelism, cpus, loadavg, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StaticModel, quantizeModel, writeSafetensors } from "../src/index.js";
import { exportOnnx } from "../src/integrations/onnx.js";
import { mulberry32, randomMatrix } from "../test/fixtures/random.js";
import { maxRowRelativeError } from "../test/fixtures/row-error.js";
import { SHARED_DIR } from "../test/shared.js";
import {
  type ContenderName,
  type ContenderResult,
  DIM,
  type Job,
  MAX_LENGTH,
  MB,
  type MemoryResult,
  WARMUP_CHARS,
  fromBase64,
  median,
  sampleIndices,
  unkIdOf,
} from "./encode-common.js";
import { wikitextDocuments, wikitextSentences } from "./wikitext.js";

const SEED = 42;
const TOLERANCE = 1e-4; // max relative error (L2, per sampled row) before a contender is flagged
const MEMORY_TEXTS = 100_000;
/**
 * Processes per row, run round-robin. This host's speed drifts over seconds (measured in six
 * back-to-back pairs: ours 90–125 ms, the baseline 1,239–1,670 ms), so a row is the median of
 * several processes spread over the run, and the table shows their range.
 */
const PROCESSES = Number(process.env.MODEL2VEC_BENCH_PROCESSES ?? 3);
if (!(Number.isSafeInteger(PROCESSES) && PROCESSES >= 1)) throw new Error(`MODEL2VEC_BENCH_PROCESSES must be a whole number of at least 1, got ${process.env.MODEL2VEC_BENCH_PROCESSES}`);
const CORES = availableParallelism();
const REPO = fileURLToPath(new URL("..", import.meta.url));
const CONTENDER_SCRIPT = fileURLToPath(new URL("./encode-contender.ts", import.meta.url));
const RESULTS_PATH = fileURLToPath(new URL("./results/encode.json", import.meta.url));

// ---------------------------------------------------------------- data files

const fixtures = join(SHARED_DIR, "reference/model2vec-rs-fixtures");
const MODEL_SPECS = [
  { name: "WordPiece", tokenizerPath: join(fixtures, "test-model-float32/tokenizer.json") },
  { name: "Unigram", tokenizerPath: join(fixtures, "test-model-vocab-quantized/tokenizer.json") },
] as const;
const corpusPaths = ["valid", "test"].map((split) => join(SHARED_DIR, `data/corpus/wikitext-2/${split}.txt`));

// Missing data is not a failure: the bench is optional where the shared folder is absent.
for (const path of [...MODEL_SPECS.map((m) => m.tokenizerPath), ...corpusPaths]) {
  if (!existsSync(path)) {
    console.log(`encode bench skipped: missing ${path}\n(set MODEL2VEC_SHARED_DIR to the folder holding reference/ and data/)`);
    process.exit(0);
  }
}

// ------------------------------------------------------------------ contenders

interface Entry {
  label: string;
  contender: ContenderName;
  threads: number;
  /** Timed runs per process after the warm-up; slow contenders drop towards minRuns past budgetMs (same texts). */
  runs: number;
  minRuns: number;
  budgetMs: number;
  env?: Record<string, string>;
  /** Ours on the model saved with its table in this dtype (default: the float32 original). */
  table?: TableDtype;
  /**
   * Copies of this process run at once, their timed runs started together; the row's encode ms is
   * one copy's time over the count (the count of corpora done in that time).
   */
  together?: number;
}

/** The compact table dtypes ours is also run with. */
type TableDtype = "float16" | "int8";
const TABLE_DTYPES: readonly TableDtype[] = ["float16", "int8"];

const BASELINE: ContenderName = "hf-tokenizers";
const LINEUP: Entry[] = [
  { label: "model2vec encode", contender: "ours", threads: 1, runs: 5, minRuns: 5, budgetMs: 1e9 },
  { label: "model2vec encode", contender: "ours", threads: CORES, runs: 5, minRuns: 5, budgetMs: 1e9 },
  // The other way to use every core, to read the row above against: one-thread processes side by side.
  ...(CORES > 1 ? [{ label: `model2vec encode, ${CORES} processes at once`, contender: "ours" as const, threads: 1, runs: 5, minRuns: 5, budgetMs: 1e9, together: CORES }] : []),
  { label: "model2vec encode, JS kernel", contender: "ours", threads: 1, runs: 3, minRuns: 3, budgetMs: 1e9, env: { MODEL2VEC_WASM: "off" } },
  ...TABLE_DTYPES.map((table): Entry => ({ label: `model2vec encode, ${table} table`, contender: "ours", threads: 1, runs: 3, minRuns: 3, budgetMs: 1e9, table })),
  // The baseline always gets its 3 runs per process: every ratio depends on it.
  { label: "@huggingface/tokenizers + pool", contender: "hf-tokenizers", threads: 1, runs: 3, minRuns: 3, budgetMs: 1e9 },
  { label: "transformers.js + ONNX", contender: "transformers-js", threads: 1, runs: 3, minRuns: 2, budgetMs: 3000 },
  // Rust as users get it: encodeBatch parallel over every core. One row only, to save a minute of bench
  // time: in a trial run (on a busy machine) 1 thread (TOKENIZERS_PARALLELISM=false) was no slower.
  {
    label: "Rust tokenizers + pool",
    contender: "rust-tokenizers",
    threads: CORES,
    runs: 3,
    minRuns: 2,
    budgetMs: 3000,
    env: { TOKENIZERS_PARALLELISM: "true", RAYON_NUM_THREADS: String(CORES) },
  },
];

// ---------------------------------------------------------------------- helpers

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const fixed = (n: number, digits: number) => n.toFixed(digits);
const utf8Bytes = (texts: readonly string[]) => texts.reduce((sum, s) => sum + Buffer.byteLength(s, "utf8"), 0);

/** Rows a table needs for this tokenizer: one per id, added tokens included. */
function vocabRows(json: { model: { vocab: Record<string, number> | [string, number][] }; added_tokens?: { id: number }[] }): number {
  const { vocab } = json.model;
  const ids = Array.isArray(vocab) ? [vocab.length - 1] : Object.values(vocab);
  return 1 + Math.max(...ids, ...(json.added_tokens ?? []).map((t) => t.id));
}

type ChildOutcome<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/** Runs one job in a fresh `node --expose-gc --import tsx` process and parses its RESULT line. */
function runChild<T>(job: Job, env: Record<string, string> = {}, onReady?: (go: () => void) => void): Promise<ChildOutcome<T>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", CONTENDER_SCRIPT, JSON.stringify(job)], {
      cwd: REPO,
      env: { ...process.env, ...env },
    });
    if (!job.waitForGo) child.stdin.end();
    let stdout = "";
    let stderr = "";
    let ready = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (!ready && job.waitForGo && stdout.includes("READY\n")) {
        ready = true;
        onReady?.(() => child.stdin.end("GO\n"));
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
    child.on("error", (error) => resolve({ error: error.message }));
    child.on("close", (status, signal) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (status === 0 && line !== undefined) return resolve({ value: JSON.parse(line.slice("RESULT ".length)) as T });
      const why = stderr.trim().split("\n").slice(-3).join(" | ");
      resolve({ error: `exit ${status ?? signal}: ${why || "no RESULT line"}` });
    });
  });
}

/** `count` copies of a job at once; their timed runs start together, once every copy has warmed up. */
function runTogether<T>(job: Job, env: Record<string, string> | undefined, count: number): Promise<ChildOutcome<T>[]> {
  const waiting: (() => void)[] = [];
  let ended = 0; // a copy that fails before READY must not hold the others back
  const release = () => {
    if (waiting.length + ended >= count) for (const go of waiting.splice(0)) go();
  };
  const copy = () =>
    runChild<T>({ ...job, waitForGo: true }, env, (go) => {
      waiting.push(go);
      release();
    }).then((outcome) => {
      ended++;
      release();
      return outcome;
    });
  return Promise.all(Array.from({ length: count }, copy));
}

// ------------------------------------------------------------ models and corpora

interface BuiltModel {
  name: string;
  dir: string;
  onnxDir: string;
  model: StaticModel;
  rows: number;
  unkId: number | null;
  /** model.safetensors + tokenizer.json, in MB. */
  sizeMb: number;
  /** The same model saved with its table as float16 and as int8. */
  variants: Record<TableDtype, { dir: string; model: StaticModel }>;
}

/** A model2vec folder (seeded table + the shared tokenizer.json) and its ONNX export. */
async function buildModel(spec: (typeof MODEL_SPECS)[number], root: string, seed: number): Promise<BuiltModel> {
  const tokenizerBytes = readFileSync(spec.tokenizerPath);
  const json = JSON.parse(tokenizerBytes.toString("utf8")) as Parameters<typeof vocabRows>[0] & Parameters<typeof unkIdOf>[0];
  const rows = vocabRows(json); // one row per token, no mapping: potion-8M's shape on this vocabulary
  const safetensors = writeSafetensors([{ name: "embeddings", dtype: "F32", shape: [rows, DIM], data: randomMatrix(rows, DIM, seed) }]);
  const dir = join(root, spec.name.toLowerCase());
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "model2vec", normalize: true, hidden_dim: DIM }));
  writeFileSync(join(dir, "model.safetensors"), safetensors);
  writeFileSync(join(dir, "tokenizer.json"), tokenizerBytes);

  const model = await StaticModel.fromPretrained(dir);
  const unkId = unkIdOf(json);
  // The baselines take the unk id from tokenizer.json; it must be the one model2vec drops.
  if (unkId !== model.unkTokenId) throw new Error(`${spec.name}: tokenizer.json's unk id ${unkId} ≠ StaticModel's ${model.unkTokenId}`);
  const onnxDir = join(root, `${spec.name.toLowerCase()}-onnx`);
  await exportOnnx(model, onnxDir);
  const variants = {} as BuiltModel["variants"];
  for (const table of TABLE_DTYPES) {
    const variantDir = join(root, `${spec.name.toLowerCase()}-${table}`);
    await quantizeModel(model, { quantizeTo: table }).savePretrained(variantDir);
    variants[table] = { dir: variantDir, model: await StaticModel.fromPretrained(variantDir) };
  }
  return { name: spec.name, dir, onnxDir, model, rows, unkId, sizeMb: (safetensors.byteLength + tokenizerBytes.byteLength) / MB, variants };
}

interface Corpus {
  name: "sentences" | "documents";
  texts: string[];
  path: string;
  bytes: number;
}

function writeCorpus(name: Corpus["name"], texts: string[], root: string): Corpus {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify(texts));
  return { name, texts, path, bytes: utf8Bytes(texts) };
}

// ------------------------------------------------------------------------ runs

interface Row {
  label: string;
  contender: ContenderName;
  threads: number;
  result?: ContenderResult;
  error?: string;
  tokensPerSec?: number;
  textsPerSec?: number;
  mbPerSec?: number;
  maxRelError?: number;
  agrees?: boolean;
}

interface Group {
  model: string;
  corpus: Corpus["name"];
  texts: number;
  bytes: number;
  /** Billed to every contender: ours `tokenize` with maxLength 512 (unknown dropped). */
  tokens: number;
  rows: Row[];
}

/**
 * One row from its processes: the median of their medians (and of their load times), every
 * timed run kept, CPU per wall averaged, the highest peak RSS.
 */
function combine(results: readonly ContenderResult[]): ContenderResult {
  const tokenizeMs = results.flatMap((r) => r.tokenizeMs ?? []);
  return {
    ...results[0]!,
    loadColdMs: median(results.map((r) => r.loadColdMs)),
    loadMs: median(results.map((r) => r.loadMs)),
    warmupMs: median(results.map((r) => r.warmupMs)),
    runsMs: results.flatMap((r) => r.runsMs),
    processMs: results.map((r) => r.medianMs),
    medianMs: median(results.map((r) => r.medianMs)),
    cpuPerWall: results.reduce((sum, r) => sum + r.cpuPerWall, 0) / results.length,
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    ...(tokenizeMs.length > 0 ? { tokenizeMs } : {}),
  };
}

/** Copies run at once as one result: time per corpus (a copy's median over the count), CPUs used by all. */
function asOne(copies: readonly ContenderResult[]): ContenderResult {
  const { processMs: _, ...merged } = combine(copies);
  return { ...merged, medianMs: merged.medianMs / copies.length, cpuPerWall: merged.cpuPerWall * copies.length };
}

async function runGroup(built: BuiltModel, corpus: Corpus): Promise<Group> {
  const { model } = built;
  const tokens = model.tokenize(corpus.texts, { maxLength: MAX_LENGTH }).reduce((sum, ids) => sum + ids.length, 0);
  const sample = sampleIndices(corpus.texts.length).map((i) => corpus.texts[i]!);
  // A compact table's rows are compared with that model's own vectors: int8 values differ from float32 by design.
  const references = new Map([undefined, ...TABLE_DTYPES].map((table) => [table, (table ? built.variants[table].model : model).encode(sample, { threads: 1 }).data]));
  const done = new Map(LINEUP.map((entry) => [entry, { results: [] as ContenderResult[], maxRelError: 0, error: undefined as string | undefined }]));
  // Round-robin: every contender once per round, so a slow spell of the machine falls on all of them.
  for (let round = 1; round <= PROCESSES; round++) {
    for (const entry of LINEUP) {
      const slot = done.get(entry)!;
      if (slot.error !== undefined) continue;
      const job: Job = {
        mode: "throughput",
        contender: entry.contender,
        threads: entry.threads,
        modelDir: entry.table ? built.variants[entry.table].dir : built.dir,
        onnxDir: built.onnxDir,
        corpusPath: corpus.path,
        runs: entry.runs,
        minRuns: entry.minRuns,
        budgetMs: entry.budgetMs,
        unkId: built.unkId,
        charLimit: MAX_LENGTH * model.medianTokenLength,
      };
      const started = performance.now();
      const copies = entry.together ?? 1;
      const outcomes = copies === 1 ? [await runChild<ContenderResult>(job, entry.env)] : await runTogether<ContenderResult>(job, entry.env, copies);
      const error = outcomes.find((o) => o.error !== undefined)?.error;
      const took = `${fixed((performance.now() - started) / 1000, 1)} s`;
      process.stderr.write(`  ${built.name} × ${corpus.name}, round ${round}/${PROCESSES}: ${entry.label} (${entry.threads} thr) ${error ? `FAILED ${error}` : took}\n`);
      if (error !== undefined) {
        slot.error = error;
        continue;
      }
      const results = outcomes.map((o) => o.value!);
      for (const result of results) slot.maxRelError = Math.max(slot.maxRelError, maxRowRelativeError(fromBase64(result.sample), references.get(entry.table)!, DIM));
      slot.results.push(copies === 1 ? results[0]! : asOne(results));
    }
  }
  const rows = LINEUP.map((entry): Row => {
    const slot = done.get(entry)!;
    const row: Row = { label: entry.label, contender: entry.contender, threads: entry.threads };
    if (slot.error !== undefined) return { ...row, error: slot.error };
    const result = combine(slot.results);
    const seconds = result.medianMs / 1000;
    return {
      ...row,
      result,
      tokensPerSec: tokens / seconds,
      textsPerSec: corpus.texts.length / seconds,
      mbPerSec: corpus.bytes / MB / seconds,
      maxRelError: slot.maxRelError,
      agrees: slot.maxRelError <= TOLERANCE,
    };
  });
  return { model: built.name, corpus: corpus.name, texts: corpus.texts.length, bytes: corpus.bytes, tokens, rows };
}

// -------------------------------------------------------------------- report

function renderTable(cells: string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

const ratio = (value: number | undefined, base: number | undefined) =>
  value === undefined || base === undefined ? "" : `${fixed(value / base, 2)}x`;

function printGroup(group: Group): void {
  const base = group.rows.find((r) => r.contender === BASELINE)?.result;
  const cells: string[][] = [
    ["contender", "thr", "cpu/wall", "runs", "load ms", "cold", "encode ms", "per process", "tokens/s", "texts/s", "MB/s", "peak RSS", "rel err", "speed ×hf", "load ×hf", "RSS ×hf"],
  ];
  for (const row of group.rows) {
    const r = row.result;
    if (r === undefined) {
      cells.push([row.label, String(row.threads), "", "", "", "", "failed", "", "", "", "", "", "", "", "", ""]);
      continue;
    }
    cells.push([
      row.label,
      String(row.threads),
      fixed(r.cpuPerWall, 2),
      String(r.runsMs.length),
      fixed(r.loadMs, 1),
      fixed(r.loadColdMs, 0),
      fixed(r.medianMs, 1),
      r.processMs ? `${fixed(Math.min(...r.processMs), 0)}–${fixed(Math.max(...r.processMs), 0)}` : "",
      int(row.tokensPerSec!),
      int(row.textsPerSec!),
      fixed(row.mbPerSec!, 2),
      fixed(r.peakRssMb, 1),
      `${row.maxRelError!.toExponential(1)}${row.agrees ? "" : " !"}`,
      ratio(base?.medianMs, r.medianMs), // throughput ratio: hf's time over this one's
      ratio(r.loadMs, base?.loadMs),
      ratio(r.peakRssMb, base?.peakRssMb),
    ]);
  }
  console.log(`\n${group.model} × ${group.corpus}: ${int(group.texts)} texts, ${fixed(group.bytes / MB, 2)} MB UTF-8, ${int(group.tokens)} tokens`);
  console.log(renderTable(cells));

  const ours1 = group.rows.find((r) => r.contender === "ours" && r.threads === 1)?.result;
  if (ours1?.tokenizeMs) {
    const tokenize = median(ours1.tokenizeMs);
    const pool = ours1.medianMs - tokenize;
    console.log(
      `  model2vec, 1 thread (medians of alternating runs; tokenize() also copies each text's ids out): tokenize ${fixed(tokenize, 1)} ms (${fixed((100 * tokenize) / ours1.medianMs, 0)}%), pooling + overhead ${fixed(pool, 1)} ms (${fixed((100 * pool) / ours1.medianMs, 0)}%)`,
    );
  }
  for (const row of group.rows) {
    if (row.error !== undefined) console.log(`  ! ${row.label} (${row.threads} thr) failed: ${row.error}`);
    else if (!row.agrees) console.log(`  ! ${row.label} (${row.threads} thr) disagrees with model2vec: max relative error ${row.maxRelError!.toExponential(2)} > ${TOLERANCE}`);
    const pooled = row.result?.tokensPooled;
    if (pooled != null && pooled !== group.tokens) console.log(`  ! ${row.label} (${row.threads} thr) pooled ${int(pooled)} tokens, model2vec ${int(group.tokens)}`);
  }
}

interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

function goals(groups: Group[], memory: MemoryResult | undefined, wordPiece: BuiltModel): Goal[] {
  const find = (model: string, corpus: string) => groups.find((g) => g.model === model && g.corpus === corpus);
  const row = (g: Group | undefined, contender: ContenderName, threads: number) =>
    g?.rows.find((r) => r.contender === contender && r.threads === threads && r.result !== undefined);
  const list: Goal[] = [];
  // Issue #16's goals: sentences on one thread against @huggingface/tokenizers + pool in the same run.
  const perCore = (model: string, targetRatio: number) => {
    const g = find(model, "sentences");
    const ours = row(g, "ours", 1);
    const base = row(g, BASELINE, 1);
    if (ours?.tokensPerSec === undefined || base?.tokensPerSec === undefined) return;
    // Per CPU-second as well: on a busy machine a single thread gets less than a core (cpu/wall < 1).
    const perCpu = ours.tokensPerSec / Math.min(1, ours.result!.cpuPerWall);
    const ratio = ours.tokensPerSec / base.tokensPerSec;
    list.push({
      goal: `${model} sentences, 1 thread: ≥ ${targetRatio}x @huggingface/tokenizers + pool`,
      measured: `${fixed(ratio, 1)}x; ${fixed(ours.tokensPerSec / 1e6, 2)} M tokens/s (${fixed(perCpu / 1e6, 2)} M per CPU-second)`,
      met: ratio >= targetRatio,
    });
  };
  perCore("WordPiece", 10);
  perCore("Unigram", 15);
  for (const g of groups) {
    const simd = row(g, "ours", 1);
    const js = g.rows.find((r) => r.label.endsWith("JS kernel") && r.result !== undefined);
    if (simd?.result === undefined || js?.result === undefined) continue;
    const compact = g.rows.filter((r) => r.label.endsWith(" table") && r.result !== undefined);
    list.push({
      goal: `${g.model} ${g.corpus}, 1 thread: SIMD kernel against the JavaScript kernel; compact tables against float32`,
      measured: [
        `${fixed(js.result.medianMs / simd.result.medianMs, 2)}x faster`,
        ...compact.map((r) => `${r.label.split(", ")[1]} ${fixed(simd.result!.medianMs / r.result!.medianMs, 2)}x`),
      ].join("; "),
      met: null,
    });
  }
  for (const g of groups) {
    const one = row(g, "ours", 1);
    const all = row(g, "ours", CORES);
    if (CORES < 2 || one?.result === undefined || all?.result === undefined) continue;
    const scaling = one.result.medianMs / all.result.medianMs;
    // A multi-thread run that got well under its cores (cpu/wall) shows the machine was busy, not the pool slow.
    const starved = all.result.cpuPerWall < 0.8 * CORES ? ` (but the ${CORES}-thread run got only ${fixed(all.result.cpuPerWall, 2)} CPUs: other load; rerun)` : "";
    // The other way to use every core: independent processes (a table and a heap each), started together.
    const together = g.rows.find((r) => r.label.endsWith("processes at once") && r.result !== undefined)?.result;
    const processes = together ? `; ${CORES} one-thread processes at once: ${fixed(one.result.medianMs / together.medianMs, 2)}x` : "";
    list.push({
      goal: `${g.model} ${g.corpus} (${int(g.texts)} texts in one call): ≥ 1.8x with ${CORES} threads over 1`,
      measured: `${fixed(scaling, 2)}x${starved}${processes}`,
      met: g.model === "WordPiece" ? scaling >= 1.8 : null, // the goal names WordPiece; Unigram is for information
    });
  }
  if (memory) {
    list.push({
      goal: `memory, ${int(memory.texts)} WordPiece sentences, 1 thread: growth ≤ 64 MB beyond model (${fixed(wordPiece.sizeMb, 1)} MB) and output`,
      measured: `RSS before ${fixed(memory.rssBeforeMb, 1)} MB (model loaded), peak ${fixed(memory.peakRssMb, 1)} MB, output ${fixed(memory.outputMb, 1)} MB, growth excl. output ${fixed(memory.growthExcludingOutputMb, 1)} MB`,
      met: memory.growthExcludingOutputMb <= 64,
    });
  }
  return list;
}

// ------------------------------------------------------------------------ main

const root = mkdtempSync(join(tmpdir(), "m2v-encode-bench-"));
const loadBefore = loadavg();
const started = performance.now();
try {
  process.stderr.write("building models, ONNX exports and corpora…\n");
  const models: BuiltModel[] = [];
  for (const [i, spec] of MODEL_SPECS.entries()) models.push(await buildModel(spec, root, SEED + i));
  const sentences = wikitextSentences(corpusPaths);
  const documents = wikitextDocuments(sentences, mulberry32(SEED));
  const corpora = [writeCorpus("sentences", sentences, root), writeCorpus("documents", documents, root)];

  const groups: Group[] = [];
  for (const built of models) for (const corpus of corpora) groups.push(await runGroup(built, corpus));

  // Its own process, so that the peak RSS is this encode's and not an earlier run's.
  const wordPiece = models[0]!;
  const memoryJob: Job = {
    mode: "memory",
    contender: "ours",
    threads: 1,
    modelDir: wordPiece.dir,
    onnxDir: wordPiece.onnxDir,
    corpusPath: corpora[0]!.path,
    runs: 1,
    minRuns: 1,
    budgetMs: 1e9,
    unkId: wordPiece.unkId,
    charLimit: MAX_LENGTH * wordPiece.model.medianTokenLength,
    memoryTexts: MEMORY_TEXTS,
  };
  const memoryRun = await runChild<MemoryResult>(memoryJob);
  process.stderr.write(`  memory run ${memoryRun.error ? `FAILED ${memoryRun.error}` : "done"}\n`);
  const memory = memoryRun.value;
  const loadAfter = loadavg();
  const docLengths = documents.map((d) => d.length);

  // ------------------------------------------------------------------ output
  console.log(`model2vec encode benchmark (node ${process.version}, ${platform()} ${arch()}, ${CORES} cores: ${cpus()[0]?.model ?? "?"})
  load avg   ${loadBefore.map((l) => fixed(l, 2)).join(" ")} before, ${loadAfter.map((l) => fixed(l, 2)).join(" ")} after (a shared machine slows every contender, multi-thread most)
  models     ${models.map((m) => `${m.name} ${int(m.rows)} x ${DIM} float32 (${fixed(m.sizeMb, 1)} MB)`).join("; ")}; seeded random tables, normalize on, no mapping
  corpora    wikitext-2 valid+test: ${int(sentences.length)} sentences; ${int(documents.length)} documents of ${int(Math.min(...docLengths))}–${int(Math.max(...docLengths))} chars (mean ${int(docLengths.reduce((a, b) => a + b, 0) / documents.length)})
  method     load ms = from files on disk to a ready encoder, module import excluded,
             the 2nd load in the process (cold = the 1st: JIT, lazy imports, ours compiled from TS by tsx);
             encode ms = median over ${PROCESSES} processes per row (run round-robin; "per process" = their range)
             of each one's median of timed runs, whole corpus each, after two warm-up calls 0.5 s apart on its first ${WARMUP_CHARS / 1024} Ki chars;
             "${CORES} processes at once" = ${CORES} copies of the 1-thread row, timed runs started together; its encode ms is one copy's over ${CORES};
             tokens = model2vec's tokenize (maxLength ${MAX_LENGTH}, unknown dropped), billed alike to all;
             cpu/wall = process CPU time per wall time over the timed runs (well below thr = cores were busy
             elsewhere; a little above = GC and JIT threads); peak RSS = the process's VmHWM, MB;
             texts/s = sentences/s or documents/s
  ratios     speed ×hf = @huggingface/tokenizers' encode ms over this row's (above 1 = faster);
             load ×hf and RSS ×hf = this row's load ms and peak RSS over hf's (below 1 = less)
  baselines  model2vec's cuts + one typed-array mean pool (Float64 sums, Float32 rows, L2-normalised);
             transformers.js pools in its ONNX graph instead
  agreement  max relative L2 error vs model2vec over ${sampleIndices(sentences.length).length} evenly spaced rows; "!" = above ${TOLERANCE}`);
  for (const group of groups) printGroup(group);

  console.log("\nhow each contender was called:");
  const notes = new Map<string, string>();
  for (const g of groups) for (const r of g.rows) if (r.result?.note) notes.set(`${r.label} (${r.threads} thr)`, r.result.note);
  for (const [label, note] of notes) console.log(`  ${label}: ${note}`);

  if (memory) {
    console.log(`\nmemory, model2vec encode of ${int(memory.texts)} WordPiece sentences on 1 thread (its own process):
  RSS before encode ${fixed(memory.rssBeforeMb, 1)} MB (runtime + model + texts; peak so far ${fixed(memory.peakBeforeMb, 1)} MB)
  peak RSS          ${fixed(memory.peakRssMb, 1)} MB, encode ${fixed(memory.encodeMs, 0)} ms
  output            ${fixed(memory.outputMb, 1)} MB (${int(memory.texts)} x ${DIM} float32)
  growth excl. output  ${fixed(memory.growthExcludingOutputMb, 1)} MB (peak − RSS before − output)`);
  } else {
    console.log(`\nmemory run failed: ${memoryRun.error}`);
  }

  const goalList = goals(groups, memory, wordPiece);
  console.log("\ngoals (reported, not asserted):");
  for (const g of goalList) console.log(`  [${g.met === null ? "info" : g.met ? "met" : "NOT met"}] ${g.goal}: ${g.measured}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\ntotal ${fixed(seconds, 0)} s`);

  // A disagreement of our own multi-thread path is a bug, not a slow contender.
  if (groups.some((g) => g.rows.some((r) => r.contender === "ours" && r.agrees === false))) process.exitCode = 1;

  mkdirSync(fileURLToPath(new URL("./results/", import.meta.url)), { recursive: true });
  const strip = (row: Row) => ({ ...row, result: row.result && { ...row.result, sample: undefined } });
  writeFileSync(
    RESULTS_PATH,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        platform: `${platform()} ${arch()}`,
        cores: CORES,
        loadavg: { before: loadBefore, after: loadAfter },
        seconds,
        tolerance: TOLERANCE,
        baseline: BASELINE,
        models: models.map((m) => ({ name: m.name, rows: m.rows, dim: DIM, sizeMb: m.sizeMb, unkId: m.unkId })),
        corpora: corpora.map((c) => ({ name: c.name, texts: c.texts.length, bytes: c.bytes })),
        groups: groups.map((g) => ({ ...g, rows: g.rows.map(strip) })),
        memory: memory ?? { error: memoryRun.error },
        goals: goalList,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`results written to ${RESULTS_PATH}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
