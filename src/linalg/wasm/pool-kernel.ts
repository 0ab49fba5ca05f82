/** The SIMD mean-pooling kernel (pool.wat), bound to one memory. */
import { POOL_WASM, POOL_WASM_SHARED } from "./pool-wasm.js";
import { compiledModule, instantiate } from "./wasm-runtime.js";

/** The table dtypes the kernel reads. */
export type PoolDtype = "float32" | "float16" | "int8";

type Sum = (rows: number, weights: number, count: number, dim: number, sums: number) => void;

interface PoolExports {
  sum_f32: Sum;
  sum_f16: Sum;
  sum_i8: Sum;
  finish(sums: number, dim: number, count: number, normalize: number, out: number): void;
  pool_texts(dtype: number, rows: number, weights: number, offsets: number, texts: number, dim: number, normalize: number, sums: number, out: number): void;
}

/** `pool_texts`' code for each table dtype. */
const DTYPE_CODES: Record<PoolDtype, number> = { float32: 0, float16: 1, int8: 2 };

/**
 * The kernel's functions on `memory`. Addresses are byte offsets into it; see
 * pool.wat for the layout of `rows`, `weights` and `sums`. `dim` must be a multiple of 4.
 */
export class PoolKernel {
  readonly memory: WebAssembly.Memory;
  readonly #exports: PoolExports;

  /** @param shared - Whether `memory` is shared (the module variant must match). */
  constructor(memory: WebAssembly.Memory, shared: boolean) {
    this.memory = memory;
    this.#exports = instantiate(compiledModule(shared ? POOL_WASM_SHARED : POOL_WASM), memory) as unknown as PoolExports;
  }

  /** The sum function of one table dtype: float64 `sums[j] += Σ_t weights[t] · row_t[j]` over `count` tokens (sums start at zero: see {@link finish}). */
  summer(dtype: PoolDtype): Sum {
    return dtype === "float32" ? this.#exports.sum_f32 : dtype === "float16" ? this.#exports.sum_f16 : this.#exports.sum_i8;
  }

  /** Float32 `out = sums / count`, scaled to unit length when `normalize` (Python's `x / (‖x‖ + 1e-32)`); leaves `sums` zeroed for the next text. */
  finish(sums: number, dim: number, count: number, normalize: boolean, out: number): void {
    this.#exports.finish(sums, dim, count, normalize ? 1 : 0, out);
  }

  /**
   * The mean of each of `texts` texts, as {@link summer} and {@link finish} give it, in one
   * call: text k's tokens are `[offsets[k], offsets[k + 1])` of `rows` and `weights` (token
   * indices, `texts + 1` i32s at `offsets`), its vector `dim` float32s at `out + 4 · k · dim`
   * (zeros for a text without tokens). `sums` is scratch for `dim` f64s, zero before and after.
   */
  poolTexts(dtype: PoolDtype, rows: number, weights: number, offsets: number, texts: number, dim: number, normalize: boolean, sums: number, out: number): void {
    this.#exports.pool_texts(DTYPE_CODES[dtype], rows, weights, offsets, texts, dim, normalize ? 1 : 0, sums, out);
  }
}
