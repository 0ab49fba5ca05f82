/**
 * The request body as JSON, read chunk by chunk with a byte cap (a larger body is
 * refused after at most `maxBytes` bytes were held), and its nesting checked
 * before `JSON.parse`.
 */
import { ApiError } from "./api-error.js";
import { nestedDeeperThan } from "./json-depth.js";

/** Deepest JSON nesting accepted; a valid request needs 2 (`{"input":[…]}`), token ids 3 (refused later, with a clear message). */
const MAX_JSON_DEPTH = 16;

/**
 * Parses `body` as JSON, whatever the content type (curl -d sends form-urlencoded).
 * A `contentLength` past `maxBytes` is refused before anything is read.
 *
 * @throws ApiError 413 past `maxBytes`; 400 for an empty body, JSON nested too deep, or invalid JSON.
 */
export async function readJsonBody(body: AsyncIterable<Uint8Array> | null, contentLength: string | null, maxBytes: number): Promise<unknown> {
  if (contentLength !== null && Number(contentLength) > maxBytes) throw tooLarge();
  const text = body === null ? "" : await readText(body, maxBytes);
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

async function readText(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(); // leaving the loop stops the body
    chunks.push(chunk);
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
