/**
 * The Unigram model of the fast path: Viterbi segmentation of one pre-tokenized
 * piece over a double-array trie of UTF-16 code units, with typed-array buffers
 * reused across calls, giving exactly the tokens of tokenizers.js's `Unigram` model.
 *
 * An unknown character (no piece is exactly it) scores min(score) - 10, as in Rust;
 * tokenizers.js also gives the unknown piece itself that score (Rust keeps the
 * piece's own). The forward pass is Rust's `encode_optimized`: the best score
 * ending at each position. The backward pass is where the two libraries part ways,
 * and this one follows tokenizers.js, which ports Rust's lattice `viterbi()` (Rust
 * uses it only when not optimized): a node picks its predecessor by comparing
 * `predecessor score + node score`, so two paths whose totals differ by an ulp can
 * round to a tie after the addition, and the tie goes to the earlier-starting
 * predecessor. Rust's `encode_optimized` compares before the addition and keeps the
 * strictly better one. `#previous` reproduces the tokenizers.js choice, at no cost
 * unless such a near-tie occurs.
 */
import { DoubleArrayTrie } from "../double-array-trie.js";

/** Rust's kUnkPenalty. */
const UNK_PENALTY = 10;
/** Path id of an unknown character (a lattice node that is no vocabulary piece). */
const UNKNOWN = -1;

export class UnigramModel {
  readonly #trie: DoubleArrayTrie;
  readonly #base: Int32Array;
  readonly #check: Int32Array;
  readonly #terminals: Int32Array;
  /** Score per id, the unknown piece's replaced by the unknown score. */
  readonly #scores: Float64Array;
  readonly #unkScore: number;
  readonly #unkId: number;
  readonly #maxPieceUnits: number;
  // Viterbi state per position of the current piece, grown as needed.
  #best = new Float64Array(256);
  /** Best score among the candidates at this position that came before the first best one. */
  #prior = new Float64Array(256);
  #from = new Int32Array(256);
  #bestId = new Int32Array(256);
  // The chosen path, back to front.
  #pathStart = new Int32Array(256);
  #pathEnd = new Int32Array(256);
  #pathId = new Int32Array(256);

  /**
   * @param pieces - The vocabulary pieces, well-formed, non-empty and distinct.
   * @param scores - Their scores (finite numbers).
   * @param unkId - The unknown piece's id.
   */
  constructor(pieces: readonly string[], scores: readonly number[], unkId: number) {
    let maxPieceUnits = 2;
    let minScore = Infinity;
    for (let id = 0; id < pieces.length; id++) {
      maxPieceUnits = Math.max(maxPieceUnits, pieces[id]!.length);
      minScore = Math.min(minScore, scores[id]!);
    }
    const trie = new DoubleArrayTrie(pieces);
    this.#trie = trie;
    this.#base = trie.base;
    this.#check = trie.check;
    this.#terminals = trie.terminal;
    this.#unkScore = minScore - UNK_PENALTY;
    this.#scores = Float64Array.from(scores);
    this.#scores[unkId] = this.#unkScore;
    this.#unkId = unkId;
    this.#maxPieceUnits = maxPieceUnits;
  }

  /**
   * Appends the ids of `units[lo, hi)` to `out` from `outPos`, with consecutive
   * unknown tokens fused into one as tokenizers.js fuses them.
   *
   * @param out - Must have room for `hi - lo` more ids.
   * @returns The new end of `out`.
   */
  encode(units: Uint16Array, lo: number, hi: number, out: Int32Array, outPos: number): number {
    const n = hi - lo;
    if (n === 0) return outPos;
    this.#forward(units, lo, n);
    const m = this.#backward(units, lo, n);
    return this.#emit(units, lo, m, out, outPos);
  }

  /** Best score ending at each position: Rust's encode_optimized, plus `#prior`. */
  #forward(units: Uint16Array, lo: number, n: number): void {
    if (this.#best.length <= n) this.#grow(n + 1);
    const best = this.#best;
    const prior = this.#prior;
    const from = this.#from;
    const bestId = this.#bestId;
    const base = this.#base;
    const check = this.#check;
    const terminals = this.#terminals;
    const scores = this.#scores;
    from.fill(-1, 1, n + 1);
    best[0] = 0;
    from[0] = 0;
    let s = 0;
    while (s < n) {
      const unit = units[lo + s]!;
      const width = (unit & 0xfc00) === 0xd800 && s + 1 < n && (units[lo + s + 1]! & 0xfc00) === 0xdc00 ? 2 : 1;
      const score = best[s]!;
      let single = false;
      let node = base[0]! + unit;
      if (check[node] !== 0) node = -1;
      let e = s + 1;
      while (node >= 0) {
        const id = terminals[node]!;
        if (id >= 0) {
          const v = score + scores[id]!;
          if (from[e]! < 0) {
            best[e] = v;
            prior[e] = -Infinity;
            from[e] = s;
            bestId[e] = id;
          } else if (v > best[e]!) {
            prior[e] = best[e]!;
            best[e] = v;
            from[e] = s;
            bestId[e] = id;
          }
          if (e - s === width) single = true;
        }
        if (e >= n) break;
        const next = base[node]! + units[lo + e]!;
        node = check[next] === node ? next : -1;
        e++;
      }
      if (!single) {
        // No piece is exactly this character: an unknown node.
        const v = score + this.#unkScore;
        e = s + width;
        if (from[e]! < 0) {
          best[e] = v;
          prior[e] = -Infinity;
          from[e] = s;
          bestId[e] = UNKNOWN;
        } else if (v > best[e]!) {
          prior[e] = best[e]!;
          best[e] = v;
          from[e] = s;
          bestId[e] = UNKNOWN;
        }
      }
      s += width;
    }
  }

