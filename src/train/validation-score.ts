/** The validation loss and metric `fit` watches after each epoch. */
import type { Mlp } from "./mlp.js";
import type { PooledEncoder } from "./pooled-encoder.js";
import { PREDICT_BATCH } from "./probabilities.js";
import { lossOf, selectTargets } from "./targets.js";
import type { ValidationData } from "./validation-split.js";

/**
 * The mean loss and metric over the validation set: accuracy (single-label) or
 * the sample-averaged Jaccard of the labels with σ > 0.5 (multi-label).
 */
export function validationScore(encoder: PooledEncoder, head: Mlp, validation: ValidationData, n: number, weights: Float64Array | null): { loss: number; metric: number } {
  const { ids, targets } = validation;
  let lossSum = 0;
  let metricSum = 0;
  const count = ids.length;
  for (let first = 0; first < count; first += PREDICT_BATCH) {
    const rows = Array.from({ length: Math.min(PREDICT_BATCH, count - first) }, (_, k) => first + k);
    const chunkTargets = selectTargets(targets, rows, n);
    const logits = head.forward(encoder.forward(rows.map((i) => ids[i]!)));
    lossSum += lossOf(logits, chunkTargets, n, weights).loss * rows.length;
    for (let k = 0; k < rows.length; k++) {
      if (chunkTargets.kind === "single") {
        let arg = 0;
        for (let c = 1; c < n; c++) if (logits[k * n + c]! > logits[k * n + arg]!) arg = c;
        if (arg === chunkTargets.index[k]) metricSum++;
      } else {
        // Jaccard of the predicted (σ > 0.5 ⇔ logit > 0) and true label sets; 0 when both are empty (sklearn).
        let inter = 0;
        let union = 0;
        for (let c = 0; c < n; c++) {
          const p = logits[k * n + c]! > 0;
          const t = chunkTargets.indicator[k * n + c]! > 0.5;
          if (p && t) inter++;
          if (p || t) union++;
        }
        metricSum += union === 0 ? 0 : inter / union;
      }
    }
  }
  // The sample mean (Lightning averages per-batch means, the same for equal-sized batches).
  return { loss: lossSum / count, metric: metricSum / count };
}
