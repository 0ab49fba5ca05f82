/**
 * Runs every token's input ids through the teacher (model2vec `distill/inference.py`, `create_embeddings`):
 * sequences sorted by length so batches pad little, rows put back in token order,
 * NaN and infinities replaced as `np.nan_to_num` does.
 */
import { Model2VecError } from "../errors.js";
import type { Pooling, Teacher } from "./teacher.js";

/** Progress of a distillation stage. */
export interface DistillProgress {
  stage: "teacher" | "pca" | "quantize";
  done: number;
  total: number;
}

export interface EmbedTokensOptions {
  pooling: Pooling;
  batchSize: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: DistillProgress) => void) | undefined;
}

/** One teacher vector per input, `inputs.length × teacher.dim`, row-major. */
export async function embedTokens(teacher: Teacher, inputs: readonly Int32Array[], options: EmbedTokensOptions): Promise<Float32Array> {
  const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.length - inputs[b]!.length || a - b);
  const dim = teacher.dim;
  const out = new Float32Array(inputs.length * dim);
  for (let start = 0; start < order.length; start += options.batchSize) {
    options.signal?.throwIfAborted();
    const indices = order.slice(start, start + options.batchSize);
    const rows = await teacher.embed(indices.map((i) => inputs[i]!), options.pooling);
    if (rows.length !== indices.length * dim) {
      throw new Model2VecError(`teacher ${teacher.name} returned ${rows.length} values for ${indices.length} sequences of width ${dim}`);
    }
    indices.forEach((target, k) => out.set(rows.subarray(k * dim, (k + 1) * dim), target * dim));
    options.onProgress?.({ stage: "teacher", done: Math.min(start + options.batchSize, order.length), total: order.length });
  }
  return nanToNum(out);
}

/** `np.nan_to_num` for float32: NaN → 0, ±Infinity → ±max float32. */
function nanToNum(values: Float32Array): Float32Array {
  const max = 3.4028234663852886e38;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) values[i] = 0;
    else if (v === Infinity) values[i] = max;
    else if (v === -Infinity) values[i] = -max;
  }
  return values;
}
