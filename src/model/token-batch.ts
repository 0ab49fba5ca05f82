/** Token ids of many texts, flattened into one Int32Array with offsets. */

/** Ids of text `i` are `ids[offsets[i], offsets[i + 1])`. */
export interface TokenBatch {
  readonly ids: Int32Array;
  readonly offsets: Int32Array;
}

/** Accumulates id lists into a growing Int32Array, so a batch needs no per-text arrays afterwards. */
export class TokenBatchBuilder {
  #ids = new Int32Array(1024);
  #length = 0;
  #offsets: number[] = [0];

  /** Appends `ids` minus every `skipId`, stopping after `limit` kept ids. */
  push(ids: ArrayLike<number>, skipId: number | null, limit: number): void {
    if (this.#ids.length < this.#length + Math.min(ids.length, limit)) {
      const grown = new Int32Array(Math.max(this.#ids.length * 2, this.#length + Math.min(ids.length, limit)));
      grown.set(this.#ids.subarray(0, this.#length));
      this.#ids = grown;
    }
    let kept = 0;
    for (let i = 0; i < ids.length && kept < limit; i++) {
      const id = ids[i]!;
      if (id === skipId) continue;
      this.#ids[this.#length++] = id;
      kept++;
    }
    this.#offsets.push(this.#length);
  }

  /** The batch so far; the builder can be reused after `reset`. */
  build(): TokenBatch {
    return { ids: this.#ids.subarray(0, this.#length), offsets: Int32Array.from(this.#offsets) };
  }

  reset(): void {
    this.#length = 0;
    this.#offsets = [0];
  }
}
