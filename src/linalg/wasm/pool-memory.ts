/**
 * The memory the pooling kernel works in: the embedding table, in its stored dtype,
 * placed there once (the kernel reads rows where they lie, nothing is copied per
 * call), and one scratch region per thread that pools with it.
 *
 * Layout, byte addresses, each part 16-aligned:
 *   ones    - TOKENS_PER_CALL float32 1s: the weights of a model without weights;
 *   regions - per thread: rows (TOKENS_PER_CALL i32), weights (TOKENS_PER_CALL f32),
 *             offsets (TEXTS_PER_CALL + 1 i32), sums (dim f64), out (TEXTS_PER_CALL × dim f32);
 *   table   - rows × dim values.
 * The size is fixed when the memory is made, so typed-array views of it stay valid.
 */
import { type StoredTable, STORED_BYTES } from "../stored-table.js";
import { PoolKernel } from "./pool-kernel.js";
import { createMemory } from "./wasm-runtime.js";

/** Tokens one kernel call sums; a longer text takes several calls into the same sums. */
export const TOKENS_PER_CALL = 4096;

/** Texts one `poolTexts` call pools at most (their tokens also within TOKENS_PER_CALL). */
export const TEXTS_PER_CALL = 64;

/** What a thread needs to find its way in a memory made by another: the memory's shape. */
export interface PoolMemoryLayout {
  readonly dtype: StoredTable["dtype"];
  readonly rows: number;
  readonly dim: number;
  readonly regions: number;
  readonly shared: boolean;
}

/** One thread's scratch: where the kernel finds the texts' row addresses, weights and token offsets, sums, and writes the vectors. */
export interface PoolRegion {
  readonly rowsAddress: number;
  readonly weightsAddress: number;
  readonly offsetsAddress: number;
  readonly sumsAddress: number;
  readonly outAddress: number;
  /** The address of TOKENS_PER_CALL weights of 1. */
  readonly onesAddress: number;
  readonly rows: Int32Array;
  readonly weights: Float32Array;
  /** TEXTS_PER_CALL + 1 token offsets. */
  readonly offsets: Int32Array;
  /** Zero between texts: the memory starts zeroed and the kernel's `finish` zeroes them again. */
  readonly sums: Float64Array;
  /** TEXTS_PER_CALL vectors, `dim` wide. */
  readonly out: Float32Array;
}

const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
const ONES_BYTES = 4 * TOKENS_PER_CALL;
const OFFSETS_BYTES = align(4 * (TEXTS_PER_CALL + 1));
const regionBytes = (dim: number) => 8 * TOKENS_PER_CALL + OFFSETS_BYTES + 8 * dim + align(4 * dim * TEXTS_PER_CALL);

/** An embedding table in kernel memory, with the kernel bound to it. */
export class PoolMemory {
  readonly memory: WebAssembly.Memory;
  readonly layout: PoolMemoryLayout;
  readonly kernel: PoolKernel;
  /** The table, its values a view of the memory. */
  readonly table: StoredTable;
  /** Byte address of the table's first value. */
  readonly tableAddress: number;

  private constructor(memory: WebAssembly.Memory, layout: PoolMemoryLayout) {
    const { dtype, rows, dim, regions, shared } = layout;
    this.memory = memory;
    this.layout = layout;
    this.kernel = new PoolKernel(memory, shared);
    this.tableAddress = ONES_BYTES + regions * regionBytes(dim);
    const buffer = memory.buffer;
    const length = rows * dim;
    const at = this.tableAddress;
    this.table =
      dtype === "float32"
        ? { dtype, rows, dim, values: new Float32Array(buffer, at, length) }
        : dtype === "float16"
          ? { dtype, rows, dim, values: new Uint16Array(buffer, at, length) }
          : { dtype, rows, dim, values: new Int8Array(buffer, at, length) };
  }

  /**
   * Copies `table` into a new memory with `regions` scratch regions (one per thread
   * that will pool). A shared memory can be handed to worker threads ({@link attach}).
   * `table.dim` must be a multiple of 4.
   */
  static create(table: StoredTable, regions: number, shared: boolean): PoolMemory {
    const layout: PoolMemoryLayout = { dtype: table.dtype, rows: table.rows, dim: table.dim, regions, shared };
    const tableBytes = table.rows * table.dim * STORED_BYTES[table.dtype];
    const memory = createMemory(ONES_BYTES + regions * regionBytes(table.dim) + tableBytes, shared);
    const placed = new PoolMemory(memory, layout);
    placed.table.values.set(table.values as never);
    new Float32Array(memory.buffer, 0, TOKENS_PER_CALL).fill(1);
    return placed;
  }

  /** The same memory seen from another thread: `memory` and `layout` as the creating thread has them. */
  static attach(memory: WebAssembly.Memory, layout: PoolMemoryLayout): PoolMemory {
    return new PoolMemory(memory, layout);
  }

  /** Scratch region `index` (0 ≤ index < layout.regions): each thread pooling at the same time needs its own. */
  region(index: number): PoolRegion {
    const rowsAddress = ONES_BYTES + index * regionBytes(this.layout.dim);
    const weightsAddress = rowsAddress + 4 * TOKENS_PER_CALL;
    const offsetsAddress = weightsAddress + 4 * TOKENS_PER_CALL;
    const sumsAddress = offsetsAddress + OFFSETS_BYTES;
    const { dim } = this.layout;
    const outAddress = sumsAddress + 8 * dim;
    const buffer = this.memory.buffer;
    return {
      rowsAddress,
      weightsAddress,
      offsetsAddress,
      sumsAddress,
      outAddress,
      onesAddress: 0,
      rows: new Int32Array(buffer, rowsAddress, TOKENS_PER_CALL),
      weights: new Float32Array(buffer, weightsAddress, TOKENS_PER_CALL),
      offsets: new Int32Array(buffer, offsetsAddress, TEXTS_PER_CALL + 1),
      sums: new Float64Array(buffer, sumsAddress, dim),
      out: new Float32Array(buffer, outAddress, dim * TEXTS_PER_CALL),
    };
  }
}
