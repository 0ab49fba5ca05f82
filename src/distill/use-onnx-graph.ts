/**
 * USE-lite's TF.js graph rewritten as an ONNX graph, so that ONNX Runtime can run
 * it with native, multi-threaded kernels instead of TensorFlow.js's wasm ones.
 *
 * The TF.js graph (`model.json`) is a two-layer "Kona" transformer behind a sparse
 * input: it scatters the sparse batch into a dense [rows, length] grid, marks the
 * cells that were given, and from there computes
 *
 *     h  = embedding[id] + (embedding[id] + timing(position))     (256 wide)
 *     layer 0: h = attn(LN(h)) + dense(h);        h = h + FFN(LN(h))   (→ 512 wide)
 *     layer 1: h = h + attn(LN(h));               h = h + FFN(LN(h))
 *     v  = tanh(mean over given cells of h · W + b), L2-normalised
 *
 * with 4-head attention whose keys outside the given cells get a −1e9 bias, and
 * LN = layer norm with ε = 1e-6 over the last axis. The TF.js graph gathers the
 * given cells before the FFN and scatters them back; here every cell is computed
 * and the padding ones are simply never read (masked keys, masked mean), which
 * changes no given cell's value. The ONNX graph takes that dense grid directly:
 * `ids` int32 [rows, length] (any id in padding cells) and `mask` float32
 * [rows, length] (1 for given cells), and returns `embeddings` float32 [rows, 512].
 *
 * The weights are looked up by their names in the TF.js weights manifest; a
 * model.json with other names or shapes is refused, not guessed at.
 */
import { ModelFormatError } from "../errors.js";
import { type OnnxNode, type OnnxTensor, encodeOnnxModel } from "../formats/onnx-proto.js";
import type { TfjsGraphFiles } from "./use-files.js";

/** Opset 17: the first with LayerNormalization. */
const OPSET = 17;
const HEADS = 4;
const LAYER_NORM_EPSILON = 1e-6;
const MASKED_KEY_BIAS = -1e9;
/** The TF graph's floor under the squared norm before its rsqrt. */
const NORM_EPSILON = 1e-12;
/** Positions the timing table covers: USE-lite reads at most 128 tokens. */
const TIMING_POSITIONS = 128;

const ENCODER = "module_apply_default/Encoder_en/KonaTransformer/Encode/";
const VARIABLES = "module/Encoder_en/KonaTransformer/Encode/";
const STACK = `${ENCODER}TransformerStack/`;

/** Names of the graph's inputs and output. */
export const USE_ONNX_IDS = "ids";
export const USE_ONNX_MASK = "mask";
export const USE_ONNX_OUTPUT = "embeddings";

/**
 * Builds the serialized ONNX model (ModelProto bytes) of a USE-lite TF.js graph model.
 *
 * @throws ModelFormatError naming a weight that is missing, not float32, quantized or of another shape.
 */
