/**
 * Where an index keeps a matrix (float32 vectors, or binary codes as 32-bit words) and a scan's
 * scratch (queries, a block of scores), and the kernel that reads them. A WebAssembly kernel can
 * read only its own memory, so with one everything lives in one `WebAssembly.Memory`: the matrix
 * from byte 0, the scratch after the matrix's capacity. Without it (no SIMD,
 * `MODEL2VEC_WASM=off`, a width the kernel does not take) they are plain typed arrays and the
 * JavaScript kernel runs.
 */
import { blockKernel } from "../linalg/wasm/block-kernel.js";
import { createMemory, growMemory, wasmKernelsEnabled } from "../linalg/wasm/wasm-runtime.js";

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
  /** The WebAssembly kernel takes widths that are multiples of this. */
  readonly wasmWidthMultiple: number;
}

/** Storage of one matrix and the kernel that scores it. Values are 32 bits wide. */
export interface ScanMemory {
  readonly kernel: ScoreBlock;
  /** Whether the kernel is WebAssembly. */
  readonly wasm: boolean;
  /**
   * A view of the matrix with room for at least `values` values, keeping the values of the
   * previous view. Views from earlier calls (and from `scratch`) may be stale after it.
   *
   * @throws RangeError when the memory cannot grow that far.
   */
  matrix(values: number): Float32Array;
  /** Room for a scan of `queryCount` queries in blocks of `blockRows` rows; valid until the next call of either method. */
  scratch(queryCount: number, width: number, blockRows: number): ScanScratch;
}

/** The fastest storage this runtime offers for rows `width` values wide. */
export function openScanMemory(width: number, initialValues: number, kernels: KernelPair): ScanMemory {
  return wasmKernelsEnabled() && width % kernels.wasmWidthMultiple === 0
    ? new WasmScanMemory(initialValues, kernels.wasm)
    : new JsScanMemory(initialValues, kernels.js);
}

/** Plain typed arrays and the JavaScript kernel. */
export class JsScanMemory implements ScanMemory {
  readonly kernel: ScoreBlock;
  readonly wasm = false;
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
    return {
      queries: new Float32Array(queryCount * width),
      scores: new Float32Array(queryCount * blockRows),
      thresholds: new Float32Array(queryCount),
      hits: new Int32Array(blockRows),
    };
  }
}

/** One WebAssembly memory holding the matrix and the scratch, scored by a SIMD kernel. */
class WasmScanMemory implements ScanMemory {
  readonly kernel: ScoreBlock;
  readonly wasm = true;
  readonly #memory: WebAssembly.Memory;
  #capacity: number;

  constructor(initialValues: number, module: string) {
    this.#memory = createMemory(initialValues * 4, false);
    this.#capacity = initialValues;
    const kernel = blockKernel(module, this.#memory);
    this.kernel = (queries, queryCount, matrix, first, count, width, out, thresholds, hits) =>
      kernel(queries.byteOffset, queryCount, matrix.byteOffset + first * width * 4, count, width, out.byteOffset, thresholds.byteOffset, hits.byteOffset);
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
    // After the matrix, each part 16-byte aligned.
    const sizes = [queryCount * width, queryCount * blockRows, queryCount, blockRows];
    const offsets: number[] = [];
    let at = Math.ceil((this.#capacity * 4) / 16) * 16;
    for (const size of sizes) {
      offsets.push(at);
      at += Math.ceil((size * 4) / 16) * 16;
    }
    growMemory(this.#memory, at);
    const buffer = this.#memory.buffer;
    return {
      queries: new Float32Array(buffer, offsets[0]!, sizes[0]!),
      scores: new Float32Array(buffer, offsets[1]!, sizes[1]!),
      thresholds: new Float32Array(buffer, offsets[2]!, sizes[2]!),
      hits: new Int32Array(buffer, offsets[3]!, sizes[3]!),
    };
  }
}
