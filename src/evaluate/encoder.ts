/**
 * What evaluation encodes with: a StaticModel, or any async function from texts to
 * vectors (so a teacher and its static model are scored the same way). Vectors of
 * repeated texts are computed once per run.
 */
import { Embeddings } from "../linalg/embeddings.js";
import { StaticModel } from "../model/static-model.js";

/** A function that embeds texts: one vector per text, as arrays or an Embeddings matrix. */
export type EncodeFunction = (texts: string[]) => Promise<Float32Array[] | Embeddings>;

/** Anything `evaluate` can score. */
export type Encoder = StaticModel | EncodeFunction;

/** Embeds texts through an encoder, caching every text's vector for the run. */
export class CachingEncoder {
  readonly #encode: EncodeFunction;
  readonly #cache = new Map<string, Float32Array>();
  readonly #batchSize: number;
  /** Texts actually sent to the encoder (cache misses). */
  encoded = 0;

  constructor(encoder: Encoder, batchSize = 1024) {
    this.#encode = encoder instanceof StaticModel ? async (texts) => encoder.encode(texts) : encoder;
    this.#batchSize = batchSize;
  }

  /** One vector per text, in order. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !this.#cache.has(t)))];
    for (let start = 0; start < missing.length; start += this.#batchSize) {
      const batch = missing.slice(start, start + this.#batchSize);
      const result = await this.#encode(batch);
      const rows = result instanceof Embeddings ? [...result] : result;
      if (rows.length !== batch.length) throw new RangeError(`the encoder returned ${rows.length} vectors for ${batch.length} texts`);
      batch.forEach((text, i) => this.#cache.set(text, rows[i]!));
      this.encoded += batch.length;
    }
    return texts.map((t) => this.#cache.get(t)!);
  }
}

/** Rows stacked into one row-major matrix. */
export function stackRows(rows: readonly Float32Array[]): { data: Float32Array; dim: number } {
  const dim = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => data.set(row, i * dim));
  return { data, dim };
}
