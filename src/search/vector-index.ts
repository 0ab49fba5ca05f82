/**
 * An exact cosine-similarity index over one contiguous matrix of unit-length float32 rows.
 *
 * Rows are normalised when they are added, so a dot product is a cosine. Search is a blocked scan
 * (exact-scan.ts) by a WebAssembly SIMD kernel where it runs (scan-memory.ts), with a bounded
 * heap per query; equal scores rank by insertion order. Quantized search scans binary codes
 * first and rescores a shortlist exactly (binary-codes.ts). `remove` compacts the matrix (and
 * the codes) at once, so a scan never reads a removed row and positions stay in insertion order.
 */
import { describe } from "../describe.js";
import { InvalidInputError } from "../errors.js";
import { availableThreads } from "../linalg/worker-threads.js";
import { indexFromFiles, indexToFiles } from "./index-files.js";
import { codeWords, HAMMING_KERNELS, writeCodes } from "./binary-codes.js";
import { blockRows, scanTopK } from "./exact-scan.js";
import { rescoreShortlist, shortlistCodes } from "./quantized-scan.js";
import { JsScanMemory, openScanMemory, type ScanMemory, type ScanScratch } from "./scan-memory.js";
import { DOT_KERNELS, scoreBlockJs } from "./score-block.js";
import { SearchPool } from "./search-pool.js";
import type { TopK } from "./top-k.js";
import type {
  AddOptions,
  AddVectorsOptions,
  IndexEntry,
  IndexRows,
  IndexId,
  SearchEncoder,
  SearchOptions,
  SearchResult,
  VectorsInput,
} from "./types.js";
import { independentOf, vectorCount, writeUnitRows } from "./vectors-input.js";

const DEFAULT_K = 10;

/**
 * Work of an exact search (queries × rows × dim multiply-adds) from which it runs on worker
 * threads. Starting the pool costs tens of milliseconds once, so only a large search starts
 * it; once running, it pays from a few milliseconds of work (bench/search-threads.bench.ts).
 */
const POOL_START_WORK = 2 ** 28;
const POOL_USE_WORK = 2 ** 24;

/** Stops the workers of an index collected without `close()`: they would keep its memory, and themselves, alive. */
const orphanedPools = new FinalizationRegistry<SearchPool>((pool) => void pool.close());

/** An exact cosine top-k index that runs in Node, browsers and workers. */
export class VectorIndex<M = unknown> {
  /** Vector width. */
  readonly dim: number;
  /** The encoder `search` and `add` embed texts with, when the index has one. */
  readonly model: SearchEncoder | undefined;
  #memory: ScanMemory;
  /** The matrix: a view into #memory, renewed whenever the memory may have moved. */
  #data: Float32Array;
  /** The rows' binary codes, once a quantized search asked for them. */
  #codes: ScanMemory | undefined;
  #rows = 0;
  #ids: IndexId[] = [];
  #texts: (string | undefined)[] = [];
  #metadata: (M | undefined)[] = [];
  #positions = new Map<IndexId, number>();
  #nextId = 0;
  /** Worker threads for large exact searches: undefined until first needed, null where unavailable or closed. */
  #pool: SearchPool | null | undefined;

  /**
   * An empty index for vectors of `dim` values.
   *
   * @param options.model - What `add` and `search` embed texts with; without it, only the `*Vectors` methods work.
   */
  constructor(dim: number, options: { model?: SearchEncoder | undefined } = {}) {
    if (!Number.isSafeInteger(dim) || dim < 1) throw new InvalidInputError(`VectorIndex: dim must be a positive integer, got ${describe(dim)}`);
    const model = options.model;
    if (model !== undefined && model.dim !== dim) {
      throw new InvalidInputError(`VectorIndex: the model makes ${model.dim}-dimensional vectors, the index holds ${dim}`);
    }
    this.dim = dim;
    this.model = model;
    // Shared where there are cores to share it with, so worker threads can scan the rows in place.
    this.#memory = openScanMemory(dim, 16 * dim, DOT_KERNELS, availableThreads() > 1);
    this.#data = this.#memory.matrix(16 * dim);
  }

