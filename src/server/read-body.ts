/**
 * The request body as JSON, read from the body stream with a byte cap (a larger
 * body is refused after at most `maxBytes` bytes were held), and its nesting checked
 * before `JSON.parse`.
 */
import { ApiError } from "./api-error.js";
import { nestedDeeperThan } from "./json-depth.js";

/** Deepest JSON nesting accepted; a valid request needs 2 (`{"input":[…]}`), token ids 3 (refused later, with a clear message). */
const MAX_JSON_DEPTH = 16;

/**
 * Parses the body of `request` as JSON, whatever its content type (curl -d sends form-urlencoded).
 *
 * @throws ApiError 413 past `maxBytes`; 400 for an empty body, JSON nested too deep, or invalid JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = await readText(request, maxBytes);
  if (text.trim() === "") throw new ApiError(400, "The request body is empty; send a JSON object.");
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new ApiError(400, `The request body is JSON nested deeper than ${MAX_JSON_DEPTH} levels.`, null, "json_too_deep");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, `The request body is not valid JSON: ${(error as Error).message}`, null, "invalid_json");
  }
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return "";
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body.cancel(); // refused unread
    throw tooLarge();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(): ApiError {
  return new ApiError(413, "The request body is too large.", null, "request_too_large");
}
