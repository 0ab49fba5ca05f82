/**
 * A small protobuf encoder for the ONNX messages a plain inference graph needs:
 * ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto(.Tensor) and TensorShapeProto.
 * Field numbers follow onnx/onnx.proto. Output is deterministic: fields are
 * written in a fixed order, repeated scalars unpacked (as the proto2 schema
 * declares them), tensor contents as little-endian `raw_data`.
 */

/** TensorProto.DataType values this encoder writes. */
export const ONNX_DATA_TYPE = { float: 1, int32: 6, int64: 7, bool: 9, double: 11 } as const;
export type OnnxDataType = keyof typeof ONNX_DATA_TYPE;

/** A constant tensor (an initializer or a tensor attribute). */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  /** Empty for a scalar. */
  dims: readonly number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

/** An attribute value; the key names the AttributeProto field it fills. */
export type OnnxAttribute =
  | { int: number }
  | { ints: readonly number[] }
  | { float: number }
  | { floats: readonly number[] }
  | { string: string }
  | { tensor: OnnxTensor };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  /** Empty (the default ONNX domain) unless given. */
  domain?: string;
  /** Written in key order. */
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input or output: a tensor with an element type and a shape of sizes or symbolic names. */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: readonly { domain: string; version: number }[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graph: OnnxGraph;
}

/** Serializes a ModelProto. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int64(1, model.irVersion); // ir_version
  if (model.producerName) w.string(2, model.producerName);
  if (model.producerVersion) w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, encodeGraph(model.graph)); // graph
  for (const opset of model.opsetImports) {
    const o = new ProtoWriter();
    if (opset.domain) o.string(1, opset.domain);
    o.int64(2, opset.version);
    w.message(8, o.finish()); // opset_import
  }
  return w.finish();
}

function encodeGraph(graph: OnnxGraph): Uint8Array {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output));
  return w.finish();
}

function encodeNode(node: OnnxNode): Uint8Array {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.message(5, encodeAttribute(name, value));
  if (node.domain) w.string(7, node.domain);
  return w.finish();
}

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function encodeAttribute(name: string, value: OnnxAttribute): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, name);
  let type: number;
  if ("float" in value) {
    w.float(2, value.float);
    type = ATTRIBUTE_TYPE.float;
  } else if ("int" in value) {
    w.int64(3, value.int);
    type = ATTRIBUTE_TYPE.int;
  } else if ("string" in value) {
    w.bytes(4, new TextEncoder().encode(value.string));
    type = ATTRIBUTE_TYPE.string;
  } else if ("tensor" in value) {
    w.message(5, encodeTensor(value.tensor));
    type = ATTRIBUTE_TYPE.tensor;
  } else if ("floats" in value) {
    for (const f of value.floats) w.float(7, f);
    type = ATTRIBUTE_TYPE.floats;
  } else {
    for (const i of value.ints) w.int64(8, i);
    type = ATTRIBUTE_TYPE.ints;
  }
  w.int64(20, type); // type (enum, varint)
  return w.finish();
}

function encodeTensor(tensor: OnnxTensor): Uint8Array {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== count) {
    throw new RangeError(`tensor ${tensor.name}: ${tensor.data.length} values for shape [${tensor.dims.join(", ")}]`);
  }
  const w = new ProtoWriter();
  for (const dim of tensor.dims) w.int64(1, dim); // dims
  w.int64(2, ONNX_DATA_TYPE[tensor.dataType]); // data_type
  w.string(8, tensor.name); // name
  w.bytes(9, littleEndianBytes(tensor.data)); // raw_data
  return w.finish();
}

function encodeValueInfo(info: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === "number") d.int64(1, dim); // dim_value
    else d.string(2, dim); // dim_param
    shape.message(1, d.finish());
  }
  const tensorType = new ProtoWriter();
  tensorType.int64(1, ONNX_DATA_TYPE[info.elemType]); // elem_type
  tensorType.message(2, shape.finish()); // shape
  const type = new ProtoWriter();
  type.message(1, tensorType.finish()); // tensor_type
  const w = new ProtoWriter();
  w.string(1, info.name);
  w.message(2, type.finish());
  return w.finish();
}

function littleEndianBytes(data: OnnxTensor["data"]): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (data instanceof Float64Array) data.forEach((v, i) => view.setFloat64(i * 8, v, true));
  else if (data instanceof Int32Array) data.forEach((v, i) => view.setInt32(i * 4, v, true));
  else if (data instanceof BigInt64Array) data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  else bytes.set(data);
  return bytes;
}

/** Protobuf wire format: varints (0), 32-bit (5) and length-delimited (2) fields. */
class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  int64(field: number, value: number | bigint): void {
    this.#tag(field, 0);
    this.#varint(BigInt.asUintN(64, BigInt(value)));
  }

  float(field: number, value: number): void {
    this.#tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#push(bytes);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): void {
    this.#tag(field, 2);
    this.#varint(BigInt(value.length));
    this.#push(value);
  }

  message(field: number, encoded: Uint8Array): void {
    this.bytes(field, encoded);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  #tag(field: number, wireType: number): void {
    this.#varint(BigInt(field * 8 + wireType));
  }

  #varint(value: bigint): void {
    const bytes: number[] = [];
    do {
      let byte = Number(value & 0x7fn);
      value >>= 7n;
      if (value !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (value !== 0n);
    this.#push(Uint8Array.from(bytes));
  }

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }
}