export function buildUseOnnxModel(files: TfjsGraphFiles): Uint8Array {
  const weights = new WeightReader(files);
  const g = new GraphBuilder();

  const embeddings = weights.take("module/Embeddings_en", [-1, 256]);
  const inverseTimescales = weights.take(`${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, [1, 128]);
  const embeddingTable = g.constant("embedding_table", embeddings.dims, embeddings.data);
  const timingTable = g.constant("timing_table", [TIMING_POSITIONS, 256], timingSignal(inverseTimescales.data));

  // Padding cells' keys are pushed out of the softmax; the mean runs over given cells only.
  const keyBias = g.node("Mul", [g.node("Sub", [g.scalar(1), USE_ONNX_MASK]), g.scalar(MASKED_KEY_BIAS)]);
  const keyBias4d = g.node("Unsqueeze", [keyBias, g.ints([1, 2])]);
  const length = g.node("Slice", [g.node("Shape", [USE_ONNX_IDS]), g.ints([1]), g.ints([2])]);
  const timing = g.node("Slice", [timingTable, g.ints([0]), length, g.ints([0])]);
  // The TF graph adds the timed embeddings to the scattered embeddings: the embedding counts twice.
  const embedded = g.node("Gather", [embeddingTable, USE_ONNX_IDS], { axis: { int: 0 } });
  let h = g.node("Add", [embedded, g.node("Add", [embedded, timing])]);

  for (const layer of [0, 1] as const) {
    const width = layer === 0 ? 256 : 512;
    const own = `${ENCODER}Layer_${layer}/TransformerLayer/`;
    const normed = layerNorm(g, weights, `${own}layer_prepostprocess/layer_norm/`, h, width);
    const attention = attend(g, weights, layer, normed, width, keyBias4d);
    // Layer 0 widens 256 → 512: its residual goes through a dense layer first.
    const residual = layer === 0 ? dense(g, weights, `${own}dense/kernel/ConcatPartitions/concat`, `${own}dense/bias/ConcatPartitions/concat`, h, [256, 512]) : h;
    h = g.node("Add", [attention, residual]);
    const ffnIn = layerNorm(g, weights, `${own}FFN/layer_prepostprocess/layer_norm/`, h, 512);
    const ffn = `${STACK}Layer_${layer}/TransformerLayer/FFN/`;
    const hidden = g.node("Relu", [dense(g, weights, `${ffn}conv1/Tensordot/Reshape_1`, `${own}FFN/conv1/bias/ConcatPartitions/concat`, ffnIn, [512, 1536])]);
    h = g.node("Add", [h, dense(g, weights, `${ffn}conv2/Tensordot/Reshape_1`, `${own}FFN/conv2/bias/ConcatPartitions/concat`, hidden, [1536, 512])]);
  }

  // Mean over given cells (the count floored at 1), then tanh layer and L2 normalisation.
  const mask3d = g.node("Unsqueeze", [USE_ONNX_MASK, g.ints([2])]);
  const sum = g.node("ReduceSum", [g.node("Mul", [h, mask3d]), g.ints([1])], { keepdims: { int: 0 } });
  const count = g.node("Max", [g.node("ReduceSum", [USE_ONNX_MASK, g.ints([1])], { keepdims: { int: 1 } }), g.scalar(1)]);
  const tanh = g.node("Tanh", [
    dense(g, weights, "module/Encoder_en/hidden_layers/tanh_layer_0/weights", "module/Encoder_en/hidden_layers/tanh_layer_0/bias", g.node("Div", [sum, count]), [512, 512]),
  ]);
  const squared = g.node("ReduceSum", [g.node("Mul", [tanh, tanh]), g.ints([1])], { keepdims: { int: 1 } });
  g.node("Div", [tanh, g.node("Sqrt", [g.node("Max", [squared, g.scalar(NORM_EPSILON)])])], {}, USE_ONNX_OUTPUT);

  return encodeOnnxModel({
    irVersion: 8,
    opsetImports: [{ domain: "", version: OPSET }],
    producerName: "model2vec",
    docString: `USE-lite converted from ${files.modelPath}`,
    graph: {
      name: "use_lite",
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [
        { name: USE_ONNX_IDS, elemType: "int32", shape: ["rows", "length"] },
        { name: USE_ONNX_MASK, elemType: "float", shape: ["rows", "length"] },
      ],
      outputs: [{ name: USE_ONNX_OUTPUT, elemType: "float", shape: ["rows", 512] }],
    },
  });
}

/** Multi-head self-attention of one layer: fused qkv projection, 4 heads, output projection. */
function attend(g: GraphBuilder, weights: WeightReader, layer: 0 | 1, x: string, width: number, keyBias: string): string {
  const own = `${ENCODER}Layer_${layer}/TransformerLayer/MultiheadAttention/`;
  const variables = `${VARIABLES}Layer_${layer}/TransformerLayer/MultiheadAttention/`;
  const headWidth = width / HEADS;
  // The TF graph's q scale is a stored constant (1/√headWidth); read it rather than recompute it.
  const scale = weights.take(`${STACK}Layer_${layer}/TransformerLayer/MultiheadAttention/mul/y`, []).data[0]!;
  const qkv = dense(g, weights, `${variables}qkv_transform_single/kernel/part_0`, `${own}qkv_transform_single/bias/ConcatPartitions/concat`, x, [width, 3 * width]);
  const [q, k, v] = g.split(qkv, 2, [width, width, width]);
  const heads = (t: string, perm: number[]) => g.node("Transpose", [g.node("Reshape", [t, g.ints([0, 0, HEADS, headWidth])])], { perm: { ints: perm } });
  const scores = g.node("MatMul", [g.node("Mul", [heads(q!, [0, 2, 1, 3]), g.scalar(scale)]), heads(k!, [0, 2, 3, 1])]);
  const weightsPerKey = g.node("Softmax", [g.node("Add", [scores, keyBias])], { axis: { int: -1 } });
  const mixed = g.node("MatMul", [weightsPerKey, heads(v!, [0, 2, 1, 3])]);
  const combined = g.node("Reshape", [g.node("Transpose", [mixed], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, 0, width])]);
  return dense(g, weights, `${variables}output_transform_single/kernel/part_0`, `${own}output_transform_single/bias/ConcatPartitions/concat`, combined, [width, 512]);
}

function layerNorm(g: GraphBuilder, weights: WeightReader, prefix: string, x: string, width: number): string {
  const scale = g.weight(weights.take(`${prefix}layer_norm_scale/ConcatPartitions/concat`, [width]));
  const bias = g.weight(weights.take(`${prefix}layer_norm_bias/ConcatPartitions/concat`, [width]));
  return g.node("LayerNormalization", [x, scale, bias], { axis: { int: -1 }, epsilon: { float: LAYER_NORM_EPSILON } });
}

/** x·W + b; a 1×1 Conv2D kernel [1, 1, in, out] is the same matrix. */
function dense(g: GraphBuilder, weights: WeightReader, kernel: string, bias: string, x: string, [inputs, outputs]: [number, number]): string {
  const w = weights.take(kernel, [inputs, outputs]);
  const b = weights.take(bias, [outputs]);
  return g.node("Add", [g.node("MatMul", [x, g.weight(w)]), g.weight(b)]);
}

/** TF's timing signal: row p is [sin(p·τ), cos(p·τ)] for the 128 inverse timescales τ, computed in float32 like the graph. */
function timingSignal(inverseTimescales: Float32Array): Float32Array {
  const half = inverseTimescales.length;
  const table = new Float32Array(TIMING_POSITIONS * 2 * half);
  for (let p = 0; p < TIMING_POSITIONS; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * inverseTimescales[i]!);
      table[p * 2 * half + i] = Math.sin(angle);
      table[p * 2 * half + half + i] = Math.cos(angle);
    }
  }
  return table;
}

/** Float32 tensors of the TF.js weights manifest, by name. */
class WeightReader {
  readonly #files: TfjsGraphFiles;
  readonly #entries = new Map<string, { shape: number[]; dtype: string; quantized: boolean; offset: number }>();

  constructor(files: TfjsGraphFiles) {
    this.#files = files;
    let offset = 0;
    for (const spec of files.weightSpecs) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      this.#entries.set(spec.name, { shape: spec.shape, dtype: spec.dtype, quantized: spec.quantization !== undefined, offset });
      // Only unquantized 4-byte types are expected; anything else fails in take() before its bytes are read.
      offset += count * 4;
    }
  }

  /** The tensor called `name`, checked against `shape` (−1: any size); a [1, 1, in, out] kernel counts as [in, out]. */
  take(name: string, shape: readonly number[]): { name: string; dims: number[]; data: Float32Array } {
    const path = this.#files.modelPath;
    const entry = this.#entries.get(name);
    if (!entry) throw new ModelFormatError(`${path} has no weight ${name}; it does not look like USE-lite`);
    if (entry.dtype !== "float32" || entry.quantized) {
      throw new ModelFormatError(`${path}: weight ${name} is ${entry.quantized ? "quantized " : ""}${entry.dtype}; expected plain float32`);
    }
    const dims = entry.shape.length === 4 && entry.shape[0] === 1 && entry.shape[1] === 1 ? entry.shape.slice(2) : entry.shape;
    if (dims.length !== shape.length || dims.some((d, i) => shape[i] !== -1 && d !== shape[i])) {
      throw new ModelFormatError(`${path}: weight ${name} has shape [${entry.shape.join(", ")}]; expected [${shape.join(", ")}]`);
    }
    const count = dims.reduce((a, b) => a * b, 1);
    if (entry.offset + count * 4 > this.#files.weightData.byteLength) {
      throw new ModelFormatError(`${path}: the weight shards end before weight ${name}`);
    }
    return { name, dims, data: new Float32Array(this.#files.weightData.slice(entry.offset, entry.offset + count * 4)) };
  }
}

/** Collects nodes and initializers, naming every intermediate value. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  #count = 0;

  node(opType: string, inputs: readonly string[], attributes: OnnxNode["attributes"] = {}, output?: string): string {
    const name = output ?? `${opType.toLowerCase()}_${this.#count++}`;
    this.nodes.push({ opType, inputs, outputs: [name], name, attributes });
    return name;
  }

  split(input: string, axis: number, sizes: readonly number[]): string[] {
    const outputs = sizes.map((_, i) => `split_${this.#count}_${i}`);
    this.nodes.push({ opType: "Split", inputs: [input, this.ints(sizes)], outputs, name: `split_${this.#count++}`, attributes: { axis: { int: axis } } });
    return outputs;
  }

  constant(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dataType: "float", dims, data });
    return name;
  }

  weight(tensor: { name: string; dims: number[]; data: Float32Array }): string {
    return this.constant(tensor.name, tensor.dims, tensor.data);
  }

  scalar(value: number): string {
    return this.constant(`scalar_${this.#count++}`, [], Float32Array.of(value));
  }

  ints(values: readonly number[]): string {
    const name = `ints_${this.#count++}`;
    this.initializers.push({ name, dataType: "int64", dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }
}
