/** A dense row-major float32 matrix: the type of every encode result. */
import { InvalidInputError } from "../errors.js";

/**
 * `rows × dim` float32 values in one contiguous, row-major Float32Array.
 * `row(i)` is a view, not a copy.
 */
export class Embeddings {
  /** The values, row-major: row `i` is `data[i * dim, (i + 1) * dim)`. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;

  constructor(data: Float32Array, rows: number, dim: number) {
    if (!Number.isInteger(rows) || !Number.isInteger(dim) || rows < 0 || dim < 0 || data.length !== rows * dim) {
      throw new InvalidInputError(`Embeddings: ${data.length} values cannot form ${rows} rows × ${dim} columns`);
    }
    this.data = data;
    this.rows = rows;
    this.dim = dim;
  }

  /**
   * Builds a matrix from nested rows, checking that every row has the same length.
   *
   * @throws InvalidInputError for ragged or non-numeric rows.
   */
  static fromRows(rows: ArrayLike<ArrayLike<number>>, dim?: number): Embeddings {
    const width = dim ?? (rows.length > 0 ? rows[0]!.length : 0);
    const data = new Float32Array(rows.length * width);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row === null || typeof row !== "object" || row.length !== width) {
        throw new InvalidInputError(`row ${i} has ${row?.length ?? "no"} values, expected ${width}`);
      }
      data.set(row, i * width);
    }
    return new Embeddings(data, rows.length, width);
  }

  /** Row `index` as a view into `data`. */
  row(index: number): Float32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.rows) {
      throw new InvalidInputError(`row index ${index} is out of range for ${this.rows} rows`);
    }
    return this.data.subarray(index * this.dim, (index + 1) * this.dim);
  }

  /** The rows as plain nested arrays, e.g. for JSON. */
  toArray(): number[][] {
    const out: number[][] = new Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = Array.from(this.data.subarray(i * this.dim, (i + 1) * this.dim));
    return out;
  }

  /** Iterates over row views. */
  *[Symbol.iterator](): IterableIterator<Float32Array> {
    for (let i = 0; i < this.rows; i++) yield this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }
}
