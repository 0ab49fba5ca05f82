/**
 * tokenlearn's featurize step (tokenlearn `featurize.py`): runs a teacher over a corpus and
 * stores, for each text, the target vector a static model is later trained to
 * reproduce. Node-only.
 *
 * - Transformer teachers (those offering the "inner-mean" pooling, e.g. OnnxTeacher):
 *   the text is tokenized with special tokens, truncated to `maxLength` (keeping
 *   the final special token), and the target is the mean of the output token
 *   embeddings without the first and last position (tokenlearn's
 *   `encode(..., output_value="token_embeddings")[i][1:-1].mean(0)`).
 * - Teachers without token outputs (e.g. UseTeacher, poolings ["mean"]): the
 *   text's ids without special tokens, truncated to `maxLength`, and the target is
 *   the teacher's sentence embedding (its default pooling).
 *
 * Texts are stored truncated: a text longer than `maxLength` tokens is replaced by
 * the decoding of the ids that were kept, special tokens ([CLS], [SEP], [UNK], …:
 * the tokenizer's special added tokens) left out as Python's
 * `decode(..., skip_special_tokens=True)` does; shorter texts are stored as they are. A text that yields no token to average (e.g. only
 * characters the tokenizer drops) gives no row.
 *
 * The output folder is resumable; see {@link featurize}.
 */
import { mkdir } from "node:fs/promises";
import type { Pooling, Teacher } from "../distill/teacher.js";
import { USE_MAX_LENGTH, UseTeacher } from "../distill/use-teacher.js";
import { InvalidInputError } from "../errors.js";
import { HuggingFaceTokenizer } from "../tokenizer/hf-tokenizer.js";
import { type CorpusSource, readCorpus } from "./corpus.js";
import {
  type FeaturizeManifest,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type ShardEntry,
  readManifest,
  removeIncomplete,
  shardFiles,
  writeManifest,
  writeShard,
} from "./shards.js";

/** The default `maxLength` when the teacher does not say how long its inputs may be. */
export const DEFAULT_MAX_LENGTH = 512;

export interface FeaturizeOptions {
  teacher: Teacher;
  /** Strings (sync or async iterable) or a text / JSONL file; it must give the same texts every time for resuming to be correct. */
  corpus: CorpusSource;
  /** Where shards and featurize.json go; created if missing. An existing featurized folder is resumed. */
  outputDir: string;
  /** Texts per teacher call; default the teacher's `batchSize` when it has one (UseTeacher on ONNX Runtime: 256), else 32. */
  batchSize?: number | undefined;
  /** Rows per shard; default 1024. Must match the folder's when resuming. */
  shardSize?: number | undefined;
  /** Stop once this many rows are written in all (counting those of earlier runs). */
  maxRows?: number | undefined;
  /**
   * Tokens per text, special tokens included; longer texts are truncated. Default:
   * the teacher's `maxPositions` (OnnxTeacher: `max_position_embeddings`), 128 for
   * UseTeacher, else 512. Must match the folder's when resuming.
   */
  maxLength?: number | undefined;
  /** Called after each batch. */
  onProgress?: ((progress: FeaturizeProgress) => void) | undefined;
  /** Stops between batches; complete shards stay, the rows of the incomplete one are dropped and redone on resume. */
  signal?: AbortSignal | undefined;
}

export interface FeaturizeProgress {
  /** Rows embedded so far, including earlier runs' and those not yet in a shard. */
  rows: number;
  /** Rows in complete shards. */
  written: number;
  /** Complete shards. */
  shards: number;
  /** Corpus texts consumed so far. */
  consumed: number;
  /** The row limit, when there is one. */
  maxRows: number | undefined;
  /** Rows that were already in the folder when this run started. */
  resumedRows: number;
}

export interface FeaturizeResult {
  /** Rows in the folder (all runs). */
  rows: number;
  /** Shards in the folder. */
  shards: number;
  /** Width of the targets. */
  dim: number;
}

/**
 * Featurizes `corpus` with `teacher` into `outputDir`: `shard-00000.safetensors`
 * (F32 `embeddings` [rows, dim]) with `shard-00000.jsonl` (one `{"text": ...}` per
 * row, same order), and so on, plus the manifest `featurize.json`.
 *
 * Resuming: each shard is written atomically and then recorded in the manifest,
 * with the number of corpus texts consumed up to its last row. Run again on the
 * same folder (same teacher, pooling, maxLength and shardSize; same corpus), the
 * function removes files of unfinished shards, skips that many texts of the
 * corpus, and carries on: the rows are the same as one uninterrupted run's,
 * none duplicated or missing. A folder whose corpus ran out is left as it is; one
 * that stopped at `maxRows` is extended when run again with a larger `maxRows`
 * (or none). One process at a time may write a folder.
 *
 * @throws InvalidInputError for bad options, a folder made with other settings, a
 *   corpus shorter than the folder says was consumed, or a corpus item that is not
 *   a string; the signal's reason when aborted; whatever the teacher throws.
 */
