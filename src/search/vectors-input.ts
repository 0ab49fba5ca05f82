/** Turning the caller's vectors into one unit-length, row-major Float32Array. */
import { InvalidInputError } from "../errors.js";
import type { EmbeddingsLike, VectorsInput } from "./types.js";

/** The number of vectors in `vectors`. */
export function vectorCount(vectors: VectorsInput): number {
  return isMatrix(vectors) ? vectors.rows : vectors.length;
}

/**
 * Copies `vectors` (each `dim` long) into `out` from row `row` on, scaled to unit length; a zero
 * vector stays zero (it scores 0 against everything).
 *
 * @param what - Names the vectors in error messages.
 * @throws InvalidInputError for a wrong width or a value that is not finite.
 */
export function writeUnitRows(vectors: VectorsInput, dim: number, out: Float32Array, row: number, what: string): void {
  if (isMatrix(vectors)) {
    if (vectors.dim !== dim) throw new InvalidInputError(`${what}: vectors have ${vectors.dim} dimensions, the index has ${dim}`);
    if (vectors.data.length < vectors.rows * dim) {
      throw new InvalidInputError(`${what}: ${vectors.data.length} values cannot form ${vectors.rows} rows × ${dim}`);
    }
    out.set(vectors.data.subarray(0, vectors.rows * dim), row * dim);
  } else {
    if (!Array.isArray(vectors)) throw new InvalidInputError(`${what}: expected an Embeddings matrix or an array of vectors`);
    vectors.forEach((vector, i) => {
      if (vector === null || typeof vector !== "object" || vector.length !== dim) {
        throw new InvalidInputError(`${what}: vector ${i} has ${vector?.length ?? "no"} values, the index has ${dim} dimensions`);
      }
      out.set(vector, (row + i) * dim);
    });
  }
  const count = vectorCount(vectors);
  for (let i = 0; i < count; i++) {
    const offset = (row + i) * dim;
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += out[offset + d]! * out[offset + d]!;
    if (!Number.isFinite(sum)) throw new InvalidInputError(`${what}: vector ${i} has a value that is not a finite number`);
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let d = 0; d < dim; d++) out[offset + d] = out[offset + d]! * scale;
  }
}

/**
 * `vectors`, or a copy of them when they are views of `buffer`: the index's own memory, which
 * growing would detach (e.g. `index.searchVectors(index.rows())`).
 */
export function independentOf(vectors: VectorsInput, buffer: ArrayBufferLike): VectorsInput {
  if (isMatrix(vectors)) return vectors.data.buffer === buffer ? { data: vectors.data.slice(), rows: vectors.rows, dim: vectors.dim } : vectors;
  return vectors.some((row) => ArrayBuffer.isView(row) && row.buffer === buffer) ? vectors.map((row) => Array.from(row)) : vectors;
}

function isMatrix(vectors: VectorsInput): vectors is EmbeddingsLike {
  return !Array.isArray(vectors) && typeof vectors === "object" && vectors !== null && (vectors as EmbeddingsLike).data instanceof Float32Array;
}
