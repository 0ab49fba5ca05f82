/**
 * Test helpers for deduplication: an encoder over a table of vectors, a generated set with
 * planted near-duplicates, and the brute-force all-pairs greedy definition to compare against.
 */
import { expect } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { rejection } from "../fixtures/errors.js";
import { mulberry32 } from "../fixtures/random.js";
import type { EmbeddingsLike } from "../../src/search/types.js";

/** An encoder (a `SearchEncoder`) that records the texts of each call. */
export interface TableEncoder {
  readonly dim: number;
  readonly calls: string[][];
  encode(texts: string[]): EmbeddingsLike;
}

/** An encoder whose text "v<row>" embeds as row `row` of `vectors`. */
export function tableEncoder(vectors: Float32Array, dim: number): TableEncoder {
  const calls: string[][] = [];
  return {
    dim,
    calls,
    encode(texts: string[]) {
      calls.push(texts);
      const data = new Float32Array(texts.length * dim);
      texts.forEach((text, i) => {
        const row = Number(text.slice(1));
        data.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim);
      });
      return { data, rows: texts.length, dim };
    },
  };
}

/**
 * `rows` vectors of `dim` values, anisotropic like sentence embeddings (a shared direction and
 * decaying variances), where after the first `base` rows each row is a noisy copy of an earlier
 * row, with noise spread so that cosines fall on both sides of 0.9.
 */
export function plantedVectors(rows: number, base: number, dim: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    if (r < base) {
      for (let d = 0; d < dim; d++) out[r * dim + d] = (d === 0 ? 1.5 : 0) + gauss() / Math.sqrt(1 + d / 4);
      continue;
    }
    const source = Math.floor(next() * r);
    const noise = 0.1 + next() * 0.5;
    for (let d = 0; d < dim; d++) out[r * dim + d] = out[source * dim + d]! + noise * gauss() / Math.sqrt(1 + d / 4);
  }
  return out;
}

/** Unit rows as the library stores them: the sum of squares in float64, each value scaled and rounded to float32. */
function unitRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let r = 0; r < vectors.length / dim; r++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += vectors[r * dim + d]! * vectors[r * dim + d]!;
    const scale = sum === 0 ? 0 : 1 / Math.sqrt(sum);
    for (let d = 0; d < dim; d++) out[r * dim + d] = vectors[r * dim + d]! * scale;
  }
  return out;
}

/** What the reference decides for one record. */
export interface ReferenceDecision {
  index: number;
  duplicateOfIndex: number;
  score: number;
  exact: boolean;
}

/**
 * The definition, by brute force: each record against every record kept before it (all
 * columns, every pair scored in full); exact copies share the fate of their first occurrence.
 *
 * @param columns - Per record, its texts (one per column).
 * @param vectorsOf - The raw vectors of each column's texts, `texts.length × dim`.
 * @returns The kept indices and the removed records' decisions, in input order.
 */
export function bruteForceGreedy(
  columns: readonly string[][],
  embed: (texts: string[]) => Float32Array,
  dim: number,
  threshold: number,
): { kept: number[]; removed: ReferenceDecision[] } {
  const n = columns.length;
  const width = columns[0]?.length ?? 0;
  const vectors = Array.from({ length: width }, (_, c) => unitRows(embed(columns.map((texts) => texts[c]!)), dim));
  const firstOfKey = new Map<string, number>();
  const kept: number[] = [];
  const removed: ReferenceDecision[] = [];
  const fate = new Map<number, ReferenceDecision | null>();
  for (let i = 0; i < n; i++) {
    const key = JSON.stringify(columns[i]);
    const first = firstOfKey.get(key);
    if (first !== undefined) {
      const earlier = fate.get(first)!;
      removed.push(earlier === null ? { index: i, duplicateOfIndex: first, score: 1, exact: true } : { ...earlier, index: i });
      continue;
    }
    firstOfKey.set(key, i);
    let best = -Infinity;
    let bestIndex = -1;
    for (const k of kept) {
      let score = Infinity;
      for (let c = 0; c < width; c++) {
        let sum = 0;
        for (let d = 0; d < dim; d++) sum += vectors[c]![i * dim + d]! * vectors[c]![k * dim + d]!;
        score = Math.min(score, sum);
      }
      if (score >= threshold && score > best) {
        best = score;
        bestIndex = k;
      }
    }
    if (bestIndex < 0) {
      kept.push(i);
      fate.set(i, null);
    } else {
      const decision = { index: i, duplicateOfIndex: bestIndex, score: best, exact: false };
      removed.push(decision);
      fate.set(i, decision);
    }
  }
  return { kept, removed };
}

/** Asserts that `promise` rejects with an InvalidInputError whose message contains `message`. */
export async function expectInvalidInput(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error.message).toContain(message);
}
