/** Zipf + SIF token weights (Python model2vec `distill/inference.py`, `compute_weights`). */
import { InvalidInputError } from "../errors.js";

/**
 * Weights `w_i = s / (s + p_i)`, where `p_i ∝ 1 / (i + 2)` is the Zipf probability
 * of the token at rank (id) `i` among `size` tokens. `sifCoefficient` null gives all ones.
 *
 * @throws InvalidInputError unless 0 < sifCoefficient < 1.
 */
export function sifWeights(size: number, sifCoefficient: number | null): Float64Array {
  const weights = new Float64Array(size);
  if (sifCoefficient === null) return weights.fill(1);
  if (!(typeof sifCoefficient === "number" && sifCoefficient > 0 && sifCoefficient < 1)) {
    throw new InvalidInputError(`sifCoefficient must be between 0 and 1 (exclusive), or null, got ${String(sifCoefficient)}`);
  }
  let total = 0;
  for (let i = 0; i < size; i++) total += 1 / (i + 2);
  for (let i = 0; i < size; i++) weights[i] = sifCoefficient / (sifCoefficient + 1 / (i + 2) / total);
  return weights;
}
