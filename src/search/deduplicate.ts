/**
 * Semantic deduplication, semhash's `self_deduplicate` and `deduplicate` in TypeScript: greedy in
 * input order, exact at every size (see threshold-scan.ts).
 */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { embedColumns, groupRecords, type GroupedRecords, type RecordsProgress, type TextRecord } from "./dedup-records.js";
import { greedyMatches, referenceMatches, type ThresholdMatches } from "./threshold-scan.js";
import type { SearchEncoder } from "./types.js";

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

/** A removed record and the one it duplicates. */
export interface Duplicate<R extends TextRecord = TextRecord> {
  /** The removed record. */
  readonly record: R;
  /** Its position in `records`. */
  readonly index: number;
  /** The kept record it duplicates (a reference record with `reference`). */
  readonly duplicateOf: R;
  /** The position of `duplicateOf` in `records` (in `reference` with `reference`). */
  readonly duplicateOfIndex: number;
  /** Their score: 1 for an exact copy, else the smallest cosine over the columns. */
  readonly score: number;
  /** Whether the two are equal in every compared column. */
  readonly exact: boolean;
}

/** What {@link deduplicate} keeps and removes. */
export interface DeduplicationResult<R extends TextRecord = TextRecord> {
  /** The kept records, in input order. */
  readonly selected: R[];
  /** The positions of the kept records in `records`. */
  readonly selectedIndices: number[];
  /** The removed records, in input order, each with the record it duplicates. */
  readonly filtered: Duplicate<R>[];
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
 * @param model - What embeds the texts: a `StaticModel`, or any `{ dim, encode(texts) }`.
 * @param records - Strings, or objects compared on `columns`.
 * @throws InvalidInputError for a bad threshold, records of mixed kinds, or a missing or non-string column.
 */
export async function deduplicate<R extends TextRecord>(
  model: SearchEncoder,
  records: readonly R[],
  options: DeduplicateOptions<R> = {},
): Promise<DeduplicationResult<R>> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (typeof threshold !== "number" || !(threshold >= -1 && threshold <= 1)) {
    throw new InvalidInputError(`deduplicate: threshold must be a number from -1 to 1, got ${describe(threshold)}`);
  }
  const grouped = groupRecords(records, options.columns, "deduplicate: records");
  const { reference } = options;
  if (reference === undefined) {
    const vectors = await embedColumns(model, grouped.texts, options.onProgress);
    const matches = greedyMatches(vectors, model.dim, grouped.keys.length, threshold, options.onProgress);
    return selfResult(records, grouped, matches, threshold);
  }
  const referenceGroups = groupRecords(reference, options.columns, "deduplicate: reference");
  const referenceKeys = new Map<string, number>();
  referenceGroups.keys.forEach((key, g) => referenceKeys.set(key, g));
  // Exact copies of reference records need no embedding.
  const misses = grouped.keys.map((key, g) => (referenceKeys.has(key) ? -1 : g)).filter((g) => g >= 0);
  const queryVectors = await embedColumns(model, grouped.texts.map((column) => misses.map((g) => column[g]!)), options.onProgress);
  const referenceVectors = await embedColumns(model, referenceGroups.texts);
  const found = referenceMatches(queryVectors, misses.length, referenceVectors, referenceGroups.keys.length, model.dim, threshold, options.onProgress);
  const selected: R[] = [];
  const selectedIndices: number[] = [];
  const filtered: Duplicate<R>[] = [];
  const missRow = new Int32Array(grouped.keys.length).fill(-1);
  misses.forEach((g, row) => (missRow[g] = row));
  records.forEach((record, index) => {
    const group = grouped.groupOf[index]!;
    const exact = referenceKeys.get(grouped.keys[group]!);
    const row = missRow[group]!;
    const match = exact ?? (row >= 0 ? found.match[row]! : -1);
    if (match < 0) {
      selected.push(record);
      selectedIndices.push(index);
      return;
    }
    const duplicateOfIndex = referenceGroups.firstOf[match]!;
    const score = exact === undefined ? found.score[row]! : 1;
    filtered.push({ record, index, duplicateOf: reference[duplicateOfIndex]!, duplicateOfIndex, score, exact: exact !== undefined });
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