  /** Walks the chosen path back from the end into the #path arrays; returns its length. */
  #backward(units: Uint16Array, lo: number, n: number): number {
    const best = this.#best;
    const prior = this.#prior;
    const from = this.#from;
    const bestId = this.#bestId;
    const pathStart = this.#pathStart;
    const pathEnd = this.#pathEnd;
    const pathId = this.#pathId;
    // The end node scores 0, and x + 0 === x: its predecessor is the position's first best.
    let a = from[n]!;
    let id = bestId[n]!;
    pathStart[0] = a;
    pathEnd[0] = n;
    pathId[0] = id;
    let m = 1;
    while (a > 0) {
      const score = id === UNKNOWN ? this.#unkScore : this.#scores[id]!;
      const target = best[a]! + score;
      let p = from[a]!;
      let pid = bestId[a]!;
      if (!(prior[a]! + score < target)) {
        // An earlier candidate may tie once this node's score is added: find the first that does.
        const found = this.#previous(units, lo, a, p, score, target);
        if (found >= 0) {
          p = found;
          pid = this.#nodeId(units, lo, p, a);
        }
      }
      pathStart[m] = p;
      pathEnd[m] = a;
      pathId[m] = pid;
      m++;
      a = p;
      id = pid;
    }
    return m;
  }

  /**
   * The first start p < `limit` of a node [p, a) whose score plus `score` rounds to
   * `target`, or -1 (then the position's first best node is the predecessor).
   */
  #previous(units: Uint16Array, lo: number, a: number, limit: number, score: number, target: number): number {
    const best = this.#best;
    for (let p = Math.max(0, a - this.#maxPieceUnits); p < limit; p++) {
      // Not a code point boundary: the low half of a surrogate pair.
      if (p > 0 && (units[lo + p]! & 0xfc00) === 0xdc00 && (units[lo + p - 1]! & 0xfc00) === 0xd800) continue;
      const id = this.#nodeId(units, lo, p, a);
      if (id === -2) continue;
      const nodeScore = id === UNKNOWN ? this.#unkScore : this.#scores[id]!;
      if (best[p]! + nodeScore + score === target) return p;
    }
    return -1;
  }

  /** The id of the lattice node [p, a): a piece id, UNKNOWN, or -2 when there is none. */
  #nodeId(units: Uint16Array, lo: number, p: number, a: number): number {
    let node = 0;
    for (let k = p; k < a && node >= 0; k++) node = this.#trie.child(node, units[lo + k]!);
    if (node >= 0 && this.#terminals[node]! >= 0) return this.#terminals[node]!;
    const unit = units[lo + p]!;
    const width = (unit & 0xfc00) === 0xd800 && p + 1 < a && (units[lo + p + 1]! & 0xfc00) === 0xdc00 ? 2 : 1;
    return a - p === width ? UNKNOWN : -2;
  }

  /**
   * Writes the path's ids front to back. A run of unknown tokens (unknown characters
   * or the unknown piece) becomes one token, as tokenizers.js's `fuse_unk` makes it:
   * their text is concatenated until it spells the unknown piece, and the result is
   * looked up in the vocabulary (almost always missing: the unknown id).
   */
  #emit(units: Uint16Array, lo: number, m: number, out: Int32Array, outPos: number): number {
    const pathStart = this.#pathStart;
    const pathEnd = this.#pathEnd;
    const pathId = this.#pathId;
    const unkId = this.#unkId;
    const terminals = this.#terminals;
    let w = outPos;
    let k = m - 1;
    while (k >= 0) {
      const id = pathId[k]!;
      if (id !== UNKNOWN && id !== unkId) {
        out[w++] = id;
        k--;
        continue;
      }
      // The fused text, walked in the trie as it grows: -1 once no piece can match.
      let node = this.#walk(units, lo, pathStart[k]!, pathEnd[k]!, 0);
      k--;
      while (k >= 0 && (pathId[k] === UNKNOWN || pathId[k] === unkId)) {
        if (!(node >= 0 && terminals[node] === unkId)) node = this.#walk(units, lo, pathStart[k]!, pathEnd[k]!, node);
        k--;
      }
      const fused = node >= 0 ? terminals[node]! : -1;
      out[w++] = fused >= 0 ? fused : unkId;
    }
    return w;
  }

  #walk(units: Uint16Array, lo: number, start: number, end: number, node: number): number {
    for (let i = start; i < end && node >= 0; i++) node = this.#trie.child(node, units[lo + i]!);
    return node;
  }

  #grow(size: number): void {
    const length = Math.max(size, this.#best.length * 2);
    this.#best = new Float64Array(length);
    this.#prior = new Float64Array(length);
    this.#from = new Int32Array(length);
    this.#bestId = new Int32Array(length);
    this.#pathStart = new Int32Array(length);
    this.#pathEnd = new Int32Array(length);
    this.#pathId = new Int32Array(length);
  }
}
