/**
 * The encode loop itself, shared by `StaticModel` and the encode worker threads:
 * Python's tokenize (cut, drop unknown ids, keep `maxLength`) followed by mean
 * pooling, writing each text's vector straight into the output matrix.
 */
import { type EmbeddingTable, PoolScratch, meanPoolTexts } from "./pooling.js";
import { toWellFormed, truncateCodePoints } from "../tokenizer/text.js";
import { type TokenBatch, TokenBatchBuilder } from "./token-batch.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";

/** What encoding needs from a model. */
export interface EncodeCore {
  readonly tokenizer: Tokenizer;
  readonly unkId: number | null;
  /** Python's median token length in code points; scales the character cut of `maxLength`. */
  readonly medianTokenLength: number;
  readonly source: EmbeddingTable;
}

/** Reusable buffers of one encoding thread. */
export class EncodeScratch {
  readonly builder = new TokenBatchBuilder();
  readonly pool: PoolScratch;

  /** @param region - The thread's scratch region of the kernel memory (see {@link PoolScratch}). */
  constructor(source: EmbeddingTable, region = 0) {
    this.pool = new PoolScratch(source, region);
  }
}

/**
 * Python's tokenize for `texts[first, last)`: cut each text to
 * `maxLength × medianTokenLength` code points, tokenize without special tokens,
 * drop unknown ids, then keep `maxLength` ids.
 */
export function tokenizeRange(
  core: EncodeCore,
  texts: readonly string[],
  first: number,
  last: number,
  maxLength: number | null,
  builder: TokenBatchBuilder,
): TokenBatch {
  builder.reset();
  const { tokenizer } = core;
  const charLimit = maxLength === null ? Infinity : maxLength * core.medianTokenLength;
  const idLimit = maxLength ?? Infinity;
  for (let i = first; i < last; i++) {
    let text = texts[i]!;
    if (text.length === 0) {
      builder.add([], null, 0);
      continue;
    }
    if (charLimit !== Infinity) text = truncateCodePoints(text, charLimit);
    text = toWellFormed(text);
    if (tokenizer.encodeInto) {
      tokenizer.encodeInto(text, builder);
      builder.endText(core.unkId, idLimit);
    } else {
      builder.add(tokenizer.encode(text), core.unkId, idLimit);
    }
  }
  return builder.build();
}

/** Encodes `texts[first, last)` into rows `first … last - 1` of `out` (row-major, `dim` wide). */
export function encodeRange(
  core: EncodeCore,
  texts: readonly string[],
  first: number,
  last: number,
  maxLength: number | null,
  normalize: boolean,
  out: Float32Array,
  scratch: EncodeScratch,
): void {
  const { ids, offsets } = tokenizeRange(core, texts, first, last, maxLength, scratch.builder);
  meanPoolTexts(core.source, ids, offsets, out, first, normalize, scratch.pool);
}
