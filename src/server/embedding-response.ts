/**
 * Encodes a checked request with the model's own `encode` and `tokenCounts`, and
 * writes the OpenAI response body.
 */
import { ApiError } from "./api-error.js";
import { toBase64 } from "./base64.js";
import type { EmbeddingRequest } from "./embedding-request.js";

/** Tokens kept per text, as `StaticModel.encode` does by default. */
const MAX_TOKENS = 512;
/** Texts encoded between yields to the event loop, so one large batch does not stall every other request. */
const CHUNK = 256;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The JSON body answering `request`.
 *
 * @throws ApiError 500 `non_finite_embedding` when a vector holds NaN or Infinity.
 */
export async function embeddingResponse(request: EmbeddingRequest): Promise<string> {
  const { name, model, texts, base64, dimensions } = request;
  const outDim = dimensions ?? model.dim;
  const out = new Float32Array(texts.length * outDim);
  let tokens = 0;
  for (let first = 0; first < texts.length; first += CHUNK) {
    if (first > 0) await nextTask();
    const chunk = texts.slice(first, first + CHUNK);
    // One thread: concurrent requests share the cores better than one request spread over them.
    const vectors = model.encode(chunk, { maxLength: MAX_TOKENS, threads: 1 }).data;
    for (const count of model.tokenCounts(chunk, { maxLength: MAX_TOKENS })) tokens += count;
    if (dimensions === null) out.set(vectors, first * outDim);
    else for (let k = 0; k < chunk.length; k++) truncateNormalized(vectors.subarray(k * model.dim, k * model.dim + dimensions), out, (first + k) * outDim);
  }
  const parts: string[] = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const row = out.subarray(i * outDim, (i + 1) * outDim);
    // NaN and Infinity have no JSON spelling (and would be garbage in base64): answer an error, never invalid JSON.
    if (!allFinite(row)) {
      throw new ApiError(
        500,
        `The embedding of input[${i}] holds NaN or Infinity: the model ${JSON.stringify(name)} has non-finite values in its table.`,
        null,
        "non_finite_embedding",
        "server_error",
      );
    }
    const embedding = base64 ? `"${toBase64(littleEndianBytes(row))}"` : floatArray(row);
    parts[i] = `{"object":"embedding","index":${i},"embedding":${embedding}}`;
  }
  return `{"object":"list","data":[${parts.join(",")}],"model":${JSON.stringify(name)},"usage":{"prompt_tokens":${tokens},"total_tokens":${tokens}}}`;
}

/** Lets other requests run: a macrotask, in every runtime (setImmediate is Node's only). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Writes `head` rescaled to unit length into `out` at `offset` (Matryoshka); a zero vector stays zero. */
function truncateNormalized(head: Float32Array, out: Float32Array, offset: number): void {
  let norm = 0;
  for (let j = 0; j < head.length; j++) norm += head[j]! * head[j]!;
  const scale = 1 / (Math.sqrt(norm) + 1e-32);
  for (let j = 0; j < head.length; j++) out[offset + j] = head[j]! * scale;
}

/**
 * JSON numbers that parse back to the same float32 values: 9 significant digits
 * always round-trip a float32, at about half the bytes of the float64 spelling
 * and the same speed. The caller checks first that every value is finite.
 */
function floatArray(row: Float32Array): string {
  let s = "[";
  for (let j = 0; j < row.length; j++) {
    if (j > 0) s += ",";
    s += row[j]!.toPrecision(9);
  }
  return s + "]";
}

/** Whether no value of `row` is NaN or ±Infinity. */
function allFinite(row: Float32Array): boolean {
  for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j]!)) return false;
  return true;
}

/** The little-endian float32 bytes of `row`, as OpenAI sends them. */
function littleEndianBytes(row: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
  const bytes = new Uint8Array(row.byteLength);
  const view = new DataView(bytes.buffer);
  for (let j = 0; j < row.length; j++) view.setFloat32(j * 4, row[j]!, true);
  return bytes;
}
