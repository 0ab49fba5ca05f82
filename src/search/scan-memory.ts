/**
 * Where an index keeps a matrix (float32 vectors, or binary codes as 32-bit words) and a scan's
 * scratch (queries, a block of scores), and the kernel that reads them. A WebAssembly kernel can
 * read only its own memory, so with one everything lives in one `WebAssembly.Memory`: the matrix
 * from byte 0, the scratch after the matrix's capacity (the queries, then a region per thread
 * of a parallel scan).
 * Without it (no SIMD, `MODEL2VEC_WASM=off`, a width the kernel does not take) they are plain
 * typed arrays and the JavaScript kernel runs. A shared memory lets worker threads scan the
 * same rows in place (search-pool.ts).
 */
import { blockKernel } from "../linalg/wasm/block-kernel.js";
import { createMemory, growMemory, PAGE_BYTES, pagesFor, sharedMemorySupported, wasmKernelsEnabled } from "../linalg/wasm/wasm-runtime.js";

/**
 * Computes scores of a block: `out[r * queryCount + q]` is query q's score for row `first + r`
 * (a row's scores are consecutive, so a register tile stores them together). Rows and queries
 * are `width` values each: float32 vectors for the exact kernel, 32-bit code words for the
 * binary one. The rows (0-based in the block, increasing) where some query's score beats its
 * `thresholds[q]` go to `hits`, and their number is returned: the caller reads only those rows.
 */
export type ScoreBlock = (
  queries: Float32Array,
  queryCount: number,
  matrix: Float32Array,
  first: number,
  count: number,
  width: number,
  out: Float32Array,
  thresholds: Float32Array,
  hits: Int32Array,
) => number;

/** Where a scan's kernel reads queries and thresholds and writes scores and hits. */
export interface ScanScratch {
  readonly queries: Float32Array;
  readonly scores: Float32Array;
  readonly thresholds: Float32Array;
  readonly hits: Int32Array;
}

/** The hit list of a block's scores, as the JavaScript kernels make it (see {@link ScoreBlock}). */
export function listHits(out: Float32Array, queryCount: number, count: number, thresholds: Float32Array, hits: Int32Array): number {
  let n = 0;
  for (let r = 0; r < count; r++) {
    const base = r * queryCount;
    for (let q = 0; q < queryCount; q++) {
      if (out[base + q]! > thresholds[q]!) {
        hits[n++] = r;
        break;
      }
    }
  }
  return n;
}

/** A kernel in both forms: which of them runs is the memory's choice. */
export interface KernelPair {
  readonly js: ScoreBlock;
  /** The WebAssembly module (base64) exporting `score_block`. */
  readonly wasm: string;
  /** The same module importing a shared memory, when the kernel has one. */
  readonly wasmShared?: string | undefined;
  /** The WebAssembly kernel takes widths that are multiples of this. */
  readonly wasmWidthMultiple: number;
}

/** What a worker thread needs to scan a shared {@link ScanMemory}. */
export interface SharedScanMemory {
  readonly memory: WebAssembly.Memory;
  /** The kernel's WebAssembly module (base64), importing a shared memory. */
  readonly module: string;
}

/** Storage of one matrix and the kernel that scores it. Values are 32 bits wide. */
export interface ScanMemory {
  readonly kernel: ScoreBlock;
  /** Whether the kernel is WebAssembly. */
  readonly wasm: boolean;
  /**
   * The memory and kernel module, when the memory is a shared WebAssembly memory: worker
   * threads scan it with kernels of their own ({@link sharedKernel}), reading the rows in
   * place. Null otherwise.
   */
  readonly shared: SharedScanMemory | null;
  /**
   * A view of the matrix with room for at least `values` values, keeping the values of the
   * previous view. Views from earlier calls (and from `scratch`) may be stale after it.
   *
   * @throws RangeError when the memory cannot grow that far.
   */
  matrix(values: number): Float32Array;
  /** Room for a scan of `queryCount` queries in blocks of `blockRows` rows; valid until the next call of a method. */
  scratch(queryCount: number, width: number, blockRows: number): ScanScratch;
  /**
   * {@link scratch} for each of `threads` threads scanning at once (the first is `scratch`'s),
   * all with the same `queries`; valid until the next call of a method.
   */
  threadScratch(queryCount: number, width: number, blockRows: number, threads: number): ScanScratch[];
}

/**
 * The fastest storage this runtime offers for rows `width` values wide.
 *
 * @param shared - Make the WebAssembly memory shared where this runtime can, for worker threads to scan.
 */
