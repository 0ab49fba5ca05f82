/** Reading a tokenizer.json document given as text, bytes or an already parsed object. */
import { TokenizerError } from "../errors.js";

/**
 * The tokenizer.json document as an object.
 *
 * @throws TokenizerError when the JSON does not parse or is not an object.
 */
export function parseTokenizerJson(source: string | Uint8Array | object): Record<string, unknown> {
  let json: unknown = source;
  if (typeof source === "string" || source instanceof Uint8Array) {
    const text = typeof source === "string" ? source : new TextDecoder().decode(source);
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new TokenizerError(`tokenizer.json does not parse: ${(error as Error).message}`, { cause: error });
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new TokenizerError("tokenizer.json is not a JSON object");
  return json as Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The document for a specialised tokenizer to inspect, or null when it does not
 * parse or lacks a key tokenizers.js requires: the specialised paths then
 * decline, and the general tokenizer reports the error.
 */
export function specialisableDocument(source: string | Uint8Array | object): Record<string, unknown> | null {
  let json: unknown = source;
  if (typeof source === "string" || source instanceof Uint8Array) {
    try {
      json = JSON.parse(typeof source === "string" ? source : new TextDecoder().decode(source));
    } catch {
      return null;
    }
  }
  if (!isRecord(json)) return null;
  for (const key of ["model", "decoder", "post_processor", "pre_tokenizer", "normalizer"]) if (!(key in json)) return null;
  return json;
}

/**
 * Checks every token id of the document against the vocabulary's size, before any
 * tokenizer is built: tokenizers index arrays by id, so one id of 2**31-1 would
 * make a load loop or allocate up to it. A vocabulary of `model.vocab` entries
 * plus `added_tokens` has at most that many tokens, so valid ids lie below it.
 * One pass over the vocabulary (about 8 ms for 30,000 tokens).
 *
 * @throws TokenizerError naming an id that is not an integer in range (the largest, for `model.vocab`).
 */
export function checkTokenIds(json: Record<string, unknown>): void {
  const model = isRecord(json.model) ? json.model : {};
  const vocab = model.vocab;
  const added: unknown[] = Array.isArray(json.added_tokens) ? json.added_tokens : [];
  let size = added.length + (Array.isArray(vocab) ? vocab.length : 0);
  const fail = (where: string, id: unknown): never => {
    throw new TokenizerError(`tokenizer.json: ${where} has id ${JSON.stringify(id)}, expected an integer from 0 to ${size - 1} (the vocabulary holds at most ${size} tokens)`);
  };
  const isId = (id: unknown): id is number => typeof id === "number" && Number.isInteger(id) && id >= 0;
  if (isRecord(vocab)) {
    // Counting and finding the largest id in the same pass: the size is known only at the end.
    let largestId = -1;
    let largestToken = "";
    for (const token in vocab) {
      size++;
      const id = vocab[token];
      if (!isId(id)) fail(`model.vocab[${JSON.stringify(token)}]`, id);
      if ((id as number) > largestId) [largestId, largestToken] = [id as number, token];
    }
    if (largestId >= size) fail(`model.vocab[${JSON.stringify(largestToken)}]`, largestId);
  }
  for (let i = 0; i < added.length; i++) {
    const id = isRecord(added[i]) ? (added[i] as Record<string, unknown>).id : undefined;
    if (!isId(id) || id >= size) fail(`added_tokens[${i}]`, id);
  }
  if (model.unk_id !== undefined && model.unk_id !== null && !(isId(model.unk_id) && model.unk_id < size)) fail("model.unk_id", model.unk_id);
}
