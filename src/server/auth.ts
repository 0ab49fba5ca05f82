/**
 * The API-key check, on Web Crypto so that it runs wherever the handler does
 * (Node, Deno, Bun, Workers). Keys are compared as SHA-256 digests in constant
 * time, so neither their length nor their first differing byte shows in timing.
 */
import { ApiError } from "./api-error.js";

/** Checks `Authorization: Bearer <key>` headers against one key. */
export class BearerKey {
  readonly #digest: Promise<Uint8Array>;

  constructor(key: string) {
    this.#digest = sha256(key);
  }

  /** @throws ApiError 401 `invalid_api_key` when `header` is missing, not a Bearer key, or the wrong key. */
  async check(header: string | null): Promise<void> {
    const match = header === null ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match === null) {
      throw new ApiError(401, "You didn't provide an API key. Send it as `Authorization: Bearer <key>`.", null, "invalid_api_key");
    }
    if (!sameBytes(await sha256(match[1]!), await this.#digest)) {
      throw new ApiError(401, "Incorrect API key provided.", null, "invalid_api_key");
    }
  }
}

async function sha256(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** Equality of two digests of the same length, in time that does not depend on where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
