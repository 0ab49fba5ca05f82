/**
 * Graceful shutdown of the real `model2vec serve` process: SIGTERM with 30 large
 * requests already sent answers every one of them, and refuses new connections.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { WORDS } from "../fixtures/words.js";
import { httpText, openSocket, responseOf } from "./raw-http.js";
import { startServe } from "./serve-process.js";

const REQUESTS = 30;
const TEXTS_PER_REQUEST = 2048;

function texts(request: number): string[] {
  return Array.from({ length: TEXTS_PER_REQUEST }, (_, k) =>
    Array.from({ length: 6 }, (_, w) => WORDS[(request * 31 + k * 7 + w * 13) % WORDS.length]).join(" "),
  );
}

/**
 * Sends one request on a raw connection: `sent` resolves once the whole request is in the kernel
 * (an HTTP client's "finish" can come before the connection is even made).
 */
async function send(url: string, body: string) {
  const socket = await openSocket(url);
  const response = responseOf(socket);
  const sent = new Promise<void>((resolve, reject) =>
    socket.write(httpText("POST", "/v1/embeddings", { "content-type": "application/json" }, body), (error) => (error ? reject(error) : resolve())),
  );
  return { sent, response };
}

/** Resolves with the error code of a connection attempt to `url` ("connected" when it was accepted). */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve("connected");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
}

describe("model2vec serve shutdown", () => {
  it("answers every request sent before SIGTERM with its 200, refuses new connections, then exits 0", async () => {
    const serve = await startServe(["--request-timeout", "120000"]);
    let exited = false;
    void serve.exited.then(() => (exited = true));
    try {
      // Stopped, the server reads nothing and accepts nothing, as when its event loop is busy; the kernel
      // still completes the connections and takes the requests. So every request below is sent, and
      // waits unread in the listening socket's backlog, when SIGTERM arrives.
      serve.child.kill("SIGSTOP");
      const requests = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) => send(serve.url, JSON.stringify({ input: texts(i), encoding_format: "base64" }))),
      );
      await Promise.all(requests.map((r) => r.sent));
      // One more connection whose request is incomplete: not received, so not owed a 200. It keeps the
      // process running (until the request timeout) while new connections are tried.
      const partial = await openSocket(serve.url);
      const partialAnswer = responseOf(partial);
      partial.write("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");

      serve.child.kill("SIGTERM");
      serve.child.kill("SIGCONT");

      const responses = await Promise.all(requests.map((r) => r.response));
      // A connection reset or cut short answers nothing: status 0.
      expect(responses.map((r) => r.status)).toEqual(Array.from({ length: REQUESTS }, () => 200));
      const bundled = await StaticModel.fromPretrained();
      for (let i = 0; i < REQUESTS; i++) {
        const { body } = responses[i]!;
        const data = (JSON.parse(body) as { data: { index: number; embedding: string }[] }).data;
        expect(data).toHaveLength(TEXTS_PER_REQUEST);
        expect(data[TEXTS_PER_REQUEST - 1]!.index).toBe(TEXTS_PER_REQUEST - 1);
        const first = Buffer.from(data[0]!.embedding, "base64");
        expect(new Float32Array(first.buffer, first.byteOffset, first.byteLength / 4)).toEqual(bundled.encode(texts(i)[0]!));
      }

      // The server takes the connections already waiting in its backlog, then closes its listening socket
      // (a connection attempted in between is accepted, or reset when the socket closes under it).
      let attempt = await tryConnect(serve.url);
      while (attempt === "connected" || attempt === "ECONNRESET") {
        await new Promise((resolve) => setTimeout(resolve, 10));
        attempt = await tryConnect(serve.url);
      }
      expect(attempt).toBe("ECONNREFUSED");
      expect(exited).toBe(false); // still waiting for the incomplete request

      partial.destroy(); // the client gives up: nothing is left to wait for
      expect((await partialAnswer).status).toBe(0);
      const { code, signal } = await serve.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      serve.child.kill("SIGKILL"); // a no-op once it exited
    }
  }, 120_000);
});
