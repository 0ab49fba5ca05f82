/**
 * What bench/encode.bench.ts (the orchestrator) and bench/encode-contender.ts (one
 * contender per child process) agree on: the job description passed down, the
 * JSON result passed back, and small helpers both sides need.
 */
import { readFileSync } from "node:fs";

export const DIM = 256; // potion-base-8M's width
export const MAX_LENGTH = 512; // encode's default maxLength; every baseline cuts the same way
export const BATCH = 1024; // texts per call for the baselines, encode's default batchSize
export const SAMPLE_ROWS = 200; // output rows compared against ours, evenly spaced over the corpus
export const MB = 1e6; // decimal megabytes throughout
/** Warm-up: a corpus prefix of this many UTF-16 units (~45% of wikitext-2), enough for ours' worker threads to reach optimised code too. */
export const WARMUP_CHARS = 1024 * 1024;

/** The contenders bench/encode-contender.ts knows, one function each. */
export type ContenderName = "ours" | "hf-tokenizers" | "transformers-js" | "rust-tokenizers";

/** One child process's job (argv[2], as JSON). */
export interface Job {
  mode: "throughput" | "memory";
  contender: ContenderName;
  /** Threads the contender may use (ours: `encode`'s `threads`; Rust: rayon via env; others: 1). */
  threads: number;
  /** A model2vec folder: config.json, model.safetensors, tokenizer.json. */
  modelDir: string;
  /** The same model exported with model2vec/onnx, for transformers.js. */
  onnxDir: string;
  /** A JSON array of the texts to encode. */
  corpusPath: string;
  /** Timed runs wanted after the warm-up. */
  runs: number;
  /** Fewer runs (never under `minRuns`) when the warm-up shows they would take longer than this. */
  budgetMs: number;
  minRuns: number;
  /**
   * model2vec's cuts, which the baselines reproduce to compute the same vectors: unknown
   * ids dropped, texts cut to `charLimit` code points (maxLength × median token length)
   * before tokenizing and to MAX_LENGTH ids after. The orchestrator reads the unk id from
   * tokenizer.json itself, so the baselines' load time is the tokenizer and table alone.
   */
  unkId: number | null;
  charLimit: number;
  /** After the warm-up, print READY and wait for GO on stdin (processes run at once start together). */
  waitForGo?: boolean;
  /** Memory mode: texts to encode (the corpus repeated). */
  memoryTexts?: number;
}

/** One child process's answer, printed as `RESULT {json}` on stdout. */
export interface ContenderResult {
  contender: ContenderName;
  threads: number;
  /**
   * From files on disk to a ready encoder, module import excluded: the first load in
   * the process (cold: JIT, lazily imported modules, which for ours are compiled from
   * TypeScript by tsx) and a second one right after (warm, files in the page cache).
   */
  loadColdMs: number;
  loadMs: number;
  /** The warm-up encode (JIT, worker start-up, ORT allocations) and the UTF-16 units it covered. */
  warmupMs: number;
  warmupChars: number;
  runsMs: number[];
  medianMs: number;
  /** A row run in several processes (set by the orchestrator): each one's median; medianMs is then their median. */
  processMs?: number[];
  /** Process CPU time (user + system, every thread) over the timed runs, per ms of their wall time. */
  cpuPerWall: number;
  /** Ids the contender pooled (baselines only; ours is counted by the orchestrator with tokenize). */
  tokensPooled: number | null;
  /** Peak RSS of the process (peakRssMb), at the end. */
  peakRssMb: number;
  /** Ours, 1 thread: `tokenize` alone over the same texts, median over the same number of runs. */
  tokenizeMs?: number[];
  /** Float32 rows at sampleIndices(n), base64. */
  sample: string;
  /** Free text shown under the table (how the contender was called). */
  note?: string;
}

/** The memory run: ours, WordPiece, 1 thread, the sentences repeated to `texts`. */
export interface MemoryResult {
  texts: number;
  /** RSS after loading the model and building the texts, after a GC. */
  rssBeforeMb: number;
  /** Peak RSS before the encode call (loading may have peaked above rssBefore). */
  peakBeforeMb: number;
  peakRssMb: number;
  outputMb: number;
  /** peak − rssBefore − output: what encoding itself held beyond its result. */
  growthExcludingOutputMb: number;
  encodeMs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rows compared against ours: SAMPLE_ROWS evenly spaced indices, first and last included. */
export function sampleIndices(n: number): number[] {
  if (n <= SAMPLE_ROWS) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: SAMPLE_ROWS }, (_, i) => Math.round((i * (n - 1)) / (SAMPLE_ROWS - 1)));
}

/**
 * This process's peak RSS in MB. On Linux, VmHWM of /proc/self/status: getrusage's
 * maxRSS survives fork + exec, so a child would report at least its parent's RSS
 * at spawn time (the orchestrator's ~300 MB). Elsewhere, maxRSS.
 */
export function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return (Number(match[1]) * 1024) / MB;
  } catch {
    // not Linux
  }
  return (process.resourceUsage().maxRSS * 1024) / MB; // maxRSS is in KiB
}

export function toBase64(data: Float32Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

export function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Unknown-token id as tokenizer.json states it (WordPiece: `unk_token`; Unigram: `unk_id`). */
export function unkIdOf(json: { model: { unk_token?: string; unk_id?: number | null; vocab: unknown } }): number | null {
  const { model } = json;
  if (typeof model.unk_id === "number") return model.unk_id;
  if (model.unk_token !== undefined && !Array.isArray(model.vocab)) {
    return (model.vocab as Record<string, number>)[model.unk_token] ?? null;
  }
  return null;
}
