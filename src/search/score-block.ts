/**
 * The JavaScript kernel of the exact scan: dot products of a batch of queries with a block of
 * rows. It is the fallback where WebAssembly SIMD is unavailable, and the reference the
 * WebAssembly kernel (dot-block.wat) is tested against.
 */
import { DOT_BLOCK_WASM, DOT_BLOCK_WASM_SHARED } from "../linalg/wasm/dot-block-wasm.js";
import { createKernels } from "../linalg/kernels.js";
import { type KernelPair, listHits, type ScoreBlock } from "./scan-memory.js";

const searchKernels = createKernels();

/**
 * {@link ScoreBlock} in plain JavaScript: the product of the block's rows with the queries'
 * transpose by the PCA kernels' `gemmNT` (4 × 2 register tiles, float64 sums), on an instance
 * of its own so that its call sites see only Float32Arrays.
 */
export const scoreBlockJs: ScoreBlock = (queries, queryCount, matrix, first, count, dim, out, thresholds, hits) => {
  out.fill(0, 0, count * queryCount);
  searchKernels.gemmNT(matrix, first * dim, dim, queries, 0, dim, out, 0, queryCount, count, queryCount, dim, false);
  return listHits(out, queryCount, count, thresholds, hits);
};

/** The exact kernel in both forms. */
export const DOT_KERNELS: KernelPair = { js: scoreBlockJs, wasm: DOT_BLOCK_WASM, wasmShared: DOT_BLOCK_WASM_SHARED, wasmWidthMultiple: 4 };
