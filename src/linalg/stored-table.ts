/** An embedding table kept in the dtype it was stored in, and its float32 decoding. */
import { float16ToFloat32 } from "../formats/float16.js";
import { Embeddings } from "./embeddings.js";

/**
 * A `rows × dim` embedding table, row-major, in its stored form: float32 values,
 * float16 bit patterns, or int8 values (Python model2vec stores int8 tables with
 * no scale, and pools the raw integers). Encoding reads this form directly, so a
 * float16 model holds half and an int8 model a quarter of the float32 bytes.
 */
export type StoredTable =
  | { readonly dtype: "float32"; readonly values: Float32Array; readonly rows: number; readonly dim: number }
  | { readonly dtype: "float16"; readonly values: Uint16Array; readonly rows: number; readonly dim: number }
  | { readonly dtype: "int8"; readonly values: Int8Array; readonly rows: number; readonly dim: number };

/** The dtypes a {@link StoredTable} can hold. */
export type StoredDtype = StoredTable["dtype"];

/** Bytes per value of each stored dtype. */
export const STORED_BYTES: Readonly<Record<StoredDtype, number>> = { float32: 4, float16: 2, int8: 1 };

/** The table as float32: `values` itself for a float32 table, else a decoded copy. */
export function decodeStoredTable(table: StoredTable): Embeddings {
  const data =
    table.dtype === "float32" ? table.values : table.dtype === "float16" ? float16ToFloat32(table.values) : Float32Array.from(table.values);
  return new Embeddings(data, table.rows, table.dim);
}
