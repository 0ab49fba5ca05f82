/**
 * The classification head: Linear, or [Linear → ReLU] × nLayers → Linear, as
 * model2vec's `construct_head`. Weights are row-major `out × in` (torch's
 * layout). Hidden layers start Kaiming-uniform (gain √2, fan-in), the last layer
 * Xavier-uniform; biases start at zero. All draws come from one seeded stream.
 *
 * Parameters and activations are float64 (the head is small next to the table)
 * so the products run on the register-tiled `gemmNT` kernel of linalg/kernels.
 */
import { InvalidInputError } from "../errors.js";
import { createKernels } from "../linalg/kernels.js";
import { transpose } from "../linalg/transpose.js";
import { mulberry32 } from "../random.js";
import { type FloatArray, Parameter } from "./optimizer.js";

/** One affine layer: y = x·Wᵀ + b. */
export interface LinearLayer {
  readonly inDim: number;
  readonly outDim: number;
  /** outDim × inDim. */
  readonly weight: Parameter;
  /** outDim. */
  readonly bias: Parameter;
}

/** Options of {@link Mlp}. */
export interface MlpOptions {
  inputDim: number;
  outputDim: number;
  /** Hidden Linear → ReLU blocks; 0 for a single Linear. Default 1. */
  nLayers?: number;
  /** Default 512. */
  hiddenDim?: number;
  /** Seed of the initialisation. Default 42. */
  seed?: number;
}

const kernels = createKernels();

export class Mlp {
  readonly layers: readonly LinearLayer[];
  readonly inputDim: number;
  readonly outputDim: number;
  readonly nLayers: number;
  readonly hiddenDim: number;
  /** Inputs of each layer (post-ReLU for hidden ones) from the last training forward. */
  #inputs: Float64Array[] = [];
  #batch = 0;

  constructor(options: MlpOptions) {
    const { inputDim, outputDim } = options;
    const nLayers = options.nLayers ?? 1;
    const hiddenDim = options.hiddenDim ?? 512;
    for (const [name, value, min] of [["inputDim", inputDim, 1], ["outputDim", outputDim, 1], ["nLayers", nLayers, 0], ["hiddenDim", hiddenDim, 1]] as const) {
      if (!Number.isInteger(value) || value < min) throw new InvalidInputError(`Mlp: ${name} must be an integer ≥ ${min}, got ${value}`);
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.nLayers = nLayers;
    this.hiddenDim = hiddenDim;
    const random = mulberry32(options.seed ?? 42);
    const make = (n: number) => new Float64Array(n);
    const dims = [inputDim, ...Array.from({ length: nLayers }, () => hiddenDim), outputDim];
    const layers: LinearLayer[] = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      const inDim = dims[l]!;
      const outDim = dims[l + 1]!;
      const last = l + 2 === dims.length;
      const bound = last ? Math.sqrt(6 / (inDim + outDim)) : Math.sqrt(6 / inDim);
      const weight = make(inDim * outDim);
      for (let k = 0; k < weight.length; k++) weight[k] = (random() * 2 - 1) * bound;
      layers.push({ inDim, outDim, weight: new Parameter(weight), bias: new Parameter(make(outDim)) });
    }
    this.layers = layers;
  }

  /** Every weight and bias, layer by layer. */
  parameters(): Parameter[] {
    return this.layers.flatMap((layer) => [layer.weight, layer.bias]);
  }

  /**
   * Maps `batch` rows of `inputDim` to rows of `outputDim` logits. With `train`,
   * keeps the activations {@link backward} needs (the caller must not modify `x` before then).
   */
  forward(x: FloatArray, options: { train?: boolean } = {}): Float64Array {
    if (x.length % this.inputDim !== 0) throw new InvalidInputError(`Mlp: ${x.length} inputs do not form rows of ${this.inputDim}`);
    const batch = x.length / this.inputDim;
    const train = options.train ?? false;
    if (train) {
      this.#inputs = [];
      this.#batch = batch;
    }
    let current = x instanceof Float64Array ? x : Float64Array.from(x);
    for (let l = 0; l < this.layers.length; l++) {
      const { inDim, outDim, weight, bias } = this.layers[l]!;
      if (train) this.#inputs.push(current);
      const b = bias.value;
      const out = new Float64Array(batch * outDim);
      kernels.gemmNT(current, 0, inDim, weight.value as Float64Array, 0, inDim, out, 0, outDim, batch, outDim, inDim, false);
      const relu = l + 1 < this.layers.length;
      for (let i = 0; i < batch; i++) {
        for (let o = 0; o < outDim; o++) {
          const sum = out[i * outDim + o]! + b[o]!;
          out[i * outDim + o] = relu && sum < 0 ? 0 : sum;
        }
      }
      current = out;
    }
    return current;
  }

  /**
   * Accumulates weight and bias gradients from dL/dlogits of the last training
   * forward, and returns dL/dx (batch × inputDim, float64).
   */
  backward(gradOut: ArrayLike<number>): Float64Array {
    const batch = this.#batch;
    if (gradOut.length !== batch * this.outputDim || this.#inputs.length !== this.layers.length) {
      throw new InvalidInputError(`Mlp.backward: needs a training forward and ${batch * this.outputDim} gradient values, got ${gradOut.length}`);
    }
    let g = gradOut instanceof Float64Array ? gradOut : Float64Array.from(gradOut);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const { inDim, outDim, weight, bias } = this.layers[l]!;
      const input = this.#inputs[l]!;
      const db = bias.grad;
      for (let i = 0; i < batch; i++) for (let o = 0; o < outDim; o++) db[o]! += g[i * outDim + o]!;
      // dW += gᵀ·x, as (gᵀ)(xᵀ)ᵀ.
      kernels.gemmNT(transpose(g, batch, outDim), 0, batch, transpose(input, batch, inDim), 0, batch, weight.grad as Float64Array, 0, inDim, outDim, inDim, batch, false);
      // dx = g·W, as g(Wᵀ)ᵀ.
      const dx = new Float64Array(batch * inDim);
      kernels.gemmNT(g, 0, outDim, transpose(weight.value, outDim, inDim), 0, outDim, dx, 0, inDim, batch, inDim, outDim, false);
      // A hidden layer's input is a ReLU output: its gradient passes only where it is positive.
      if (l > 0) for (let k = 0; k < dx.length; k++) if (input[k]! <= 0) dx[k] = 0;
      g = dx;
    }
    return g;
  }
}
