/**
 * Answers the errors Node's HTTP parser raises before any route runs (an
 * unparsable request line, a bad Content-Length, Content-Length with
 * Transfer-Encoding, oversized headers, a request that does not arrive in time)
 * in the same OpenAI shape as every other error, then closes the connection.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { ApiError } from "./api-error.js";

/** A `clientError` of Node's HTTP server: `reason` is llhttp's description of a parse error. */
type ClientError = Error & { code?: string; reason?: string };

/** The `clientError` handler: writes the error response when nothing was written yet, and closes. */
export function answerClientError(error: ClientError, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return; // nobody left to answer
  // As Node does: a response already started on this connection must not be corrupted, so it is only closed.
  if (socket.writable && socket.bytesWritten === 0) {
    const apiError = clientApiError(error);
    const body = apiError.toJson();
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientApiError(error: ClientError): ApiError {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new ApiError(408, "The request did not arrive in time; the connection is closed.", null, "request_timeout");
    case "HPE_HEADER_OVERFLOW":
      return new ApiError(431, "The request headers are too large.", null, "headers_too_large");
    default:
      return new ApiError(400, `The request is not valid HTTP/1.1: ${error.reason ?? error.message}.`, null, "malformed_request");
  }
}