  /** An index of `texts`, embedded with `model`. */
  static async fromTexts<M = unknown>(model: SearchEncoder, texts: readonly string[], options: AddOptions<M> = {}): Promise<VectorIndex<M>> {
    const index = new VectorIndex<M>(model.dim, { model });
    await index.add(texts, options);
    return index;
  }

  /**
   * An index of vectors (copied and normalised). Its width is that of the vectors.
   *
   * @param options.model - Lets `search` and `add` take texts.
   */
  static fromVectors<M = unknown>(
    vectors: VectorsInput,
    options: AddVectorsOptions<M> & { model?: SearchEncoder | undefined } = {},
  ): VectorIndex<M> {
    const dim = ("dim" in vectors ? vectors.dim : vectors[0]?.length) ?? options.model?.dim;
    if (dim === undefined) throw new InvalidInputError("VectorIndex.fromVectors: no vectors and no model to take the width from");
    const index = new VectorIndex<M>(dim, { model: options.model });
    index.addVectors(vectors, options);
    return index;
  }

  /** Number of rows. */
  get size(): number {
    return this.#rows;
  }

  /** Whether a row has this id. */
  has(id: IndexId): boolean {
    return this.#positions.has(id);
  }

  /** The ids, in insertion order. */
  ids(): IndexId[] {
    return this.#ids.slice();
  }

  /**
   * Embeds `texts` with the index's model and adds them, texts included.
   *
   * @throws InvalidInputError without a model, for repeated ids, or for option lengths that differ from `texts`.
   */
  async add(texts: readonly string[], options: AddOptions<M> = {}): Promise<void> {
    if (!Array.isArray(texts) || !texts.every((text) => typeof text === "string")) {
      throw new InvalidInputError(`VectorIndex.add: texts must be an array of strings, got ${describe(texts)}`);
    }
    this.#checkRows("add", texts.length, options);
    const vectors = await this.#encode(texts, "add");
    this.addVectors(vectors, { ...options, texts });
  }

