/**
 * Where an index keeps its matrix and a scan's scratch (normalised queries, a block of scores),
 * and the kernel that reads them. The WebAssembly kernel can read only its own memory, so with
 * it everything lives in one `WebAssembly.Memory`: the matrix from byte 0, the scratch after the
 * matrix's capacity. Without it (no SIMD, `MODEL2VEC_WASM=off`, a width that is not a multiple of
 * 4) they are plain typed arrays and the JavaScript kernel runs.
 */
import { createMemory, growMemory, wasmKernelsEnabled } from "../linalg/wasm/wasm-runtime.js";
import { DotBlockKernel } from "../linalg/wasm/dot-block-kernel.js";
import { scoreBlockJs, type ScoreBlock } from "./score-block.js";

/** Storage of one index and the kernel that scores it. */
export interface ScanMemory {
  readonly kernel: ScoreBlock;
  /** Whether the kernel is WebAssembly. */
  readonly wasm: boolean;
  /**
   * A view of the matrix with room for at least `floats` values, keeping the values of the
   * previous view. Views from earlier calls (and from `scratch`) may be stale after it.
   *
   * @throws RangeError when the memory cannot grow that far.
   */
  matrix(floats: number): Float32Array;
  /** Room for a scan's queries and scores; valid until the next call of either method. */
  scratch(queryFloats: number, scoreFloats: number): { queries: Float32Array; scores: Float32Array };
}

/** The fastest storage this runtime offers for `dim`-wide rows. */
export function openScanMemory(dim: number, initialFloats: number): ScanMemory {
  return wasmKernelsEnabled() && dim % 4 === 0 ? new WasmScanMemory(initialFloats) : new JsScanMemory(initialFloats);
}

/** Plain typed arrays and the JavaScript kernel. */
export class JsScanMemory implements ScanMemory {
  readonly kernel = scoreBlockJs;
  readonly wasm = false;
  #matrix: Float32Array;

  constructor(initialFloats: number) {
    this.#matrix = new Float32Array(initialFloats);
  }

  matrix(floats: number): Float32Array {
    if (floats > this.#matrix.length) {
      // Doubling, so that adding rows one at a time stays linear.
      const grown = new Float32Array(Math.max(floats, 2 * this.#matrix.length));
      grown.set(this.#matrix);
      this.#matrix = grown;
    }
    return this.#matrix;
  }

  scratch(queryFloats: number, scoreFloats: number): { queries: Float32Array; scores: Float32Array } {
    return { queries: new Float32Array(queryFloats), scores: new Float32Array(scoreFloats) };
  }
}

/** One WebAssembly memory holding the matrix and the scratch, scored by the SIMD kernel. */
class WasmScanMemory implements ScanMemory {
  readonly kernel: ScoreBlock;
  readonly wasm = true;
  readonly #memory: WebAssembly.Memory;
  #capacity: number;

  constructor(initialFloats: number) {
    this.#memory = createMemory(initialFloats * 4, false);
    this.#capacity = initialFloats;
    const kernel = new DotBlockKernel(this.#memory);
    this.kernel = (queries, queryCount, matrix, first, count, dim, out) =>
      kernel.scoreBlock(queries.byteOffset, queryCount, matrix.byteOffset + first * dim * 4, count, dim, out.byteOffset);
  }

  matrix(floats: number): Float32Array {
    if (floats > this.#capacity) {
      const capacity = Math.max(floats, 2 * this.#capacity);
      growMemory(this.#memory, capacity * 4);
      this.#capacity = capacity;
    }
    return new Float32Array(this.#memory.buffer, 0, this.#capacity);
  }

  scratch(queryFloats: number, scoreFloats: number): { queries: Float32Array; scores: Float32Array } {
    // 16-byte aligned, after the matrix.
    const queriesAt = Math.ceil((this.#capacity * 4) / 16) * 16;
    const scoresAt = queriesAt + Math.ceil((queryFloats * 4) / 16) * 16;
    growMemory(this.#memory, scoresAt + scoreFloats * 4);
    return {
      queries: new Float32Array(this.#memory.buffer, queriesAt, queryFloats),
      scores: new Float32Array(this.#memory.buffer, scoresAt, scoreFloats),
    };
  }
}
