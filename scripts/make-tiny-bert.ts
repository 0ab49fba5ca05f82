/**
 * Writes test/fixtures/tiny-bert/{model.onnx, config.json, tokenizer.json}: a
 * two-layer BERT with seeded random weights, exported the way HF exports BERT
 * to ONNX (opset 14, LayerNorm and GELU written out with primitive operators),
 * over the fixture WordPiece tokenizer. Deterministic: every run writes the same bytes.
 *
 *   node --import tsx scripts/make-tiny-bert.ts [outputFolder]
 *
 * The weight builder is exported so tests can rebuild the same weights from the
 * seed and run their own forward pass.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type OnnxNode, type OnnxTensor, encodeOnnxModel } from "../src/formats/onnx-proto.js";
import { mulberry32 } from "../test/fixtures/random.js";
import { wordPieceTokenizerJson } from "../test/fixtures/tokenizers.js";

export const TINY_BERT_SEED = 20_240_601;

export interface TinyBertShape {
  vocabSize: number;
  hidden: number;
  heads: number;
  intermediate: number;
  layers: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** A dense layer y = x·W + b with W stored `inputs × outputs`, row-major (what MatMul expects). */
export interface Dense {
  inputs: number;
  outputs: number;
  weight: Float32Array;
  bias: Float32Array;
}

export interface LayerNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
}

export interface TinyBertLayer {
  query: Dense;
  key: Dense;
  value: Dense;
  attentionOutput: Dense;
  attentionNorm: LayerNormWeights;
  intermediate: Dense;
  output: Dense;
  outputNorm: LayerNormWeights;
}

export interface TinyBertWeights {
  shape: TinyBertShape;
  /** vocabSize × hidden */
  wordEmbeddings: Float32Array;
  /** maxPositions × hidden */
  positionEmbeddings: Float32Array;
  /** typeVocabSize × hidden */
  tokenTypeEmbeddings: Float32Array;
  embeddingNorm: LayerNormWeights;
  layers: TinyBertLayer[];
  pooler: Dense;
}

/** The fixture's dimensions, with the vocabulary of the fixture tokenizer. */
export function tinyBertShape(): TinyBertShape {
  const model = wordPieceTokenizerJson().model as { vocab: Record<string, number> };
  return {
    vocabSize: Object.keys(model.vocab).length,
    hidden: 32,
    heads: 2,
    intermediate: 64,
    layers: 2,
    maxPositions: 64,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  };
}

/**
 * Seeded weights: approximately normal values (Irwin–Hall, sum of 12 uniforms),
 * std 0.1 for dense weights and biases, 0.5 for embeddings, and LayerNorm gains
 * near 1. Uses only arithmetic on mulberry32 output, so it is bit-identical everywhere.
 */
export function tinyBertWeights(shape: TinyBertShape = tinyBertShape(), seed = TINY_BERT_SEED): TinyBertWeights {
  const next = mulberry32(seed);
  const normal = (count: number, std: number, mean = 0): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let k = 0; k < 12; k++) sum += next();
      out[i] = mean + std * (sum - 6);
    }
    return out;
  };
  const dense = (inputs: number, outputs: number): Dense => ({
    inputs,
    outputs,
    weight: normal(inputs * outputs, 0.1),
    bias: normal(outputs, 0.1),
  });
  const norm = (): LayerNormWeights => ({ gamma: normal(shape.hidden, 0.1, 1), beta: normal(shape.hidden, 0.1) });
  const { hidden, intermediate } = shape;
  return {
    shape,
    wordEmbeddings: normal(shape.vocabSize * hidden, 0.5),
    positionEmbeddings: normal(shape.maxPositions * hidden, 0.5),
    tokenTypeEmbeddings: normal(shape.typeVocabSize * hidden, 0.5),
    embeddingNorm: norm(),
    layers: Array.from({ length: shape.layers }, () => ({
      query: dense(hidden, hidden),
      key: dense(hidden, hidden),
      value: dense(hidden, hidden),
      attentionOutput: dense(hidden, hidden),
      attentionNorm: norm(),
      intermediate: dense(hidden, intermediate),
      output: dense(intermediate, hidden),
      outputNorm: norm(),
    })),
    pooler: dense(hidden, hidden),
  };
}

