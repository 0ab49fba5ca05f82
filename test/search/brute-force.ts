/** The reference every search test compares with: cosine to every row in float64, fully sorted. */

/** Best-first (position, score) of each row for one query; equal scores keep row order. */
export function bruteForceRanking(matrix: Float32Array, dim: number, query: ArrayLike<number>): { position: number; score: number }[] {
  const rows = matrix.length / dim;
  const queryNorm = Math.sqrt(Array.from(query).reduce((sum, v) => sum + v * v, 0));
  const ranked = Array.from({ length: rows }, (_, position) => {
    let dot = 0;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      dot += matrix[position * dim + d]! * query[d]!;
      norm += matrix[position * dim + d]! ** 2;
    }
    return { position, score: norm === 0 || queryNorm === 0 ? 0 : dot / Math.sqrt(norm) / queryNorm };
  });
  return ranked.sort((a, b) => b.score - a.score || a.position - b.position);
}

/** Row `i` of a row-major matrix. */
export function rowOf(matrix: Float32Array, dim: number, i: number): Float32Array {
  return matrix.subarray(i * dim, (i + 1) * dim);
}
