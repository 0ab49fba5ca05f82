/**
 * BPE merge rules over symbol ids: an open-addressing hash from a pair of ids to
 * (rank, merged id), and the merge loop of Rust `tokenizers`' `Word::merge_all`
 * (the same order tokenizers.js produces): repeatedly merge the adjacent pair of
 * lowest rank, the leftmost one on ties, until no adjacent pair has a rule.
 */

const EMPTY = -1;

export class BpeMerges {
  readonly #left: Int32Array;
  readonly #right: Int32Array;
  readonly #rank: Int32Array;
  readonly #merged: Int32Array;
  readonly #mask: number;
  // Scratch for `apply`, grown on demand.
  #prev = new Int32Array(64);
  #next = new Int32Array(64);
  #heap = new Float64Array(64);

  /** A table for up to `capacity` rules. */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.#left = new Int32Array(size).fill(EMPTY);
    this.#right = new Int32Array(size);
    this.#rank = new Int32Array(size);
    this.#merged = new Int32Array(size);
    this.#mask = size - 1;
  }

  /** Adds the rule `left right → merged` at `rank`; a repeated pair keeps its latest rank, as both reference tokenizers do. */
  add(left: number, right: number, merged: number, rank: number): void {
    let slot = hash(left, right) & this.#mask;
    while (this.#left[slot] !== EMPTY && (this.#left[slot] !== left || this.#right[slot] !== right)) slot = (slot + 1) & this.#mask;
    this.#left[slot] = left;
    this.#right[slot] = right;
    this.#rank[slot] = rank;
    this.#merged[slot] = merged;
  }

  /** The slot of the rule for `left right`, or -1. Negative ids (unknown symbols) never merge. */
  #find(left: number, right: number): number {
    if (left < 0 || right < 0) return -1;
    const lefts = this.#left;
    let slot = hash(left, right) & this.#mask;
    for (;;) {
      const l = lefts[slot]!;
      if (l === EMPTY) return -1;
      if (l === left && this.#right[slot] === right) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  /**
   * Merges `symbols[0, count)` in place and returns the new count. A heap of
   * (rank, position) keys, packed as `rank * count + position` in a double, holds
   * candidate pairs; an entry whose pair has changed since it was pushed is skipped.
   */
  apply(symbols: Int32Array, count: number): number {
    if (count < 2) return count;
    if (this.#prev.length < count) {
      const size = Math.max(count, this.#prev.length * 2);
      this.#prev = new Int32Array(size);
      this.#next = new Int32Array(size);
      this.#heap = new Float64Array(size * 2);
    }
    const prev = this.#prev;
    const next = this.#next;
    const ranks = this.#rank;
    const merged = this.#merged;
    let heapSize = 0;
    for (let i = 0; i < count; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < count ? i + 1 : -1;
      if (i + 1 < count) {
        const slot = this.#find(symbols[i]!, symbols[i + 1]!);
        if (slot >= 0) heapSize = this.#push(heapSize, ranks[slot]! * count + i);
      }
    }
    while (heapSize > 0) {
      const key = this.#heap[0]!;
      heapSize = this.#pop(heapSize);
      const rank = Math.floor(key / count);
      const pos = key - rank * count;
      const right = next[pos]!;
      if (right < 0) continue; // removed (-2) or last symbol (-1)
      const slot = this.#find(symbols[pos]!, symbols[right]!);
      if (slot < 0 || ranks[slot] !== rank) continue; // stale: this pair changed
      symbols[pos] = merged[slot]!;
      const after = next[right]!;
      next[pos] = after;
      next[right] = -2;
      if (after >= 0) prev[after] = pos;
      const before = prev[pos]!;
      if (before >= 0) {
        const s = this.#find(symbols[before]!, symbols[pos]!);
        if (s >= 0) heapSize = this.#push(heapSize, ranks[s]! * count + before);
      }
      if (after >= 0) {
        const s = this.#find(symbols[pos]!, symbols[after]!);
        if (s >= 0) heapSize = this.#push(heapSize, ranks[s]! * count + pos);
      }
    }
    // Position 0 is never removed (only right-hand symbols are), so the chain starts there.
    let out = 0;
    for (let i = 0; i >= 0; i = next[i]!) symbols[out++] = symbols[i]!;
    return out;
  }

  #push(size: number, key: number): number {
    if (size === this.#heap.length) {
      const grown = new Float64Array(size * 2);
      grown.set(this.#heap);
      this.#heap = grown;
    }
    const heap = this.#heap;
    let i = size;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p <= key) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = key;
    return size + 1;
  }

  #pop(size: number): number {
    const heap = this.#heap;
    const last = heap[--size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return size;
  }
}

function hash(left: number, right: number): number {
  let h = Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 16;
  return h >>> 0;
}
