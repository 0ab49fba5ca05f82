/** HTTP over a bare node:net socket, for requests no HTTP client would send (absolute-form targets, bad framing, stalls). */
import { type Socket, connect } from "node:net";

/** What came back on a raw connection before the server closed it. */
export interface RawResponse {
  /** The status code of the first response line; 0 when the server sent nothing. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything received, unparsed. */
  raw: string;
}

/** Opens a connection to `url`'s port and resolves once it is connected. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Collects what `socket` receives until it closes (an error such as ECONNRESET also ends it). */
export function responseOf(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.once("close", () => resolve(parseResponse(Buffer.concat(chunks).toString("utf8"))));
  });
}

/** Sends `request` as is on a new connection and resolves with the response once the server closes it. */
export async function rawRequest(url: string, request: string): Promise<RawResponse> {
  const socket = await openSocket(url);
  const response = responseOf(socket);
  socket.write(request);
  return response;
}

/** A request with `Connection: close`, so the server ends the connection after answering. */
export function httpText(method: string, target: string, headers: Record<string, string> = {}, body = ""): string {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", `Content-Length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

function parseResponse(raw: string): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end === -1) return { status: 0, headers: {}, body: "", raw };
  const [statusLine, ...headerLines] = raw.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1] ?? 0), headers, body: raw.slice(end + 4), raw };
}
