/** The shapes the search index takes and gives. */

/** A row's identifier: given by the caller, or its insertion number. */
export type IndexId = string | number;

/** A row-major float32 matrix, such as the `Embeddings` a model's `encode` returns. */
export interface EmbeddingsLike {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** Vectors to add or search with: a matrix, or one array of numbers per vector. */
export type VectorsInput = EmbeddingsLike | readonly ArrayLike<number>[];

/**
 * What the index embeds texts with: a `StaticModel`, or anything with its `dim` and an `encode`
 * of a list of texts (sync or async). Structural, so this module does not depend on the model.
 */
export interface SearchEncoder {
  readonly dim: number;
  encode(texts: string[]): EmbeddingsLike | Promise<EmbeddingsLike>;
}

/** A stored row as a filter sees it. */
export interface IndexEntry<M = unknown> {
  readonly id: IndexId;
  readonly text?: string;
  readonly metadata?: M;
}

/** One hit: the row's id, its cosine similarity to the query, and its text and metadata when stored. */
export interface SearchResult<M = unknown> extends IndexEntry<M> {
  readonly score: number;
}

/** Options of `add` and of the index factories. */
export interface AddOptions<M = unknown> {
  /** One id per row, unique in the index. Default: each row's insertion number (0, 1, 2, … over the index's life). */
  readonly ids?: readonly IndexId[] | undefined;
  /** One metadata value per row (undefined for a row without), returned with hits and shown to filters. */
  readonly metadata?: readonly (M | undefined)[] | undefined;
}

/** Options of `addVectors` and `fromVectors`: texts may be stored beside the vectors. */
export interface AddVectorsOptions<M = unknown> extends AddOptions<M> {
  /** One text per row (undefined for a row without), returned with hits. */
  readonly texts?: readonly (string | undefined)[] | undefined;
}

/** Options of `search` and `searchVectors`. */
export interface SearchOptions<M = unknown> {
  /** Hits per query, best first. Default 10. */
  readonly k?: number | undefined;
  /**
   * Keeps only the rows it returns true for. It is called at most once per row and search call,
   * and only for rows whose score would place them in some query's top k.
   */
  readonly filter?: ((entry: IndexEntry<M>) => boolean) | undefined;
  /**
   * Quantized search: rows are ranked by binary codes first (one bit per dimension of a fixed
   * random rotation, 32 times smaller than the vectors, built on first use and kept up to date),
   * and the best `candidates` of each query are rescored with the full vectors. Faster and
   * approximate: the more candidates, the closer to exact (at least `k`). Default: exact search.
   */
  readonly candidates?: number | undefined;
  /**
   * Threads an exact search runs on. Default: every core in Node (≥ 20.16) for large searches
   * (the index's pool of worker threads starts on the first such call and is reused; `close()`
   * stops it), else 1. `1` keeps the search on the calling thread; more than the cores available
   * counts as that many. Results are identical. Searches with a `filter` or `candidates` run on
   * the calling thread.
   */
  readonly threads?: number | undefined;
}

/** The stored rows of an index, as `toFiles` writes them and `fromFiles` reads them. */
export interface IndexRows<M = unknown> {
  readonly dim: number;
  /** Row-major `ids.length × dim`, unit-length rows. */
  readonly vectors: Float32Array;
  readonly ids: readonly IndexId[];
  /** One text per row (undefined for a row without one), or undefined when no row has one. */
  readonly texts: readonly (string | undefined)[] | undefined;
  readonly metadata: readonly (M | undefined)[] | undefined;
}
