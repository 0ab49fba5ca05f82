/**
 * `model2vec/onnx`: ONNX export of a StaticModel, as Python model2vec's `scripts/export_to_onnx.py`
 * does, for ONNX Runtime and transformers.js.
 *
 * The graph has Python's signature: inputs `input_ids` int64 [num_tokens] (the
 * ids of every text, flattened) and `offsets` int64 [batch] (where each text's
 * ids start: `offsets[0] = 0`, non-decreasing, each ≤ num_tokens, as PyTorch's
 * `EmbeddingBag` requires), output `embeddings` float32 [batch, dim]. Unlike
 * Python's `nn.EmbeddingBag` export it honours `mapping` (vocabulary
 * quantization) and `weights` (SIF weights of v0.7–0.8.1 models), and a text
 * with no ids gives a zero row. Standard domain, opset 16 (ONNX Runtime ≥ 1.11):
 * Gather, Unsqueeze, Mul, Shape, Add, ConstantOfShape, ScatterND
 * (reduction "add"), CumSum, Slice, Concat, Sub, Cast, Max, Div, and ReduceL2
 * when normalising.
 *
 * Pooling: a histogram of the offsets, summed with CumSum, gives each token the
 * 1-based index of its text; ScatterND adds every (weighted) row into row
 * `index` of a zero [batch + 1, dim] matrix, whose row 0 (tokens before
 * `offsets[0]`, none for valid input) is dropped; each sum is divided by
 * max(token count, 1). Memory is O(num_tokens × dim), never O(num_tokens × batch).
 * Sums are float32, as PyTorch's `EmbeddingBag` computes them (model2vec's
 * `encode` sums in float64; the two agree to ~1e-7). Normalising divides by
 * max(‖x‖, 1e-12) as `F.normalize` does (`encode` uses ‖x‖ + 1e-32; zero
 * vectors stay zero in both).
 *
 * Tables stored as float16, int8 or any other dtype are written as float32
 * initializers (the ONNX file holds rows × dim × 4 bytes, plus the weights and
 * an int32 mapping), since the in-memory table is float32. Protobuf limits a
 * model to 2 GiB; larger tables (external data) are refused.
 *
 * The ids must come from model2vec's own tokenization (no special tokens,
 * unknown tokens dropped, cut to `maxLength`): {@link onnxInputs} builds them.
 *
 * @packageDocumentation
 */
import { InvalidInputError } from "../errors.js";
import type { StaticModel } from "../model/static-model.js";
import { type OnnxNode, type OnnxTensor, encodeOnnxModel } from "../formats/onnx-proto.js";
import { pythonJson } from "../persistence/save-files.js";

/** Opset 16, the first with ScatterND's `reduction` (Python's export uses 14); ONNX Runtime ≥ 1.11 runs it. */
export const ONNX_EXPORT_OPSET = 16;
/** The path of the graph inside the exported folder, where transformers.js looks for it. */
export const ONNX_MODEL_PATH = "onnx/model.onnx";

/** Options of {@link exportOnnx} and {@link onnxExportFiles}. */
export interface OnnxExportOptions {
  /** The name in the model card; defaults to the folder's name. */
  modelName?: string | undefined;
}

/** The graph's inputs for some texts: flattened ids and the start of each text. */
export interface OnnxInputs {
  inputIds: BigInt64Array;
  offsets: BigInt64Array;
}

const encoder = new TextEncoder();
const INT64_MAX = 0x7fffffffffffffffn;
/** One-element fill values of ConstantOfShape. */
const INT64_ZERO: OnnxTensor = { name: "", dataType: "int64", dims: [1], data: BigInt64Array.of(0n) };
const INT64_ONE: OnnxTensor = { name: "", dataType: "int64", dims: [1], data: BigInt64Array.of(1n) };
const FLOAT_ZERO: OnnxTensor = { name: "", dataType: "float", dims: [1], data: Float32Array.of(0) };
/** Protobuf's hard limit on one serialized message. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;
/** What Python's transformers writes as `model_max_length` when the tokenizer sets none (`int(1e30)`). */
const VERY_LARGE_INTEGER = "1000000000000000019884624838656";

