/** Probabilities from the head's logits. */
import { sigmoid } from "./losses.js";
import type { FloatArray } from "./optimizer.js";

/** Texts run through the encoder and head at once when predicting or validating. */
export const PREDICT_BATCH = 1024;

/** Writes the softmax (single-label) or per-class sigmoid (multi-label) of `logits` (rows × n) into `out` from `offset`. */
export function toProbabilities(logits: FloatArray, n: number, multilabel: boolean, out: Float32Array, offset: number): void {
  const rows = logits.length / n;
  for (let i = 0; i < rows; i++) {
    const base = i * n;
    if (multilabel) {
      for (let c = 0; c < n; c++) out[offset + base + c] = sigmoid(logits[base + c]!);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < n; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < n; c++) sum += Math.exp(logits[base + c]! - max);
    for (let c = 0; c < n; c++) out[offset + base + c] = Math.exp(logits[base + c]! - max) / sum;
  }
}
