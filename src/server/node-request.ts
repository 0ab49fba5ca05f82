/** Node's IncomingMessage as a web-standard Request, its body streamed rather than buffered. */
import type { IncomingMessage } from "node:http";

/** The host of the URL built from an origin-form target ("/path"): the handler routes on the path alone. */
const ORIGIN = "http://localhost";

/**
 * The Request of `message`. An origin-form target keeps its path as sent (`//v1` stays
 * two slashes); an absolute-form one (`http://x/v1/…`) is taken whole, as Node leaves it.
 *
 * @throws TypeError for what a Request cannot carry: a forbidden method (TRACE, CONNECT), a target that is no URL.
 */
export function requestOf(message: IncomingMessage): Request {
  const target = message.url ?? "/";
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const hasBody = message.method !== "GET" && message.method !== "HEAD";
  return new Request(target.startsWith("/") ? ORIGIN + target : target, {
    method: message.method ?? "GET",
    headers,
    ...(hasBody ? { body: bodyOf(message), duplex: "half" } : {}),
  } as RequestInit);
}

/**
 * The body of `message` as a stream that reads it only as fast as it is consumed. Cancelling
 * it (a body past the size limit) leaves the rest for Node to discard, so the connection
 * stays usable for the error response.
 */
function bodyOf(message: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      message.pause();
      message.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) message.pause();
      });
      message.once("end", () => {
        if (!done) controller.close();
        done = true;
      });
      const fail = (error: Error) => {
        if (!done) controller.error(error);
        done = true;
      };
      message.once("error", fail);
      // A client that goes away mid-body: the reader must not wait forever.
      message.once("close", () => fail(new Error("The connection closed before the request body ended.")));
    },
    pull() {
      message.resume();
    },
    cancel() {
      done = true;
      message.resume();
    },
  });
}