export async function featurize(options: FeaturizeOptions): Promise<FeaturizeResult> {
  const { teacher, outputDir, signal, onProgress } = options;
  const batchSize = options.batchSize ?? defaultBatchSize(teacher);
  const shardSize = options.shardSize ?? 1024;
  const maxRows = options.maxRows;
  positiveInteger("batchSize", batchSize);
  positiveInteger("shardSize", shardSize);
  if (maxRows !== undefined && !(Number.isSafeInteger(maxRows) && maxRows >= 0)) {
    throw new InvalidInputError(`maxRows must be a non-negative integer, got ${maxRows}`);
  }
  if (teacher.poolings.length === 0) throw new InvalidInputError(`teacher ${teacher.name} lists no poolings`);
  const pooling: Pooling = teacher.poolings.includes("inner-mean") ? "inner-mean" : teacher.poolings[0]!;
  const tokenTarget = pooling === "inner-mean";
  const maxLength = options.maxLength ?? defaultMaxLength(teacher);
  if (!(Number.isSafeInteger(maxLength) && maxLength >= (tokenTarget ? 3 : 1))) {
    throw new InvalidInputError(
      `maxLength must be an integer ≥ ${tokenTarget ? "3 (two special tokens and one more)" : "1"}, got ${maxLength}`,
    );
  }
  const dim = teacher.dim;
  const tokenizer = HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
  const specialIds = specialTokenIds(teacher.tokenizerJson);
  signal?.throwIfAborted();

  // ----- the folder: new, or resumed
  await mkdir(outputDir, { recursive: true });
  let manifest = await readManifest(outputDir);
  if (manifest) {
    const mismatches: string[] = [];
    const expect = (name: string, found: unknown, wanted: unknown) => {
      if (found !== wanted) mismatches.push(`${name} ${JSON.stringify(found)} (this run: ${JSON.stringify(wanted)})`);
    };
    expect("teacher", manifest.teacher, teacher.name);
    expect("dim", manifest.dim, dim);
    expect("pooling", manifest.pooling, pooling);
    expect("maxLength", manifest.maxLength, maxLength);
    expect("shardSize", manifest.shardSize, shardSize);
    if (mismatches.length > 0) {
      throw new InvalidInputError(
        `${outputDir} was featurized with ${mismatches.join(", ")}; resume with the same settings or use another folder`,
      );
    }
    await removeIncomplete(outputDir, manifest);
  } else {
    const stray = await shardFiles(outputDir);
    if (stray.length > 0) {
      throw new InvalidInputError(`${outputDir} holds shard files (${stray.slice(0, 3).join(", ")}…) but no ${MANIFEST_FILE}; refusing to overwrite them`);
    }
    manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      teacher: teacher.name,
      dim,
      pooling,
      maxLength,
      shardSize,
      batchSize,
      maxRows: maxRows ?? null,
      rows: 0,
      consumed: 0,
      complete: false,
      exhausted: false,
      shards: [],
    };
    await writeManifest(outputDir, manifest);
  }
  const resumedRows = manifest.rows;
  const result = (m: FeaturizeManifest): FeaturizeResult => ({ rows: m.rows, shards: m.shards.length, dim });
  if (manifest.exhausted || (maxRows !== undefined && manifest.rows >= maxRows)) {
    if (!manifest.complete) await writeManifest(outputDir, (manifest = { ...manifest, complete: true }));
    return result(manifest);
  }
  const settings = { batchSize, maxRows: maxRows ?? null };

  // ----- rows not yet in a complete shard
  const shards: ShardEntry[] = [...manifest.shards];
  let written = manifest.rows;
  let consumed = manifest.consumed;
  const pendingTexts: string[] = [];
  const pendingConsumed: number[] = [];
  // Fewer than shardSize rows wait before a batch, so a batch never overfills this.
  const capacity = (shardSize + batchSize) * dim;
  let pendingVectors = new Float32Array(capacity);

  const flush = async (count: number, final: { exhausted: boolean } | undefined): Promise<void> => {
    if (count > 0) {
      const files = await writeShard(outputDir, shards.length, pendingTexts.slice(0, count), pendingVectors.slice(0, count * dim), dim);
      const shardConsumed = final ? consumed : pendingConsumed[count - 1]!;
      shards.push({ ...files, rows: count, consumed: shardConsumed });
      written += count;
      pendingTexts.splice(0, count);
      pendingConsumed.splice(0, count);
      const rest = new Float32Array(capacity);
      rest.set(pendingVectors.subarray(count * dim, (count + pendingTexts.length) * dim));
      pendingVectors = rest;
    }
    manifest = {
      ...manifest!,
      ...settings,
      rows: written,
      consumed: final ? consumed : (shards.at(-1)?.consumed ?? manifest!.consumed),
      complete: final !== undefined,
      exhausted: final?.exhausted ?? false,
      shards: [...shards],
    };
    await writeManifest(outputDir, manifest);
  };

  const texts = readCorpus(options.corpus)[Symbol.asyncIterator]();
  try {
    // Skip what complete shards already cover.
    for (let skipped = 0; skipped < manifest.consumed; skipped++) {
      if ((await texts.next()).done) {
        throw new InvalidInputError(
          `${outputDir} says ${manifest.consumed} corpus texts were consumed, but the corpus has only ${skipped}: is it the same corpus?`,
        );
      }
      if (skipped % 4096 === 4095) signal?.throwIfAborted();
    }

    let exhausted = false;
    for (;;) {
      signal?.throwIfAborted();
      const wanted = maxRows === undefined ? batchSize : Math.min(batchSize, maxRows - written - pendingTexts.length);
      if (wanted <= 0) break;
      const batch: string[] = [];
      while (batch.length < wanted) {
        const next = await texts.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        batch.push(next.value);
      }
      if (batch.length === 0) break;

      const rows = await embedBatch(teacher, tokenizer, specialIds, batch, pooling, maxLength);
      signal?.throwIfAborted();
      rows.forEach((row, i) => {
        const at = consumed + i + 1;
        if (!row) return;
        pendingVectors.set(row.vector, pendingTexts.length * dim);
        pendingTexts.push(row.text);
        pendingConsumed.push(at);
      });
      consumed += batch.length;
      while (pendingTexts.length >= shardSize) await flush(shardSize, undefined);
      onProgress?.({ rows: written + pendingTexts.length, written, shards: shards.length, consumed, maxRows, resumedRows });
      if (exhausted) break;
    }
    // The corpus ran out or maxRows was reached: the last, shorter shard.
    await flush(pendingTexts.length, { exhausted });
  } finally {
    await texts.return?.(undefined);
  }
  return result(manifest);
}

