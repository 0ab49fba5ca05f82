/** The SIMD exact-search kernel (dot-block.wat), bound to one memory. */
import { DOT_BLOCK_WASM } from "./dot-block-wasm.js";
import { compiledModule, instantiate } from "./wasm-runtime.js";

interface DotBlockExports {
  score_block(queries: number, queryCount: number, rows: number, rowCount: number, dim: number, out: number): void;
}

/** The kernel's function on `memory`. Addresses are byte offsets into it (see dot-block.wat). */
export class DotBlockKernel {
  readonly #exports: DotBlockExports;

  constructor(memory: WebAssembly.Memory) {
    this.#exports = instantiate(compiledModule(DOT_BLOCK_WASM), memory) as unknown as DotBlockExports;
  }

  /**
   * `out[r * queryCount + q] = queries[q] · rows[r]` for `queryCount` queries and `rowCount` rows of
   * `dim` float32 values; `dim` must be a positive multiple of 4.
   */
  scoreBlock(queries: number, queryCount: number, rows: number, rowCount: number, dim: number, out: number): void {
    this.#exports.score_block(queries, queryCount, rows, rowCount, dim, out);
  }
}
