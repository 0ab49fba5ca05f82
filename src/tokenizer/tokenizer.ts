/**
 * The tokenizer a StaticModel needs: token ids for a text, the vocabulary and the
 * unknown-token id. Adapters implement it over a concrete tokenizer library.
 */
export interface Tokenizer {
  /** Every token string, indexed by id, added tokens included (Python's `get_vocab()` sorted by id). */
  readonly vocabulary: readonly string[];
  /** The unknown token's id, or null when the tokenizer has none. Its ids are dropped at encode time. */
  readonly unkId: number | null;
  /**
   * Token ids of `text` with no special tokens, no padding and no truncation.
   * Ids of pieces the vocabulary cannot represent are reported as `unkId`.
   */
  encode(text: string): ArrayLike<number>;
  /**
   * Optional: appends the ids `encode` would return to `out`. The model's encode
   * uses it to write ids straight into its reusable batch buffer.
   */
  encodeInto?(text: string, out: IdSink): void;
  /** The tokenizer serialised as a `tokenizer.json` document, for saving. */
  toJSON(): unknown;
}

/**
 * Where {@link Tokenizer.encodeInto} appends ids: a `number[]` is one. Setting
 * `length` lower discards the ids after it (a tokenizer may retract a word).
 */
export interface IdSink {
  push(id: number): unknown;
  length: number;
}