/** One target row, or undefined for a text with no token to average. */
async function embedBatch(
  teacher: Teacher,
  tokenizer: HuggingFaceTokenizer,
  specialIds: ReadonlySet<number>,
  batch: readonly string[],
  pooling: Pooling,
  maxLength: number,
): Promise<({ text: string; vector: Float32Array } | undefined)[]> {
  const tokenTarget = pooling === "inner-mean";
  const prepared = batch.map((text) => {
    let ids = tokenTarget ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encode(text);
    let stored = text;
    if (ids.length > maxLength) {
      // Keep the final special token, as a truncating transformer tokenizer does.
      ids = tokenTarget ? [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!] : ids.slice(0, maxLength);
      // As Python's decode(..., skip_special_tokens=True).
      stored = tokenizer.decode(ids.filter((id) => !specialIds.has(id)));
    }
    const usable = tokenTarget ? ids.length > 2 : ids.length > 0;
    return usable ? { text: stored, ids: Int32Array.from(ids) } : undefined;
  });
  const kept = prepared.flatMap((p, i) => (p ? [i] : []));
  // Sorted by length so that padded runs waste little.
  kept.sort((a, b) => prepared[a]!.ids.length - prepared[b]!.ids.length || a - b);
  const out: ({ text: string; vector: Float32Array } | undefined)[] = new Array(batch.length).fill(undefined);
  if (kept.length === 0) return out;
  const vectors = await teacher.embed(
    kept.map((i) => prepared[i]!.ids),
    pooling,
  );
  const dim = teacher.dim;
  if (vectors.length !== kept.length * dim) {
    throw new InvalidInputError(`teacher ${teacher.name} returned ${vectors.length} values for ${kept.length} sequences of width ${dim}`);
  }
  kept.forEach((i, k) => {
    out[i] = { text: prepared[i]!.text, vector: vectors.subarray(k * dim, (k + 1) * dim) };
  });
  return out;
}

/** Ids of the tokenizer's special added tokens ([CLS], [SEP], [UNK], [PAD], ...), which stored texts leave out. */
function specialTokenIds(json: Record<string, unknown>): Set<number> {
  const ids = new Set<number>();
  const added = json.added_tokens;
  if (Array.isArray(added)) {
    for (const token of added as { id?: unknown; special?: unknown }[]) {
      if (token?.special === true && typeof token.id === "number") ids.add(token.id);
    }
  }
  return ids;
}

/** The teacher's preferred texts per call (`batchSize`, e.g. UseTeacher's), else 32. */
function defaultBatchSize(teacher: Teacher): number {
  const preferred = (teacher as { batchSize?: unknown }).batchSize;
  return typeof preferred === "number" && Number.isSafeInteger(preferred) && preferred > 0 ? preferred : 32;
}

/** The teacher's longest input: `maxPositions` when it has one (OnnxTeacher), USE-lite's 128, else 512. */
function defaultMaxLength(teacher: Teacher): number {
  const maxPositions = (teacher as { maxPositions?: unknown }).maxPositions;
  if (typeof maxPositions === "number" && Number.isSafeInteger(maxPositions) && maxPositions > 0) return maxPositions;
  if (teacher instanceof UseTeacher) return USE_MAX_LENGTH;
  return DEFAULT_MAX_LENGTH;
}

function positiveInteger(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 1)) throw new InvalidInputError(`${name} must be a positive integer, got ${value}`);
}
