/**
 * A trie over UTF-16 code units: node 0 is the root, edges live in one
 * open-addressing hash table, and each node may end a token (its id). It takes
 * inserts at any time; a fixed key set walked in a hot loop is faster in
 * `DoubleArrayTrie`.
 */
export class UnitTrie {
  #edgeNode = new Int32Array(1024).fill(-1);
  #edgeUnit = new Uint16Array(1024);
  #edgeChild = new Int32Array(1024);
  #edgeCount = 0;
  #mask = 1023;
  #terminal: Int32Array = new Int32Array(64).fill(-1);
  #nodeCount = 1;

  get nodeCount(): number {
    return this.#nodeCount;
  }

  /** Inserts `key` ending in token `id` (a later insert of the same key overwrites). */
  insert(key: string, id: number): void {
    let node = 0;
    for (let i = 0; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      let next = this.child(node, unit);
      if (next < 0) {
        next = this.#newNode();
        this.#addEdge(node, unit, next);
      }
      node = next;
    }
    this.#terminal[node] = id;
  }

  /** The child of `node` along `unit`, or -1. */
  child(node: number, unit: number): number {
    const mask = this.#mask;
    let slot = hash(node, unit) & mask;
    const nodes = this.#edgeNode;
    for (;;) {
      const n = nodes[slot]!;
      if (n === -1) return -1;
      if (n === node && this.#edgeUnit[slot] === unit) return this.#edgeChild[slot]!;
      slot = (slot + 1) & mask;
    }
  }

  /** The token id `node` ends, or -1. */
  terminal(node: number): number {
    return this.#terminal[node]!;
  }

  #newNode(): number {
    const node = this.#nodeCount++;
    if (node >= this.#terminal.length) {
      const grown = new Int32Array(this.#terminal.length * 2).fill(-1);
      grown.set(this.#terminal);
      this.#terminal = grown;
    }
    return node;
  }

  #addEdge(node: number, unit: number, child: number): void {
    if ((this.#edgeCount + 1) * 2 > this.#mask + 1) this.#grow();
    let slot = hash(node, unit) & this.#mask;
    while (this.#edgeNode[slot] !== -1) slot = (slot + 1) & this.#mask;
    this.#edgeNode[slot] = node;
    this.#edgeUnit[slot] = unit;
    this.#edgeChild[slot] = child;
    this.#edgeCount++;
  }

  #grow(): void {
    const oldNode = this.#edgeNode;
    const oldUnit = this.#edgeUnit;
    const oldChild = this.#edgeChild;
    const size = (this.#mask + 1) * 2;
    this.#edgeNode = new Int32Array(size).fill(-1);
    this.#edgeUnit = new Uint16Array(size);
    this.#edgeChild = new Int32Array(size);
    this.#mask = size - 1;
    for (let slot = 0; slot < oldNode.length; slot++) {
      const node = oldNode[slot]!;
      if (node === -1) continue;
      let s = hash(node, oldUnit[slot]!) & this.#mask;
      while (this.#edgeNode[s] !== -1) s = (s + 1) & this.#mask;
      this.#edgeNode[s] = node;
      this.#edgeUnit[s] = oldUnit[slot]!;
      this.#edgeChild[s] = oldChild[slot]!;
    }
  }
}

function hash(node: number, unit: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(unit + 1, 0x85ebca6b);
  h ^= h >>> 15;
  return h >>> 0;
}