/**
 * Writes the model to `folder` for ONNX Runtime and transformers.js: the files of
 * `savePretrained` (so model2vec still loads the folder), with a `config.json`
 * that also names the graph's dtype for transformers.js, plus `onnx/model.onnx`,
 * `vocab.txt`, `tokenizer_config.json` and `special_tokens_map.json`. Files are
 * written to a temporary folder and renamed into place. Node-only.
 *
 * @throws InvalidInputError when the graph would exceed protobuf's 2 GiB limit.
 */
export async function exportOnnx(model: StaticModel, folder: string, options: OnnxExportOptions = {}): Promise<void> {
  if (typeof folder !== "string" || folder.length === 0) throw new InvalidInputError("exportOnnx needs a folder path");
  const modelName = options.modelName ?? folder.split(/[\\/]/).filter(Boolean).pop() ?? "model2vec-model";
  const files = onnxExportFiles(model, { modelName });
  const { writeFolderAtomically } = await import("../io/write-folder.js");
  await writeFolderAtomically(folder, files);
}

/** The files {@link exportOnnx} writes, by path, with no file system (for browsers or uploads). */
export function onnxExportFiles(model: StaticModel, options: OnnxExportOptions = {}): Map<string, Uint8Array> {
  const files = model.toFiles({ modelName: options.modelName ?? "model2vec-model" });
  const config = JSON.parse(new TextDecoder().decode(files.get("config.json"))) as Record<string, unknown>;
  // Only additions: model2vec's keys stay as they are.
  config.model_type ??= "model2vec";
  config["transformers.js_config"] ??= { dtype: "fp32" };
  files.set("config.json", encoder.encode(pythonJson(config)));
  files.set(ONNX_MODEL_PATH, onnxModelBytes(model));
  files.set("vocab.txt", encoder.encode(model.tokens.map((token) => `${token}\n`).join("")));
  const { tokenizerConfig, specialTokensMap } = tokenizerConfigFiles(model);
  files.set("tokenizer_config.json", encoder.encode(tokenizerConfig));
  files.set("special_tokens_map.json", encoder.encode(pythonJson(specialTokensMap)));
  return files;
}

/**
 * The graph's inputs for `texts`, tokenized exactly as `model.encode` tokenizes them
 * (so running the graph gives `model.encode(texts)`).
 *
 * @param options.maxLength - Tokens kept per text; null for no limit. Default 512, as `encode`.
 */
export function onnxInputs(model: StaticModel, texts: readonly string[], options: { maxLength?: number | null | undefined } = {}): OnnxInputs {
  const ids = model.tokenize(texts, { maxLength: options.maxLength === undefined ? 512 : options.maxLength });
  const total = ids.reduce((sum, row) => sum + row.length, 0);
  const inputIds = new BigInt64Array(total);
  const offsets = new BigInt64Array(ids.length);
  let at = 0;
  ids.forEach((row, i) => {
    offsets[i] = BigInt(at);
    for (const id of row) inputIds[at++] = BigInt(id);
  });
  return { inputIds, offsets };
}

