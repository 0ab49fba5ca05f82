/** Token ids of many texts, flattened into one Int32Array with offsets. */
import type { IdSink } from "../tokenizer/tokenizer.js";

/** Ids of text `i` are `ids[offsets[i], offsets[i + 1])`. */
export interface TokenBatch {
  readonly ids: Int32Array;
  readonly offsets: Int32Array;
}

/**
 * Accumulates id lists into a growing Int32Array, so a batch needs no per-text
 * arrays afterwards. It is also an {@link IdSink}: a tokenizer with `encodeInto`
 * appends a text's ids to it directly, then {@link endText} filters them in place.
 */
export class TokenBatchBuilder implements IdSink {
  #ids = new Int32Array(1024);
  #length = 0;
  #offsets: number[] = [0];

  /** Ids appended so far, across the batch. Lowering it discards ids. */
  get length(): number {
    return this.#length;
  }

  set length(value: number) {
    this.#length = Math.min(value, this.#length);
  }

  /** Appends one id of the current text. */
  push(id: number): void {
    if (this.#length === this.#ids.length) this.#grow(this.#length + 1);
    this.#ids[this.#length++] = id;
  }

  /** Ends the current text (its ids pushed since the previous text ended): drops every `skipId`, keeps `limit` ids. */
  endText(skipId: number | null, limit: number): void {
    const ids = this.#ids;
    const start = this.#offsets[this.#offsets.length - 1]!;
    let kept = start;
    for (let i = start; i < this.#length && kept - start < limit; i++) {
      const id = ids[i]!;
      if (id !== skipId) ids[kept++] = id;
    }
    this.#length = kept;
    this.#offsets.push(kept);
  }

  #grow(needed: number): void {
    const grown = new Int32Array(Math.max(this.#ids.length * 2, needed));
    grown.set(this.#ids.subarray(0, this.#length));
    this.#ids = grown;
  }

  /** Appends `ids` as one text, minus every `skipId`, stopping after `limit` kept ids. */
  add(ids: ArrayLike<number>, skipId: number | null, limit: number): void {
    if (this.#ids.length < this.#length + Math.min(ids.length, limit)) this.#grow(this.#length + Math.min(ids.length, limit));
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
