/**
 * A word → ids cache keyed by the word's UTF-16 units in place in the source
 * text, so a hit costs one hash, one compare and a copy, with no substring.
 * Bounded like Rust `tokenizers`' BPE cache: once full it stops inserting.
 */

/** Words longer than this (in UTF-16 units) are not cached, as long words rarely repeat. */
export const MAX_CACHED_UNITS = 256;

export class WordCache {
  readonly #capacity: number;
  // Slots hold entry + 1 (0 is empty); the table is kept at most half full.
  #slots = new Int32Array(2048);
  #mask = 2047;
  // Entry fields, indexed by entry number; grown with the slots up to `capacity`.
  #hash = new Int32Array(1024);
  #keyStart = new Int32Array(1024);
  #keyLength = new Int32Array(1024);
  #idStart = new Int32Array(1024);
  #idLength = new Int32Array(1024);
  #keys = new Uint16Array(8192);
  #keysUsed = 0;
  #ids = new Int32Array(4096);
  #idsUsed = 0;
  #count = 0;

  /** A cache holding at most `capacity` words; its tables start small and grow as words arrive. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The id pool; an entry's ids are `ids[idStart(e), idStart(e) + idLength(e))`. Replaced when it grows. */
  get ids(): Int32Array {
    return this.#ids;
  }

  idStart(entry: number): number {
    return this.#idStart[entry]!;
  }

  idLength(entry: number): number {
    return this.#idLength[entry]!;
  }

  /** The entry of `text[start, end)` (whose `hashUnits` is `h`), or -1. */
  find(text: string, start: number, end: number, h: number): number {
    const length = end - start;
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = h & mask;
    for (;;) {
      const e = slots[slot]! - 1;
      if (e < 0) return -1;
      if (this.#hash[e] === h && this.#keyLength[e] === length) {
        const keys = this.#keys;
        let k = this.#keyStart[e]! - start;
        let i = start;
        while (i < end && keys[k + i] === text.charCodeAt(i)) i++;
        if (i === end) return e;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Stores `ids[from, from + count)` for `text[start, end)` unless the cache is full. Call only after a miss. */
  add(text: string, start: number, end: number, h: number, ids: Int32Array, from: number, count: number): void {
    if (this.#count >= this.#capacity) return;
    if (this.#count === this.#hash.length) this.#growEntries();
    const length = end - start;
    if (this.#keysUsed + length > this.#keys.length) this.#keys = grow16(this.#keys, this.#keysUsed + length);
    if (this.#idsUsed + count > this.#ids.length) this.#ids = grow32(this.#ids, this.#idsUsed + count);
    const e = this.#count++;
    this.#hash[e] = h;
    this.#keyStart[e] = this.#keysUsed;
    this.#keyLength[e] = length;
    this.#idStart[e] = this.#idsUsed;
    this.#idLength[e] = count;
    const keys = this.#keys;
    for (let i = start; i < end; i++) keys[this.#keysUsed++] = text.charCodeAt(i);
    this.#ids.set(ids.subarray(from, from + count), this.#idsUsed);
    this.#idsUsed += count;
    let slot = h & this.#mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.#slots[slot] = e + 1;
  }

  /** Doubles the entry arrays and the slot table, re-slotting entries by their stored hashes. */
  #growEntries(): void {
    const size = this.#hash.length * 2;
    this.#hash = grow32(this.#hash, size);
    this.#keyStart = grow32(this.#keyStart, size);
    this.#keyLength = grow32(this.#keyLength, size);
    this.#idStart = grow32(this.#idStart, size);
    this.#idLength = grow32(this.#idLength, size);
    this.#slots = new Int32Array(size * 2);
    this.#mask = size * 2 - 1;
    for (let e = 0; e < this.#count; e++) {
      let slot = this.#hash[e]! & this.#mask;
      while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
      this.#slots[slot] = e + 1;
    }
  }
}

/** The hash `WordCache` keys on: FNV-1a-style over the units of `text[start, end)`. */
export function hashUnits(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) | 0;
}

function grow16(array: Uint16Array, needed: number) {
  const grown = new Uint16Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

function grow32(array: Int32Array, needed: number) {
  const grown = new Int32Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}
