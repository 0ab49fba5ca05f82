/**
 * The block kernels of exact and binary search (dot-block.wat, hamming-block.wat), bound to one
 * memory. Both export `score_block(queries, queryCount, rows, rowCount, width, out, thresholds,
 * hits)`: addresses are byte offsets into the memory, `width` is the values (or 32-bit code
 * words) per row, `out[r * queryCount + q]` receives query q's score for row r, and the rows
 * where some query's score beats `thresholds[q]` are listed in `hits`; it returns their number.
 */
import { compiledModule, instantiate } from "./wasm-runtime.js";

/** A kernel's `score_block` on its memory. */
export type BlockKernel = (
  queries: number,
  queryCount: number,
  rows: number,
  rowCount: number,
  width: number,
  out: number,
  thresholds: number,
  hits: number,
) => number;

/** The `score_block` of the module `base64` (a generated `*-wasm.ts` constant), reading `memory`. */
export function blockKernel(base64: string, memory: WebAssembly.Memory): BlockKernel {
  return (instantiate(compiledModule(base64), memory) as unknown as { score_block: BlockKernel }).score_block;
}
