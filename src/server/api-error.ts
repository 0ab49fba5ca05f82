/** The error every answer of the server uses, in OpenAI's shape. */

/** An OpenAI-shaped error: `{ error: { message, type, param, code } }` with an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type: string = "invalid_request_error",
  ) {
    super(message);
  }

  /** The response body: `{"error":{"message":…,"type":…,"param":…,"code":…}}`. */
  toJson(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type, param: this.param, code: this.code } });
  }
}