/** Serializes the pooling graph of `model` (see the module comment). */
export function onnxModelBytes(model: StaticModel): Uint8Array {
  const { rows, dim, data } = model.embedding;
  const vocabSize = model.tokens.length;
  const bytes = rows * dim * 4 + (model.weights ? vocabSize * 4 : 0) + (model.mapping ? vocabSize * 4 : 0);
  if (bytes > PROTOBUF_LIMIT - (1 << 20)) {
    throw new InvalidInputError(
      `exportOnnx: the tensors take ${bytes} bytes, over protobuf's 2 GiB limit for one ONNX file; reduce the model (quantizeModel with dimensionality or vocabularyQuantization) first`,
    );
  }

  const initializers: OnnxTensor[] = [
    { name: "embedding_table", dataType: "float", dims: [rows, dim], data },
    { name: "axes_0", dataType: "int64", dims: [1], data: BigInt64Array.of(0n) },
    { name: "axes_1", dataType: "int64", dims: [1], data: BigInt64Array.of(1n) },
    { name: "axis_0", dataType: "int64", dims: [], data: BigInt64Array.of(0n) },
    { name: "one_index", dataType: "int64", dims: [1], data: BigInt64Array.of(1n) },
    { name: "int64_max", dataType: "int64", dims: [1], data: BigInt64Array.of(INT64_MAX) },
    { name: "zero_index", dataType: "int64", dims: [1], data: BigInt64Array.of(0n) },
    { name: "dim", dataType: "int64", dims: [1], data: BigInt64Array.of(BigInt(dim)) },
    { name: "one_f32", dataType: "float", dims: [], data: Float32Array.of(1) },
  ];
  const normalize = model.normalize;
  const nodes: OnnxNode[] = [];
  const node = (opType: string, inputs: string[], output: string, attributes?: OnnxNode["attributes"]): string => {
    nodes.push({ opType, inputs, outputs: [output], name: output, ...(attributes ? { attributes } : {}) });
    return output;
  };

  // Rows of each token, weighted: float32 [num_tokens, dim].
  let rowIds = "input_ids";
  if (model.mapping) {
    initializers.push({ name: "token_mapping", dataType: "int32", dims: [vocabSize], data: model.mapping });
    rowIds = node("Gather", ["token_mapping", "input_ids"], "row_ids", { axis: { int: 0 } });
  }
  let tokenRows = node("Gather", ["embedding_table", rowIds], "token_rows", { axis: { int: 0 } });
  if (model.weights) {
    initializers.push({ name: "token_weights", dataType: "float", dims: [vocabSize], data: model.weights });
    const weights = node("Gather", ["token_weights", "input_ids"], "weights", { axis: { int: 0 } });
    const column = node("Unsqueeze", [weights, "axes_1"], "weights_column");
    tokenRows = node("Mul", [tokenRows, column], "weighted_rows");
  }

  // The text of each token: segment[t] = number of offsets ≤ t (1-based; 0 for tokens before
  // offsets[0]), from a histogram of the offsets and a running sum.
  const numTokens = node("Shape", ["input_ids"], "num_tokens");
  const numTokensPlusOne = node("Add", [numTokens, "one_index"], "num_tokens_plus_one");
  const zeroMarks = node("ConstantOfShape", [numTokensPlusOne], "zero_marks", { value: { tensor: INT64_ZERO } });
  const offsetColumn = node("Unsqueeze", ["offsets", "axes_1"], "offset_column");
  const onesPerText = node("ConstantOfShape", [node("Shape", ["offsets"], "num_texts")], "ones_per_text", { value: { tensor: INT64_ONE } });
  const marks = node("ScatterND", [zeroMarks, offsetColumn, onesPerText], "marks", { reduction: { string: "add" } });
  const running = node("CumSum", [marks, "axis_0"], "running_marks");
  const segments = node("Slice", [running, "zero_index", numTokens, "axes_0"], "segments");
  const segmentColumn = node("Unsqueeze", [segments, "axes_1"], "segment_column");

  // Sum each text's rows into row segment of a [batch + 1, dim] matrix; drop row 0.
  const numTextsPlusOne = node("Add", ["num_texts", "one_index"], "num_texts_plus_one");
  const sumsShape = node("Concat", [numTextsPlusOne, "dim"], "sums_shape", { axis: { int: 0 } });
  const zeroSums = node("ConstantOfShape", [sumsShape], "zero_sums", { value: { tensor: FLOAT_ZERO } });
  const allSums = node("ScatterND", [zeroSums, segmentColumn, tokenRows], "all_sums", { reduction: { string: "add" } });
  const sums = node("Slice", [allSums, "one_index", "int64_max", "axes_0"], "sums");

  // Each text's token count: next offset (or num_tokens for the last) − its offset; at least 1.
  const nextOffsets = node("Slice", ["offsets", "one_index", "int64_max", "axes_0"], "next_offsets");
  const ends = node("Concat", [nextOffsets, numTokens], "ends", { axis: { int: 0 } });
  const counts = node("Sub", [ends, "offsets"], "counts");
  const countsF32 = node("Cast", [counts], "counts_f32", { to: { int: 1 } });
  const divisors = node("Max", [countsF32, "one_f32"], "divisors");
  const divisorColumn = node("Unsqueeze", [divisors, "axes_1"], "divisor_column");
  const means = normalize ? "means" : "embeddings";
  node("Div", [sums, divisorColumn], means);

  if (normalize) {
    initializers.push({ name: "norm_eps", dataType: "float", dims: [], data: Float32Array.of(1e-12) });
    const norms = node("ReduceL2", [means], "norms", { axes: { ints: [1] }, keepdims: { int: 1 } });
    const clamped = node("Max", [norms, "norm_eps"], "clamped_norms");
    node("Div", [means, clamped], "embeddings");
  }

  return encodeOnnxModel({
    irVersion: 8,
    opsetImports: [{ domain: "", version: ONNX_EXPORT_OPSET }],
    producerName: "model2vec",
    docString:
      "Model2Vec static embeddings: mean of embedding_table[mapping[id]] * weights[id] over input_ids[offsets[i]:offsets[i+1]]" +
      (normalize ? ", L2-normalised" : ""),
    graph: {
      name: "model2vec",
      nodes,
      initializers,
      inputs: [
        { name: "input_ids", elemType: "int64", shape: ["num_tokens"] },
        { name: "offsets", elemType: "int64", shape: ["batch_size"] },
      ],
      outputs: [{ name: "embeddings", elemType: "float", shape: ["batch_size", dim] }],
    },
  });
}

