/**
 * Semantic deduplication, semhash's `self_deduplicate` and `deduplicate` in TypeScript: greedy in
 * input order, exact at every size (see threshold-scan.ts).
 */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { embedColumns, groupRecords, type GroupedRecords, type RecordsProgress, type TextRecord } from "./dedup-records.js";
import { greedyMatches, referenceMatches, type ThresholdMatches } from "./threshold-scan.js";
import type { IndexEntry, SearchEncoder } from "./types.js";
import { VectorIndex } from "./vector-index.js";

/** Options of {@link deduplicate}. */
export interface DeduplicateOptions<R extends TextRecord = TextRecord> {
  /** The cosine similarity from which two records are duplicates, from -1 to 1. Default 0.9 (semhash's). */
  readonly threshold?: number | undefined;
  /** Object records: the fields compared, each a string. All must match. Not allowed for string records. */
  readonly columns?: readonly string[] | undefined;
  /**
   * A reference set (a training set, when `records` is its test set): records that match a
   * reference record are removed, and records are not compared with each other. Same kind and
   * columns as `records`.
   */
  readonly reference?: readonly R[] | undefined;
  /** Called as distinct records are embedded and as they are searched. */
  readonly onProgress?: RecordsProgress | undefined;
}

/** A removed record and the one it duplicates (`D`: a record, or an index entry when deduplicating against a `VectorIndex`). */
export interface Duplicate<R extends TextRecord = TextRecord, D = R> {
  /** The removed record. */
  readonly record: R;
  /** Its position in `records`. */
  readonly index: number;
  /** The kept record it duplicates (a reference record with `reference`, an index entry against an index). */
  readonly duplicateOf: D;
  /** The position of `duplicateOf` in `records` (in `reference` with `reference`, the row in the index against an index). */
  readonly duplicateOfIndex: number;
  /** Their score: 1 for an exact copy, else the smallest cosine over the columns. */
  readonly score: number;
  /** Whether the two are equal in every compared column. */
  readonly exact: boolean;
}

/** What {@link deduplicate} keeps and removes. */
export interface DeduplicationResult<R extends TextRecord = TextRecord, D = R> {
  /** The kept records, in input order. */
  readonly selected: R[];
  /** The positions of the kept records in `records`. */
  readonly selectedIndices: number[];
  /** The removed records, in input order, each with the record it duplicates. */
  readonly filtered: Duplicate<R, D>[];
  /** The threshold used. */
  readonly threshold: number;
}

const DEFAULT_THRESHOLD = 0.9;

/**
 * Removes near-duplicate records. Greedy in input order: a record is a duplicate when a record
 * kept before it scores at least `threshold`; it is reported against the kept record that scores
 * highest (the earliest of equal scores). With `reference`, a record is removed when a reference
 * record scores at least `threshold`, and records are not compared with each other (semhash's
 * `deduplicate` against a fitted set, for train/test leakage).
 *
 * The score of two records is the cosine similarity of their embeddings; with several
 * `columns`, all must reach the threshold and the score is the smallest of the column cosines.
 * Exact copies (equal in every column) are found by text first, as semhash does, and embedded
 * once: a copy of a kept record is its exact duplicate (score 1); a copy of a removed record is
 * removed with it, reported against the same kept record and score.
 *
 * Where this differs from semhash: semhash embeds several columns as one concatenated vector, so
 * a strong match in one column can make up for a weak one in another; here every column must
 * match. semhash searches an approximate index (usearch) by default, capped at 100 neighbours;
 * this search is exact: it equals an all-pairs check.
 *
 * Given a `VectorIndex` instead of a model, the records are compared with the index's rows (a
 * reference set embedded once), embedded with the index's model; an exact copy is a record equal
 * to a row's stored text. Records then have one column, and `duplicateOf` is the row's entry.
 *
 * @param model - What embeds the texts: a `StaticModel`, or any `{ dim, encode(texts) }`; or a `VectorIndex` to compare with.
 * @param records - Strings, or objects compared on `columns`.
 * @throws InvalidInputError for a bad threshold, records of mixed kinds, a missing or non-string
 *   column, or an index without a model, with `reference`, or with several columns.
 */
export async function deduplicate<R extends TextRecord, M = unknown>(
  index: VectorIndex<M>,
  records: readonly R[],
  options?: Omit<DeduplicateOptions<R>, "reference">,
): Promise<DeduplicationResult<R, IndexEntry<M>>>;
export async function deduplicate<R extends TextRecord>(model: SearchEncoder, records: readonly R[], options?: DeduplicateOptions<R>): Promise<DeduplicationResult<R>>;
export async function deduplicate<R extends TextRecord>(
  source: SearchEncoder | VectorIndex,
  records: readonly R[],
  options: DeduplicateOptions<R> = {},
): Promise<DeduplicationResult<R, unknown>> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (typeof threshold !== "number" || !(threshold >= -1 && threshold <= 1)) {
    throw new InvalidInputError(`deduplicate: threshold must be a number from -1 to 1, got ${describe(threshold)}`);
  }
  const grouped = groupRecords(records, options.columns, "deduplicate: records");
  const { reference, onProgress } = options;
  if (source instanceof VectorIndex) return againstIndex(source, records, grouped, threshold, options);
  if (reference === undefined) {
    const vectors = await embedColumns(source, grouped.texts, onProgress);
    const matches = greedyMatches(vectors, source.dim, grouped.keys.length, threshold, onProgress);
    return selfResult(records, grouped, matches, threshold);
  }
  const referenceGroups = groupRecords(reference, options.columns, "deduplicate: reference");
  const exactRows = new Map<string, number>();
  referenceGroups.keys.forEach((key, g) => exactRows.set(key, g));
  const target = { vectors: await embedColumns(source, referenceGroups.texts), rows: referenceGroups.keys.length };
  return againstTarget(source, records, grouped, threshold, exactRows, target, (row) => {
    const position = referenceGroups.firstOf[row]!;
    return { position, entry: reference[position]! };
  }, onProgress);
}

