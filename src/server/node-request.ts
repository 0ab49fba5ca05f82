/** What the routes read of Node's IncomingMessage, taken from it directly. */
import type { IncomingMessage } from "node:http";
import type { RequestParts } from "./routes.js";

/** The base of an origin-form target ("/path"): the routes read the path alone. */
const ORIGIN = "http://localhost";

/**
 * The parts of `message`. The path is parsed as a web Request's URL would be: an
 * origin-form target keeps its path as sent (`//v1` stays two slashes), an
 * absolute-form one (`http://x/v1/…`) gives its path.
 *
 * @throws TypeError for a target that is no URL.
 */
export function requestPartsOf(message: IncomingMessage): RequestParts {
  const target = message.url ?? "/";
  const { pathname } = new URL(target.startsWith("/") ? ORIGIN + target : target);
  const hasBody = message.method !== "GET" && message.method !== "HEAD";
  return {
    method: message.method ?? "GET",
    path: pathname,
    header: (name) => {
      const value = message.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
    // Left early (a body past the limit), the iterator keeps the connection: the server answers, then discards the rest.
    body: hasBody ? message.iterator({ destroyOnReturn: false }) : null,
  };
}
