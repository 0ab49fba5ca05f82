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
}

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

  /** The sum function of one table dtype: float64 `sums[j] += Σ_t weights[t] · row_t[j]` over `count` tokens. */
  summer(dtype: PoolDtype): Sum {
    return dtype === "float32" ? this.#exports.sum_f32 : dtype === "float16" ? this.#exports.sum_f16 : this.#exports.sum_i8;
  }

  /** Float32 `out = sums / count`, scaled to unit length when `normalize` (Python's `x / (‖x‖ + 1e-32)`). */
  finish(sums: number, dim: number, count: number, normalize: boolean, out: number): void {
    this.#exports.finish(sums, dim, count, normalize ? 1 : 0, out);
  }
}
