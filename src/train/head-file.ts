/** head.safetensors: the classifier head's Linear layers as float32 tensors. */
import { ModelFormatError } from "../errors.js";
import { decodeFloat32, readSafetensors } from "../formats/safetensors.js";
import { type TensorToWrite, writeSafetensors } from "../formats/safetensors-writer.js";
import type { ClassifierConfig } from "./classifier-config.js";
import { Mlp } from "./mlp.js";

/** The head tensors file: `head.{layer}.weight` (out × in) and `head.{layer}.bias`. */
export const HEAD_FILE = "head.safetensors";

/** The head's tensors as a safetensors file (PyTorch metadata, as Python writes it). */
export function encodeHead(head: Mlp): Uint8Array {
  const tensors: TensorToWrite[] = head.layers.flatMap((layer, l) => [
    { name: `head.${l}.weight`, dtype: "F32" as const, shape: [layer.outDim, layer.inDim], data: Float32Array.from(layer.weight.value) },
    { name: `head.${l}.bias`, dtype: "F32" as const, shape: [layer.outDim], data: Float32Array.from(layer.bias.value) },
  ]);
  return writeSafetensors(tensors, { format: "pt" });
}

/**
 * Reads a head of `config`'s shape from head.safetensors: every tensor present,
 * of the expected shape, finite, and no other tensors.
 *
 * @throws ModelFormatError naming the tensor at fault.
 */
export function decodeHead(headBytes: Uint8Array, config: ClassifierConfig, seed: number): Mlp {
  const head = new Mlp({ inputDim: config.inputDim, outputDim: config.labels.length, nLayers: config.nLayers, hiddenDim: config.hiddenDim, seed });
  const file = readSafetensors(headBytes, HEAD_FILE);
  const expected = new Set<string>();
  head.layers.forEach((layer, l) => {
    for (const [name, param, shape] of [
      [`head.${l}.weight`, layer.weight, [layer.outDim, layer.inDim]],
      [`head.${l}.bias`, layer.bias, [layer.outDim]],
    ] as const) {
      expected.add(name);
      const tensor = file.tensors.get(name);
      if (!tensor) throw new ModelFormatError(`${HEAD_FILE}: tensor "${name}" is missing (nLayers = ${config.nLayers})`);
      if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
        throw new ModelFormatError(`${HEAD_FILE}: tensor "${name}" has shape ${JSON.stringify(tensor.shape)}, expected ${JSON.stringify(shape)}`);
      }
      const values = decodeFloat32(tensor);
      for (let k = 0; k < values.length; k++) {
        if (!Number.isFinite(values[k]!)) throw new ModelFormatError(`${HEAD_FILE}: tensor "${name}" holds a non-finite value at ${k}`);
      }
      param.value.set(values);
    }
  });
  for (const name of file.tensors.keys()) {
    if (!expected.has(name)) throw new ModelFormatError(`${HEAD_FILE}: unexpected tensor "${name}" for a head of ${config.nLayers} hidden layers`);
  }
  return head;
}