/** A Hugging Face BertConfig for the shape. */
export function tinyBertConfig(shape: TinyBertShape = tinyBertShape()): Record<string, unknown> {
  return {
    architectures: ["BertModel"],
    model_type: "bert",
    attention_probs_dropout_prob: 0.1,
    hidden_act: "gelu",
    hidden_dropout_prob: 0.1,
    hidden_size: shape.hidden,
    initializer_range: 0.1,
    intermediate_size: shape.intermediate,
    layer_norm_eps: shape.layerNormEps,
    max_position_embeddings: shape.maxPositions,
    num_attention_heads: shape.heads,
    num_hidden_layers: shape.layers,
    pad_token_id: 0,
    position_embedding_type: "absolute",
    type_vocab_size: shape.typeVocabSize,
    vocab_size: shape.vocabSize,
  };
}

export interface TinyBertGraphOptions {
  /** Declare a `token_type_ids` input (default true); without it, token type 0 is built in. */
  tokenTypeIds?: boolean;
  /** Output `pooler_output` (default true). */
  pooler?: boolean;
}

/** The ONNX opset the graph is written for. */
export const TINY_BERT_OPSET = 14;

/** Serializes the BERT graph over `weights` as an ONNX model. */
export function tinyBertOnnx(weights: TinyBertWeights, options: TinyBertGraphOptions = {}): Uint8Array {
  const { hidden, heads, maxPositions, vocabSize, typeVocabSize, layerNormEps } = weights.shape;
  const headDim = hidden / heads;
  const g = new GraphBuilder();

  // Shared constants.
  const zero = g.int64("const.zero", [], [0]);
  const one = g.int64("const.one", [], [1]);
  const oneF = g.float("const.one_f", [], [1]);
  const halfF = g.float("const.half_f", [], [0.5]);
  const twoF = g.float("const.two_f", [], [2]);
  const epsF = g.float("const.layer_norm_eps", [], [layerNormEps]);
  const sqrt2 = g.float("const.sqrt2", [], [Math.SQRT2]);
  const scale = g.float("const.attention_scale", [], [Math.sqrt(headDim)]);
  const maskValue = g.float("const.mask_value", [], [-10000]);
  const headsShape = g.int64("const.heads_shape", [4], [0, 0, heads, headDim]);
  const mergedShape = g.int64("const.merged_shape", [3], [0, 0, hidden]);
  const maskAxes = g.int64("const.mask_axes", [2], [1, 2]);

  const layerNorm = (x: string, prefix: string, w: LayerNormWeights): string => {
    const mean = g.node("ReduceMean", [x], { axes: { ints: [-1] }, keepdims: { int: 1 } });
    const centred = g.node("Sub", [x, mean]);
    const variance = g.node("ReduceMean", [g.node("Pow", [centred, twoF])], { axes: { ints: [-1] }, keepdims: { int: 1 } });
    const normalized = g.node("Div", [centred, g.node("Sqrt", [g.node("Add", [variance, epsF])])]);
    const scaled = g.node("Mul", [normalized, g.float(`${prefix}.weight`, [hidden], w.gamma)]);
    return g.node("Add", [scaled, g.float(`${prefix}.bias`, [hidden], w.beta)]);
  };
  const linear = (x: string, prefix: string, d: Dense): string => {
    const product = g.node("MatMul", [x, g.float(`${prefix}.weight`, [d.inputs, d.outputs], d.weight)]);
    return g.node("Add", [product, g.float(`${prefix}.bias`, [d.outputs], d.bias)]);
  };

  // Embeddings: word + position + token type, then LayerNorm.
  const words = g.node("Gather", [g.float("embeddings.word_embeddings.weight", [vocabSize, hidden], weights.wordEmbeddings), "input_ids"]);
  const sequenceLength = g.node("Gather", [g.node("Shape", ["input_ids"]), one], { axis: { int: 0 } });
  const positionIds = g.node("Range", [zero, sequenceLength, one]);
  const positions = g.node("Gather", [g.float("embeddings.position_embeddings.weight", [maxPositions, hidden], weights.positionEmbeddings), positionIds]);
  const typeTable = g.float("embeddings.token_type_embeddings.weight", [typeVocabSize, hidden], weights.tokenTypeEmbeddings);
  const types = g.node("Gather", [typeTable, options.tokenTypeIds === false ? zero : "token_type_ids"]);
  let x = layerNorm(g.node("Add", [g.node("Add", [words, types]), positions]), "embeddings.LayerNorm", weights.embeddingNorm);

  // Additive mask (1 − mask) × −10000, shaped [batch, 1, 1, sequence].
  const maskFloat = g.node("Cast", ["attention_mask"], { to: { int: 1 } });
  const additiveMask = g.node("Unsqueeze", [g.node("Mul", [g.node("Sub", [oneF, maskFloat]), maskValue]), maskAxes]);

  weights.layers.forEach((layer, i) => {
    const p = `encoder.layer.${i}`;
    const split = (t: string, perm: number[]) => g.node("Transpose", [g.node("Reshape", [t, headsShape])], { perm: { ints: perm } });
    const q = split(linear(x, `${p}.attention.self.query`, layer.query), [0, 2, 1, 3]);
    const kT = split(linear(x, `${p}.attention.self.key`, layer.key), [0, 2, 3, 1]);
    const v = split(linear(x, `${p}.attention.self.value`, layer.value), [0, 2, 1, 3]);
    const scores = g.node("Add", [g.node("Div", [g.node("MatMul", [q, kT]), scale]), additiveMask]);
    const probabilities = g.node("Softmax", [scores], { axis: { int: -1 } });
    const context = g.node("Transpose", [g.node("MatMul", [probabilities, v])], { perm: { ints: [0, 2, 1, 3] } });
    const merged = g.node("Reshape", [context, mergedShape]);
    const attention = linear(merged, `${p}.attention.output.dense`, layer.attentionOutput);
    x = layerNorm(g.node("Add", [attention, x]), `${p}.attention.output.LayerNorm`, layer.attentionNorm);
    const inner = linear(x, `${p}.intermediate.dense`, layer.intermediate);
    // GELU: x · 0.5 · (1 + erf(x / √2)), as torch exports it.
    const erf = g.node("Erf", [g.node("Div", [inner, sqrt2])]);
    const gelu = g.node("Mul", [g.node("Mul", [inner, g.node("Add", [erf, oneF])]), halfF]);
    const out = linear(gelu, `${p}.output.dense`, layer.output);
    x = layerNorm(g.node("Add", [out, x]), `${p}.output.LayerNorm`, layer.outputNorm);
  });
  g.nodes.push({ opType: "Identity", inputs: [x], outputs: ["last_hidden_state"], name: "last_hidden_state" });

  const outputs = [{ name: "last_hidden_state", elemType: "float" as const, shape: ["batch_size", "sequence_length", hidden] }];
  if (options.pooler !== false) {
    const first = g.node("Gather", ["last_hidden_state", zero], { axis: { int: 1 } });
    const pooled = linear(first, "pooler.dense", weights.pooler);
    g.nodes.push({ opType: "Tanh", inputs: [pooled], outputs: ["pooler_output"], name: "pooler_output" });
    outputs.push({ name: "pooler_output", elemType: "float", shape: ["batch_size", hidden] });
  }

  const inputNames = ["input_ids", "attention_mask", ...(options.tokenTypeIds === false ? [] : ["token_type_ids"])];
  return encodeOnnxModel({
    irVersion: 7,
    opsetImports: [{ domain: "", version: TINY_BERT_OPSET }],
    producerName: "model2vec-ts make-tiny-bert",
    producerVersion: "1",
    graph: {
      name: "tiny_bert",
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: inputNames.map((name) => ({ name, elemType: "int64" as const, shape: ["batch_size", "sequence_length"] })),
      outputs,
    },
  });
}

