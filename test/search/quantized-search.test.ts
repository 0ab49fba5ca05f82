import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { Embeddings } from "../../src/linalg/embeddings.js";
import { VectorIndex } from "../../src/search/vector-index.js";
import { thrown } from "../fixtures/errors.js";
import { mulberry32, randomMatrix } from "../fixtures/random.js";

/** Vectors around 50 random centres, like embeddings of texts on a few topics. */
function clustered(rows: number, dim: number, seed: number): Float32Array {
  const centres = randomMatrix(50, dim, seed);
  const noise = randomMatrix(rows, dim, seed + 1);
  const random = mulberry32(seed + 2);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(random() * 50);
    for (let d = 0; d < dim; d++) out[r * dim + d] = centres[c * dim + d]! + 0.6 * noise[r * dim + d]!;
  }
  return out;
}

describe("quantized (binary code) search", () => {
  const dim = 64;
  const rows = 4000;
  const data = clustered(rows, dim, 3);
  const queries = new Embeddings(clustered(40, dim, 3).map((v, i) => v + 0.01 * Math.sin(i)), 40, dim);

  it("with every row a candidate, answers exactly like exact search", () => {
    const index = VectorIndex.fromVectors(new Embeddings(data, rows, dim));
    expect(index.searchVectors(queries, { k: 10, candidates: rows })).toEqual(index.searchVectors(queries, { k: 10 }));
  });

  it("with 10% of the rows as candidates, finds at least 95% of the exact top 10", () => {
    const index = VectorIndex.fromVectors(new Embeddings(data, rows, dim));
    const exact = index.searchVectors(queries, { k: 10 });
    const quantized = index.searchVectors(queries, { k: 10, candidates: 400 });
    let found = 0;
    quantized.forEach((hits, q) => {
      const truth = new Set(exact[q]!.map((hit) => hit.id));
      found += hits.filter((hit) => truth.has(hit.id)).length;
      // Whatever it finds, it scores exactly.
      for (const hit of hits) {
        const exactScore = index.searchVectors([queries.row(q)], { k: rows })[0]!.find((other) => other.id === hit.id)!.score;
        expect(hit.score).toBeCloseTo(exactScore, 5);
      }
    });
    expect(found / (40 * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("keeps its codes in step with add and remove, and applies the filter", () => {
    const index = VectorIndex.fromVectors(new Embeddings(data.slice(0, 1000 * dim), 1000, dim));
    index.searchVectors(queries, { k: 5, candidates: 50 }); // builds the codes
    index.addVectors(new Embeddings(data.slice(1000 * dim), rows - 1000, dim));
    index.remove(Array.from({ length: 600 }, (_, i) => i * 5));
    const filter = (entry: { id: unknown }) => (entry.id as number) % 2 === 1;
    expect(index.searchVectors(queries, { k: 10, candidates: index.size, filter })).toEqual(index.searchVectors(queries, { k: 10, filter }));
    // The same as an index built from the rows that are left, whose codes are built at once.
    const rebuilt = VectorIndex.fromVectors({ data: index.rows().vectors.slice(), rows: index.size, dim }, { ids: index.ids() });
    expect(index.searchVectors(queries, { k: 10, candidates: 300 })).toEqual(rebuilt.searchVectors(queries, { k: 10, candidates: 300 }));
  });

  it("rejects a candidate count that is not a positive integer", () => {
    const index = VectorIndex.fromVectors([[1, 2]]);
    const error = thrown(() => index.searchVectors([[1, 0]], { candidates: 0 }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain("VectorIndex.search: candidates must be a positive integer, got number 0");
  });
});
