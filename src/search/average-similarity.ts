/**
 * semhash's ranking of records by how typical they are: the mean cosine similarity of each
 * distinct record to its `k` nearest other records, best first. filterOutliers cuts the bottom
 * of it, selectRepresentatives picks diverse records from the top.
 */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { embedColumns, groupRecords, type GroupedRecords, type RecordsProgress, type TextRecord } from "./dedup-records.js";
import type { SearchEncoder } from "./types.js";
import { VectorIndex } from "./vector-index.js";
import { writeUnitRows } from "./vectors-input.js";

/** Options shared by filterOutliers and selectRepresentatives. */
export interface RankingOptions {
  /** Object records: the fields compared, each a string. Not allowed for string records. */
  readonly columns?: readonly string[] | undefined;
  /** Neighbours averaged per record. Default 100 (semhash's). */
  readonly neighbours?: number | undefined;
  /** Called as distinct records are embedded. */
  readonly onProgress?: RecordsProgress | undefined;
}

/** Records ranked by average similarity. */
export interface Ranking {
  readonly grouped: GroupedRecords;
  /** Each group's mean similarity to its nearest other groups. */
  readonly scores: Float64Array;
  /** The groups, best first (equal scores in input order). */
  readonly order: number[];
  /** The groups' unit vectors (the columns' unit vectors side by side, rescaled to unit length), `width` values each. */
  readonly vectors: Float32Array;
  readonly width: number;
}

const DEFAULT_NEIGHBOURS = 100;
/** Queries per search call, which bounds the memory of the top-k lists. */
const QUERY_CHUNK = 1024;

/**
 * Embeds the distinct records and ranks them by the mean cosine to their nearest other distinct
 * records (exact search through `VectorIndex`). With several columns a record's vector is its
 * column vectors side by side, so a similarity is the mean of the column cosines, as semhash's
 * concatenated embeddings give. A record with no other record to compare with scores 0 (semhash: NaN).
 *
 * @param what - Names the caller in error messages.
 */
export async function rankByAverageSimilarity(model: SearchEncoder, records: readonly TextRecord[], options: RankingOptions, what: string): Promise<Ranking> {
  const neighbours = options.neighbours ?? DEFAULT_NEIGHBOURS;
  if (!Number.isSafeInteger(neighbours) || neighbours < 1) {
    throw new InvalidInputError(`${what}: neighbours must be a positive integer, got ${describe(neighbours)}`);
  }
  const grouped = groupRecords(records, options.columns, `${what}: records`);
  const count = grouped.keys.length;
  const columns = await embedColumns(model, grouped.texts, options.onProgress);
  const dim = model.dim;
  const width = dim * columns.length;
  const sideBySide = new Float32Array(count * width);
  for (let g = 0; g < count; g++) columns.forEach((column, c) => sideBySide.set(column.subarray(g * dim, (g + 1) * dim), g * width + c * dim));
  const vectors = new Float32Array(count * width);
  writeUnitRows({ data: sideBySide, rows: count, dim: width }, width, vectors, 0, what);
  const scores = new Float64Array(count);
  if (count === 0) return { grouped, scores, order: [], vectors, width };
  const index = VectorIndex.fromVectors({ data: vectors, rows: count, dim: width });
  try {
    for (let start = 0; start < count; start += QUERY_CHUNK) {
      const rows = Math.min(QUERY_CHUNK, count - start);
      const hits = index.searchVectors({ data: vectors.slice(start * width, (start + rows) * width), rows, dim: width }, { k: neighbours + 1 });
      hits.forEach((list, i) => {
        // The record itself is among its nearest: leave it out (semhash drops the first hit).
        const own = list.findIndex((hit) => hit.id === start + i);
        const others = list.filter((_, j) => j !== (own >= 0 ? own : list.length - 1)).slice(0, neighbours);
        scores[start + i] = others.length === 0 ? 0 : others.reduce((sum, hit) => sum + hit.score, 0) / others.length;
      });
    }
  } finally {
    // Large inputs search on worker threads: stop them now rather than when the index is collected.
    await index.close();
  }
  // Array.prototype.sort is stable: equal scores keep input order, as semhash's sorted() does.
  const order = Array.from({ length: count }, (_, g) => g).sort((a, b) => scores[b]! - scores[a]!);
  return { grouped, scores, order, vectors, width };
}