/** The three fixture files, by name. */
export function tinyBertFiles(options: TinyBertGraphOptions = {}): Map<string, Uint8Array> {
  const shape = tinyBertShape();
  const text = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  return new Map([
    ["model.onnx", tinyBertOnnx(tinyBertWeights(shape), options)],
    ["config.json", text(tinyBertConfig(shape))],
    ["tokenizer.json", text(wordPieceTokenizerJson())],
  ]);
}

/** Collects nodes and initializers, naming each node's single output after the node. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  #count = 0;

  node(opType: string, inputs: string[], attributes?: OnnxNode["attributes"]): string {
    const name = `/${opType}_${this.#count++}`;
    const output = `${name}_output_0`;
    this.nodes.push({ opType, inputs, outputs: [output], name, ...(attributes ? { attributes } : {}) });
    return output;
  }

  float(name: string, dims: number[], data: ArrayLike<number>): string {
    this.initializers.push({ name, dataType: "float", dims, data: Float32Array.from(data) });
    return name;
  }

  int64(name: string, dims: number[], values: number[]): string {
    this.initializers.push({ name, dataType: "int64", dims, data: BigInt64Array.from(values, BigInt) });
    return name;
  }
}

async function main(): Promise<void> {
  const folder = resolve(process.argv[2] ?? fileURLToPath(new URL("../test/fixtures/tiny-bert/", import.meta.url)));
  await mkdir(folder, { recursive: true });
  for (const [name, bytes] of tinyBertFiles()) {
    await writeFile(join(folder, name), bytes);
    console.log(`${join(folder, name)}: ${bytes.length} bytes`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