export function openScanMemory(width: number, initialValues: number, kernels: KernelPair, shared = false): ScanMemory {
  return wasmKernelsEnabled() && width % kernels.wasmWidthMultiple === 0
    ? new WasmScanMemory(initialValues, kernels, shared && kernels.wasmShared !== undefined && sharedMemorySupported())
    : new JsScanMemory(initialValues, kernels.js);
}

/** `module`'s kernel (see {@link KernelPair}) on `memory`, taking views of it: each thread binds its own instance. */
export function sharedKernel(module: string, memory: WebAssembly.Memory): ScoreBlock {
  const kernel = blockKernel(module, memory);
  return (queries, queryCount, matrix, first, count, width, out, thresholds, hits) =>
    kernel(queries.byteOffset, queryCount, matrix.byteOffset + first * width * 4, count, width, out.byteOffset, thresholds.byteOffset, hits.byteOffset);
}

/** Plain typed arrays and the JavaScript kernel. */
export class JsScanMemory implements ScanMemory {
  readonly kernel: ScoreBlock;
  readonly wasm = false;
  readonly shared = null;
  #matrix: Float32Array;

  constructor(initialValues: number, kernel: ScoreBlock) {
    this.#matrix = new Float32Array(initialValues);
    this.kernel = kernel;
  }

  matrix(values: number): Float32Array {
    if (values > this.#matrix.length) {
      // Doubling, so that adding rows one at a time stays linear.
      const grown = new Float32Array(Math.max(values, 2 * this.#matrix.length));
      grown.set(this.#matrix);
      this.#matrix = grown;
    }
    return this.#matrix;
  }

  scratch(queryCount: number, width: number, blockRows: number): ScanScratch {
    return this.threadScratch(queryCount, width, blockRows, 1)[0]!;
  }

  threadScratch(queryCount: number, width: number, blockRows: number, threads: number): ScanScratch[] {
    const queries = new Float32Array(queryCount * width);
    return Array.from({ length: threads }, () => ({
      queries,
      scores: new Float32Array(queryCount * blockRows),
      thresholds: new Float32Array(queryCount),
      hits: new Int32Array(blockRows),
    }));
  }
}

/** One WebAssembly memory holding the matrix and the scratch, scored by a SIMD kernel. */
class WasmScanMemory implements ScanMemory {
  readonly kernel: ScoreBlock;
  readonly wasm = true;
  readonly shared: SharedScanMemory | null;
  readonly #memory: WebAssembly.Memory;
  #capacity: number;

  constructor(initialValues: number, kernels: KernelPair, shared: boolean) {
    // A shared memory that can still grow: its maximum (all a WebAssembly memory addresses) is
    // address space reserved, not memory used, and growing it never moves the rows.
    this.#memory = shared
      ? new WebAssembly.Memory({ initial: pagesFor(initialValues * 4), maximum: 2 ** 32 / PAGE_BYTES, shared: true })
      : createMemory(initialValues * 4, false);
    const module = shared ? kernels.wasmShared! : kernels.wasm;
    this.shared = shared ? { memory: this.#memory, module } : null;
    this.#capacity = initialValues;
    this.kernel = sharedKernel(module, this.#memory);
  }

  matrix(values: number): Float32Array {
    if (values > this.#capacity) {
      const capacity = Math.max(values, 2 * this.#capacity);
      growMemory(this.#memory, capacity * 4);
      this.#capacity = capacity;
    }
    return new Float32Array(this.#memory.buffer, 0, this.#capacity);
  }

  scratch(queryCount: number, width: number, blockRows: number): ScanScratch {
    return this.threadScratch(queryCount, width, blockRows, 1)[0]!;
  }

  threadScratch(queryCount: number, width: number, blockRows: number, threads: number): ScanScratch[] {
    // After the matrix, the queries, then each thread's other parts; each part 16-byte aligned.
    const sizes = [queryCount * blockRows, queryCount, blockRows];
    let at = Math.ceil((this.#capacity * 4) / 16) * 16;
    const reserve = (values: number): number => {
      const offset = at;
      at += Math.ceil((values * 4) / 16) * 16;
      return offset;
    };
    const queries = reserve(queryCount * width);
    const offsets = Array.from({ length: threads }, () => sizes.map(reserve) as [number, number, number]);
    growMemory(this.#memory, at);
    const buffer = this.#memory.buffer;
    const queryView = new Float32Array(buffer, queries, queryCount * width);
    return offsets.map(([scores, thresholds, hits]) => ({
      queries: queryView,
      scores: new Float32Array(buffer, scores, sizes[0]!),
      thresholds: new Float32Array(buffer, thresholds, sizes[1]!),
      hits: new Int32Array(buffer, hits, sizes[2]!),
    }));
  }
}
