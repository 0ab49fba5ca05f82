/** The result type of filterOutliers and selectRepresentatives. */
import type { TextRecord } from "./dedup-records.js";

/** Records split by a filter, each side with its positions in the input and its scores (semhash's `FilterResult`). */
export interface FilterResult<R extends TextRecord = TextRecord> {
  /** The records that passed. */
  readonly selected: R[];
  /** Their positions in the input. */
  readonly selectedIndices: number[];
  /** Their scores. */
  readonly scoresSelected: number[];
  /** The records filtered out. */
  readonly filtered: R[];
  /** Their positions in the input. */
  readonly filteredIndices: number[];
  /** Their scores. */
  readonly scoresFiltered: number[];
}