/** Special-token roles and the token strings that fill them, in order of preference. */
const SPECIAL_TOKEN_ROLES: readonly [string, readonly string[]][] = [
  ["bos_token", ["<s>", "<|startoftext|>", "<bos>"]],
  ["eos_token", ["</s>", "<|endoftext|>", "<eos>"]],
  ["unk_token", ["[UNK]", "<unk>", "<UNK>"]],
  ["sep_token", ["[SEP]", "</s>"]],
  ["pad_token", ["[PAD]", "<pad>", "<PAD>"]],
  ["cls_token", ["[CLS]", "<s>"]],
  ["mask_token", ["[MASK]", "<mask>"]],
];

interface AddedTokenJson {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

/**
 * `tokenizer_config.json` and `special_tokens_map.json` as `PreTrainedTokenizerFast.save_pretrained`
 * writes them. Python copies the special tokens of the original tokenizer (downloading it); here
 * they are read from tokenizer.json: the model's `unk_token`, then well-known token strings
 * present in the vocabulary. `tokenizer_class` "PreTrainedTokenizerFast" makes both Python's
 * `AutoTokenizer` and transformers.js's load tokenizer.json as it is.
 */
function tokenizerConfigFiles(model: StaticModel): { tokenizerConfig: string; specialTokensMap: Record<string, string> } {
  const json = (model.tokenizer.toJSON() ?? {}) as { added_tokens?: AddedTokenJson[]; model?: { unk_token?: unknown } };
  const present = new Set(model.tokens);
  const specialTokensMap: Record<string, string> = {};
  for (const [role, candidates] of SPECIAL_TOKEN_ROLES) {
    const unk = role === "unk_token" && model.unkTokenId !== null ? model.tokens[model.unkTokenId] : undefined;
    const modelUnk = role === "unk_token" && typeof json.model?.unk_token === "string" ? json.model.unk_token : undefined;
    const token = [unk, modelUnk, ...candidates].find((t): t is string => t !== undefined && present.has(t));
    if (token !== undefined) specialTokensMap[role] = token;
  }
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const added of json.added_tokens ?? []) {
    addedTokensDecoder[String(added.id)] = {
      content: added.content,
      lstrip: added.lstrip ?? false,
      normalized: added.normalized ?? false,
      rstrip: added.rstrip ?? false,
      single_word: added.single_word ?? false,
      special: added.special ?? false,
    };
  }
  const config: Record<string, unknown> = {
    added_tokens_decoder: addedTokensDecoder,
    clean_up_tokenization_spaces: false,
    extra_special_tokens: {},
    model_max_length: "__VERY_LARGE_INTEGER__",
    ...specialTokensMap,
    tokenizer_class: "PreTrainedTokenizerFast",
  };
  // Python writes int(1e30) as an integer literal; JSON.stringify would write 1e+30, a float to Python.
  const tokenizerConfig = pythonJson(config).replace('"__VERY_LARGE_INTEGER__"', VERY_LARGE_INTEGER);
  return { tokenizerConfig, specialTokensMap };
}

