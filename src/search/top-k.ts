/**
 * Bounded top-k selection for a batch of queries, in typed arrays: one min-heap of at most `k`
 * (score, position) pairs per query, whose root is the query's worst kept candidate. A row at a
 * lower position (inserted earlier) beats a later one with the same score, so ties keep insertion
 * order. Nothing is allocated per candidate.
 */

/** The best `k` candidates of each of `queries` queries. */
export class TopK {
  readonly queries: number;
  readonly k: number;
  /** Heap `q` occupies `[q * k, q * k + sizes[q])` of `scores` and `positions`. */
  readonly scores: Float64Array;
  readonly positions: Int32Array;
  readonly sizes: Int32Array;
  /**
   * Per query, the score a candidate must beat to enter: the root's score once the heap is full,
   * -Infinity before. Scanning rows in increasing position, `score > thresholds[q]` is the whole test.
   */
  readonly thresholds: Float64Array;

  constructor(queries: number, k: number) {
    this.queries = queries;
    this.k = k;
    this.scores = new Float64Array(queries * k);
    this.positions = new Int32Array(queries * k);
    this.sizes = new Int32Array(queries);
    this.thresholds = new Float64Array(queries).fill(k > 0 ? -Infinity : Infinity);
  }

  /**
   * Offers a candidate to query `q`'s heap. Candidates may come in any order of position (e.g. when
   * merging partial results): ties are compared by position, not by arrival.
   */
  push(q: number, score: number, position: number): void {
    const k = this.k;
    if (k === 0) return;
    const base = q * k;
    const scores = this.scores;
    const positions = this.positions;
    let size = this.sizes[q]!;
    if (size < k) {
      // Sift up from the new leaf.
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, position, scores[base + parent]!, positions[base + parent]!)) break;
        scores[base + i] = scores[base + parent]!;
        positions[base + i] = positions[base + parent]!;
        i = parent;
      }
      scores[base + i] = score;
      positions[base + i] = position;
      this.sizes[q] = size;
      if (size === k) this.thresholds[q] = scores[base]!;
      return;
    }
    if (!worse(scores[base]!, positions[base]!, score, position)) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && worse(scores[base + right]!, positions[base + right]!, scores[base + left]!, positions[base + left]!)) {
        child = right;
      }
      if (!worse(scores[base + child]!, positions[base + child]!, score, position)) break;
      scores[base + i] = scores[base + child]!;
      positions[base + i] = positions[base + child]!;
      i = child;
    }
    scores[base + i] = score;
    positions[base + i] = position;
    this.thresholds[q] = scores[base]!;
  }

  /** Query `q`'s candidates, best first: positions and scores, as new arrays. */
  sorted(q: number): { positions: Int32Array; scores: Float64Array } {
    const size = this.sizes[q]!;
    const base = q * this.k;
    const order = Array.from({ length: size }, (_, i) => base + i);
    order.sort((a, b) => this.scores[b]! - this.scores[a]! || this.positions[a]! - this.positions[b]!);
    return {
      positions: Int32Array.from(order, (i) => this.positions[i]!),
      scores: Float64Array.from(order, (i) => this.scores[i]!),
    };
  }
}

/** Whether candidate (a, ap) ranks below (b, bp): a lower score, or the same score inserted later. */
function worse(a: number, ap: number, b: number, bp: number): boolean {
  return a < b || (a === b && ap > bp);
}
