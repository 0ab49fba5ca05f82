/** Copies of the trainable weights, for restoring the best epoch. */
import type { Mlp } from "./mlp.js";
import type { PooledEncoder } from "./pooled-encoder.js";

export interface Checkpoint {
  table: Float32Array;
  logits: Float32Array;
  head: Float32Array[];
}

export function snapshot(encoder: PooledEncoder, head: Mlp): Checkpoint {
  return {
    table: Float32Array.from(encoder.table.value),
    logits: Float32Array.from(encoder.logits.value),
    head: head.parameters().map((p) => Float32Array.from(p.value)),
  };
}

export function restore(encoder: PooledEncoder, head: Mlp, checkpoint: Checkpoint): void {
  encoder.table.value.set(checkpoint.table);
  encoder.logits.value.set(checkpoint.logits);
  head.parameters().forEach((p, i) => p.value.set(checkpoint.head[i]!));
}