/** `deduplicate` against the rows of `index`. */
async function againstIndex<R extends TextRecord, M>(
  index: VectorIndex<M>,
  records: readonly R[],
  grouped: GroupedRecords,
  threshold: number,
  options: DeduplicateOptions<R>,
): Promise<DeduplicationResult<R, IndexEntry<M>>> {
  if (options.reference !== undefined) throw new InvalidInputError("deduplicate: give the reference set as the index or as options.reference, not both");
  if (index.model === undefined) throw new InvalidInputError("deduplicate: the index has no model to embed the records with; build it with a model");
  if (grouped.columns.length !== 1) throw new InvalidInputError(`deduplicate: an index holds one vector per row, so records can have one column, got ${grouped.columns.length}`);
  const rows = index.rows();
  const exactRows = new Map<string, number>();
  rows.texts?.forEach((text, row) => {
    const key = JSON.stringify([text]);
    if (text !== undefined && !exactRows.has(key)) exactRows.set(key, row);
  });
  // A copy: the index's matrix may move while its rows are searched.
  const target = { vectors: [rows.vectors.slice()], rows: rows.ids.length };
  return againstTarget(index.model, records, grouped, threshold, exactRows, target, (row) => {
    const entry: { id: IndexEntry<M>["id"]; text?: string; metadata?: M } = { id: rows.ids[row]! };
    if (rows.texts?.[row] !== undefined) entry.text = rows.texts[row];
    if (rows.metadata?.[row] !== undefined) entry.metadata = rows.metadata[row];
    return { position: row, entry };
  }, options.onProgress);
}

/**
 * Each record against a fixed target set: removed when its key is one of `exactRows` (score 1)
 * or when a target row scores at least `threshold` (the best one). Only the other records are embedded.
 */
async function againstTarget<R extends TextRecord, D>(
  model: SearchEncoder,
  records: readonly R[],
  grouped: GroupedRecords,
  threshold: number,
  exactRows: ReadonlyMap<string, number>,
  target: { vectors: Float32Array[]; rows: number },
  describeRow: (row: number) => { position: number; entry: D },
  onProgress: RecordsProgress | undefined,
): Promise<DeduplicationResult<R, D>> {
  const misses = grouped.keys.map((key, g) => (exactRows.has(key) ? -1 : g)).filter((g) => g >= 0);
  const queryVectors = await embedColumns(model, grouped.texts.map((column) => misses.map((g) => column[g]!)), onProgress);
  const found = referenceMatches(queryVectors, misses.length, target.vectors, target.rows, model.dim, threshold, onProgress);
  const missRow = new Int32Array(grouped.keys.length).fill(-1);
  misses.forEach((g, row) => (missRow[g] = row));
  const selected: R[] = [];
  const selectedIndices: number[] = [];
  const filtered: Duplicate<R, D>[] = [];
  records.forEach((record, index) => {
    const group = grouped.groupOf[index]!;
    const exact = exactRows.get(grouped.keys[group]!);
    const row = missRow[group]!;
    const match = exact ?? (row >= 0 ? found.match[row]! : -1);
    if (match < 0) {
      selected.push(record);
      selectedIndices.push(index);
      return;
    }
    const { position, entry } = describeRow(match);
    filtered.push({ record, index, duplicateOf: entry, duplicateOfIndex: position, score: exact === undefined ? found.score[row]! : 1, exact: exact !== undefined });
  });
  return { selected, selectedIndices, filtered, threshold };
}

/** The greedy result per record, from the matches of its group. */
function selfResult<R extends TextRecord>(records: readonly R[], grouped: GroupedRecords, matches: ThresholdMatches, threshold: number): DeduplicationResult<R> {
  const selected: R[] = [];
  const selectedIndices: number[] = [];
  const filtered: Duplicate<R>[] = [];
  records.forEach((record, index) => {
    const group = grouped.groupOf[index]!;
    const first = grouped.firstOf[group]!;
    const match = matches.match[group]!;
    if (match < 0 && first === index) {
      selected.push(record);
      selectedIndices.push(index);
    } else if (match < 0) {
      filtered.push({ record, index, duplicateOf: records[first]!, duplicateOfIndex: first, score: 1, exact: true });
    } else {
      const duplicateOfIndex = grouped.firstOf[match]!;
      filtered.push({ record, index, duplicateOf: records[duplicateOfIndex]!, duplicateOfIndex, score: matches.score[group]!, exact: false });
    }
  });
  return { selected, selectedIndices, filtered, threshold };
}
