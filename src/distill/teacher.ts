/**
 * What distillation needs from a sentence encoder: one vector per token-id
 * sequence. The distiller sorts sequences by length and hands them over in
 * batches (256 by default); adapters pad, run the model and pool.
 */

/**
 * How token outputs become one vector (model2vec `distill/inference.py`, `create_embeddings`). "inner-mean" is the
 * mean of the token outputs without the first and last position (the special
 * tokens, e.g. [CLS] and [SEP]), as tokenlearn's featurize computes its targets
 * (`token_embeddings[1:-1].mean(0)`); a sequence of 2 or fewer tokens pools to zeros.
 */
export type Pooling = "mean" | "first" | "last" | "pooler" | "inner-mean";

export interface Teacher {
  /** A name for the model card and config (`tokenizer_name`, `base_model`): a Hub id or folder name. */
  readonly name: string;
  /** The teacher's licence (a Hugging Face licence identifier), which the distilled model inherits; unknown when absent. */
  readonly license?: string | null | undefined;
  /** Width of the vectors `embed` returns. */
  readonly dim: number;
  /** The teacher's tokenizer.json document (Hugging Face format), which the distilled model inherits. */
  readonly tokenizerJson: Record<string, unknown>;
  /** Pooling modes this teacher supports; the first is its default. */
  readonly poolings: readonly Pooling[];
  /**
   * Embeds each sequence of token ids (special tokens already included) and pools
   * it as `pooling` says. Sequences may differ in length; the adapter pads them.
   *
   * @returns `batch.length × dim` values, row-major.
   */
  embed(batch: readonly Int32Array[], pooling: Pooling): Promise<Float32Array>;
  /** Releases native resources (sessions, tensors). */
  dispose?(): Promise<void>;
}