  /**
   * Adds vectors (copied and normalised to unit length).
   *
   * @throws InvalidInputError for a wrong width, values that are not finite, repeated ids, or
   *   option lengths that differ from the number of vectors.
   */
  addVectors(input: VectorsInput, options: AddVectorsOptions<M> = {}): void {
    const vectors = independentOf(input, this.#data.buffer);
    const count = vectorCount(vectors);
    this.#checkRows("addVectors", count, options);
    let ids = options.ids;
    if (ids === undefined) ids = this.#freshIds(count);
    else this.#nextId += count;
    this.#reserve(this.#rows + count);
    // Written past the last row first, so a failure leaves the index as it was.
    writeUnitRows(vectors, this.dim, this.#data, this.#rows, "VectorIndex.addVectors");
    if (this.#codes !== undefined) {
      const codes = this.#codes.matrix((this.#rows + count) * codeWords(this.dim));
      writeCodes(this.#data, this.dim, this.#rows, count, codes, this.#rows);
    }
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      this.#positions.set(id, this.#rows + i);
      this.#ids.push(id);
      this.#texts.push(options.texts?.[i]);
      this.#metadata.push(options.metadata?.[i]);
    }
    this.#rows += count;
  }

  /** Ids for `count` new rows: their insertion numbers, or the next numbers not taken as ids yet. */
  #freshIds(count: number): number[] {
    const ids: number[] = [];
    while (ids.length < count) {
      if (!this.#positions.has(this.#nextId)) ids.push(this.#nextId);
      this.#nextId++;
    }
    return ids;
  }

  /**
   * Removes the rows with these ids; ids not in the index are ignored. The rows after the first
   * removed one move up, a run of kept rows at a time.
   *
   * @returns the number of rows removed.
   */
  remove(ids: readonly IndexId[]): number {
    const removed = new Set<number>();
    for (const id of ids) {
      const position = this.#positions.get(id);
      if (position !== undefined) removed.add(position);
    }
    if (removed.size === 0) return 0;
    const dim = this.dim;
    const words = codeWords(dim);
    const codes = this.#codes?.matrix(this.#rows * words);
    const gone = [...removed].sort((a, b) => a - b);
    for (const row of gone) this.#positions.delete(this.#ids[row]!);
    // The kept rows between two removed ones move up as one run.
    let kept = gone[0]!;
    gone.forEach((row, i) => {
      const end = gone[i + 1] ?? this.#rows;
      this.#data.copyWithin(kept * dim, (row + 1) * dim, end * dim);
      codes?.copyWithin(kept * words, (row + 1) * words, end * words);
      for (let from = row + 1; from < end; from++, kept++) {
        this.#ids[kept] = this.#ids[from]!;
        this.#texts[kept] = this.#texts[from];
        this.#metadata[kept] = this.#metadata[from];
        this.#positions.set(this.#ids[kept]!, kept);
      }
    });
    this.#rows = kept;
    this.#ids.length = kept;
    this.#texts.length = kept;
    this.#metadata.length = kept;
    return removed.size;
  }

  /** The `k` rows most similar to `query`, best first, with the index's model embedding the query. */
  async search(query: string, options?: SearchOptions<M>): Promise<SearchResult<M>[]>;
  /** The `k` rows most similar to each query, best first. */
  async search(queries: readonly string[], options?: SearchOptions<M>): Promise<SearchResult<M>[][]>;
  async search(input: string | readonly string[], options: SearchOptions<M> = {}): Promise<SearchResult<M>[] | SearchResult<M>[][]> {
    const single = typeof input === "string";
    const queries = single ? [input] : input;
    if (!Array.isArray(queries) || !queries.every((query) => typeof query === "string")) {
      throw new InvalidInputError(`VectorIndex.search: expected a string or an array of strings, got ${describe(input)}`);
    }
    const results = this.searchVectors(await this.#encode(queries, "search"), options);
    return single ? results[0]! : results;
  }

  /**
   * The `k` rows most similar to each query vector (any length: they are normalised), best first.
   *
   * @throws InvalidInputError for a wrong width, values that are not finite, or a bad `k`, `filter`,
   *   `candidates` or `threads`.
   */
  searchVectors(vectors: VectorsInput, options: SearchOptions<M> = {}): SearchResult<M>[][] {
    const k = options.k ?? DEFAULT_K;
    if (!Number.isSafeInteger(k) || k < 0) throw new InvalidInputError(`VectorIndex.search: k must be a non-negative integer, got ${describe(k)}`);
    const filter = options.filter;
    if (filter !== undefined && typeof filter !== "function") {
      throw new InvalidInputError(`VectorIndex.search: filter must be a function, got ${describe(filter)}`);
    }
    const candidates = options.candidates;
    if (candidates !== undefined && (!Number.isSafeInteger(candidates) || candidates < 1)) {
      throw new InvalidInputError(`VectorIndex.search: candidates must be a positive integer, got ${describe(candidates)}`);
    }
    const threads = options.threads ?? availableThreads();
    if (!Number.isSafeInteger(threads) || threads < 1) {
      throw new InvalidInputError(`VectorIndex.search: threads must be a positive integer, got ${describe(threads)}`);
    }
    vectors = independentOf(vectors, this.#data.buffer);
    const queryCount = vectorCount(vectors);
    const pool = filter === undefined && candidates === undefined ? this.#searchPool(Math.min(threads, availableThreads()), queryCount) : null;
    const scratches = this.#memory.threadScratch(queryCount, this.dim, blockRows(this.dim), pool === null ? 1 : Math.min(threads, pool.threads));
    const scratch = scratches[0]!;
    writeUnitRows(vectors, this.dim, scratch.queries, 0, "VectorIndex.search");
    this.#data = this.#memory.matrix(this.#rows * this.dim);
    const accept = filter === undefined ? undefined : this.#acceptor(filter);
    const exact = { matrix: this.#data, width: this.dim, end: this.#rows, queryCount, k: Math.min(k, this.#rows), kernel: this.#memory.kernel };
    const top =
      candidates === undefined
        ? (pool?.scan({ ...exact, scratch: scratches }) ?? scanTopK({ ...exact, first: 0, scratch, accept }))
        : this.#quantizedTopK(scratch, queryCount, Math.min(k, this.#rows), Math.max(k, candidates), accept);
    return Array.from({ length: queryCount }, (_, q) => {
      const { positions, scores } = top.sorted(q);
      return Array.from(positions, (position, i) => this.#result(position, scores[i]!));
    });
  }

  /**
   * The worker pool for an exact search of `queryCount` queries on `threads` threads, or null
   * to stay on this thread. The pool starts on the first large search, with `threads` threads.
   */
  #searchPool(threads: number, queryCount: number): SearchPool | null {
    const work = queryCount * this.#rows * this.dim;
    const memory = this.#memory.shared;
    if (threads < 2 || memory === null || work < POOL_USE_WORK || (this.#pool === undefined && work < POOL_START_WORK)) return null;
    if (this.#pool === undefined) {
      this.#pool = SearchPool.open(memory, threads);
      if (this.#pool !== null) orphanedPools.register(this, this.#pool, this);
    }
    return this.#pool?.usable ? this.#pool : null;
  }

  /**
   * Stops the worker threads of multi-core search, if any were started. The index stays usable
   * (on one thread). Not needed for a process to exit (idle workers never keep it alive), and
   * an index that is garbage-collected stops its workers then; `close()` frees them at once.
   */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    orphanedPools.unregister(this);
    await pool?.close();
  }

  /**
   * The index as files (`vectors.safetensors` and `index.json`), e.g. to store in IndexedDB or
   * offer as a download; {@link VectorIndex.fromFiles} reads them back. Metadata must be
   * JSON-serialisable; a row's undefined metadata is saved as `null` and read back as undefined.
   */
  toFiles(): Map<string, Uint8Array> {
    return indexToFiles(this.rows());
  }

  /**
   * An index from the files {@link VectorIndex.toFiles} made.
   *
   * @param options.model - What `search` and `add` embed texts with; its width must be the index's.
   * @throws IndexFormatError when a file is missing, truncated or inconsistent.
   */
  static fromFiles<M = unknown>(
    files: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>,
    options: { model?: SearchEncoder | undefined; source?: string | undefined } = {},
  ): VectorIndex<M> {
    const rows = indexFromFiles(files, options.source ?? "files");
    const index = new VectorIndex<M>(rows.dim, { model: options.model });
    index.addVectors({ data: rows.vectors, rows: rows.ids.length, dim: rows.dim }, {
      ids: rows.ids,
      texts: rows.texts,
      metadata: rows.metadata as (M | undefined)[] | undefined,
    });
    return index;
  }

  /**
   * Saves the index into `folder` (created if needed) as {@link VectorIndex.toFiles}' files,
   * each written to a temporary file and renamed, so a reader never sees half a file. Node only.
   */
  async save(folder: string): Promise<void> {
    const { writeFolderAtomically } = await import("../io/write-folder.js");
    await writeFolderAtomically(folder, this.toFiles());
  }

  /**
   * Loads an index saved by {@link VectorIndex.save}. Node only; in browsers, use {@link VectorIndex.fromFiles}.
   *
   * @param model - What `search` and `add` embed texts with; its width must be the index's.
   * @throws IndexFormatError when a file is missing, truncated or inconsistent.
   */
  static async load<M = unknown>(folder: string, model?: SearchEncoder): Promise<VectorIndex<M>> {
    const { readIndexFolder } = await import("./index-folder.js");
    return VectorIndex.fromFiles<M>(await readIndexFolder(folder), { model, source: folder });
  }

  /**
   * The stored rows: views of the index's arrays, valid until the index changes (copy them to
   * keep them). The index's own methods accept them as input.
   */
  rows(): IndexRows<M> {
    return {
      dim: this.dim,
      vectors: this.#data.subarray(0, this.#rows * this.dim),
      ids: this.#ids,
      texts: this.#texts.some((text) => text !== undefined) ? this.#texts : undefined,
      metadata: this.#metadata.some((value) => value !== undefined) ? this.#metadata : undefined,
    };
  }

  /** Top k of each query among the best `candidates` by binary code, rescored with the vectors. */
  #quantizedTopK(
    scratch: ScanScratch,
    queryCount: number,
    k: number,
    candidates: number,
    accept: ((position: number) => boolean) | undefined,
  ): TopK {
    const words = codeWords(this.dim);
    if (this.#codes === undefined) {
      this.#codes = openScanMemory(words, Math.max(16, this.#rows) * words, HAMMING_KERNELS);
      writeCodes(this.#data, this.dim, 0, this.#rows, this.#codes.matrix(this.#rows * words), 0);
    }
    const codeScratch = this.#codes.scratch(queryCount, words, blockRows(words));
    writeCodes(scratch.queries, this.dim, 0, queryCount, codeScratch.queries, 0);
    const shortlist = shortlistCodes({
      matrix: this.#codes.matrix(this.#rows * words),
      width: words,
      first: 0,
      end: this.#rows,
      queryCount,
      k: Math.min(candidates, this.#rows),
      kernel: this.#codes.kernel,
      scratch: codeScratch,
      accept,
    });
    return rescoreShortlist(shortlist, this.#memory.kernel, this.#data, this.dim, scratch, k);
  }

  #result(position: number, score: number): SearchResult<M> {
    const result: { id: IndexId; score: number; text?: string; metadata?: M } = { id: this.#ids[position]!, score };
    const text = this.#texts[position];
    if (text !== undefined) result.text = text;
    const metadata = this.#metadata[position];
    if (metadata !== undefined) result.metadata = metadata;
    return result;
  }

  /** `filter` by position, asked at most once per row. */
  #acceptor(filter: (entry: IndexEntry<M>) => boolean): (position: number) => boolean {
    const verdicts = new Int8Array(this.#rows); // 0 not asked yet, 1 kept, -1 filtered out
    return (position) => {
      if (verdicts[position] === 0) {
        const entry: { id: IndexId; text?: string; metadata?: M } = { id: this.#ids[position]! };
        const text = this.#texts[position];
        if (text !== undefined) entry.text = text;
        const metadata = this.#metadata[position];
        if (metadata !== undefined) entry.metadata = metadata;
        verdicts[position] = filter(entry) ? 1 : -1;
      }
      return verdicts[position] === 1;
    };
  }

  async #encode(texts: readonly string[], method: string): Promise<VectorsInput> {
    if (this.model === undefined) {
      throw new InvalidInputError(`VectorIndex.${method}: this index has no model to embed texts with; pass vectors to ${method}Vectors, or a model to the index`);
    }
    const vectors = await this.model.encode([...texts]);
    if (vectorCount(vectors) !== texts.length) {
      throw new InvalidInputError(`VectorIndex.${method}: the model returned ${vectorCount(vectors)} vectors for ${texts.length} texts`);
    }
    return vectors;
  }

  #checkRows(method: string, count: number, options: AddVectorsOptions<M>): void {
    for (const name of ["ids", "metadata", "texts"] as const) {
      const values = options[name];
      if (values !== undefined && (!Array.isArray(values) || values.length !== count)) {
        throw new InvalidInputError(`VectorIndex.${method}: options.${name} must have one entry per row (${count}), got ${describe(values)}`);
      }
    }
    const fresh = new Set<IndexId>();
    for (const id of options.ids ?? []) {
      if (typeof id !== "string" && !Number.isFinite(id)) {
        throw new InvalidInputError(`VectorIndex.${method}: ids must be strings or finite numbers, got ${describe(id)}`);
      }
      if (this.#positions.has(id) || fresh.has(id)) throw new InvalidInputError(`VectorIndex.${method}: id ${JSON.stringify(id)} is already in the index`);
      fresh.add(id);
    }
    if (options.texts?.some((text) => text !== undefined && typeof text !== "string")) {
      throw new InvalidInputError(`VectorIndex.${method}: options.texts must be strings (or undefined for a row without one)`);
    }
  }

  /** Room for `rows` rows. Past what a WebAssembly memory holds (4 GiB), the rows move to plain arrays. */
  #reserve(rows: number): void {
    try {
      this.#data = this.#memory.matrix(rows * this.dim);
    } catch (error) {
      if (!(error instanceof RangeError) || !this.#memory.wasm) throw error;
      const memory = new JsScanMemory(rows * this.dim, scoreBlockJs);
      memory.matrix(rows * this.dim).set(this.#memory.matrix(this.#rows * this.dim).subarray(0, this.#rows * this.dim));
      this.#memory = memory;
      this.#data = memory.matrix(rows * this.dim);
      // The workers scan the old memory: stop them (they would keep it alive), and search on one thread.
      void this.close();
    }
  }
}
