/** `model2vec serve` options, through the real argument parser in a child process. */
import { describe, expect, it } from "vitest";
import { cli } from "../fixtures/run-cli.js";
import { type RawResponse, httpText, openSocket, rawRequest, responseOf } from "./raw-http.js";
import { startServe } from "./serve-process.js";

const KEY = "sk-cli-0123456789";

async function status(url: string, path: string, key?: string): Promise<number> {
  return (await rawRequest(url, httpText("GET", path, key === undefined ? {} : { authorization: `Bearer ${key}` }))).status;
}

describe("model2vec serve", () => {
  it("--help shows the defaults, MODEL2VEC_API_KEY, and that a key given as a flag shows in ps", async () => {
    const { code, stdout } = await cli(["serve", "--help"]);
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, " ");
    expect(help).toContain('--host <host> interface to listen on (default: "127.0.0.1")');
    expect(help).toMatch(/--port <port> port to listen on \(0: any free port\) \(default: 8080\)/);
    expect(help).toContain("(env: MODEL2VEC_API_KEY)");
    expect(help).toContain("a key given as a flag is visible to other users in `ps`");
    expect(help).toMatch(/--max-connections <n> .*\(default: 512\)/);
    expect(help).toMatch(/--request-timeout <ms> .*\(default: 30000\)/);
    expect(help).toMatch(/--headers-timeout <ms> .*\(default: 10000\)/);
  });

  it("takes the API key from MODEL2VEC_API_KEY, and --api-key over it", async () => {
    for (const [args, good, bad] of [
      [[], KEY, "sk-other"],
      [["--api-key", "sk-flag"], "sk-flag", KEY],
    ] as const) {
      const serve = await startServe(args, { MODEL2VEC_API_KEY: KEY });
      try {
        expect(await status(serve.url, "/v1/models")).toBe(401);
        expect(await status(serve.url, "/v1/models", bad)).toBe(401);
        expect(await status(serve.url, "/v1/models", good)).toBe(200);
        expect(await status(serve.url, "/health")).toBe(200);
      } finally {
        serve.child.kill("SIGTERM");
      }
      expect((await serve.exited).code).toBe(0);
    }
  }, 60_000);

  it("names --api-key or MODEL2VEC_API_KEY when the key is empty, not the library's option", async () => {
    const flag = await cli(["serve", "--port", "0", "--api-key", " "]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--api-key is empty");
    expect(flag.stderr).not.toContain("startServer");
    const env = await cli(["serve", "--port", "0"], { env: { MODEL2VEC_API_KEY: "" } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("MODEL2VEC_API_KEY is set but empty");
  }, 60_000);

  it("names --port or --host when the server cannot listen", async () => {
    const first = await startServe([]);
    try {
      const { port } = new URL(first.url);
      const second = await cli(["serve", "--port", port, "--quiet"]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`127.0.0.1:${port} is already in use; choose another --port`);
    } finally {
      first.child.kill("SIGTERM");
    }
    const elsewhere = await cli(["serve", "--host", "192.0.2.1", "--port", "0", "--quiet"]); // TEST-NET-1: no address here
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain("--host 192.0.2.1 is not an address of this machine");
  }, 60_000);

  it("--max-connections and --request-timeout reach the server", async () => {
    const serve = await startServe(["--max-connections", "2", "--request-timeout", "5000", "--headers-timeout", "5000"]);
    try {
      const stalledStart = "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{";
      const answers: Promise<RawResponse>[] = [];
      let answered = 0;
      for (let i = 0; i < 2; i++) {
        const socket = await openSocket(serve.url);
        answers.push(responseOf(socket).finally(() => answered++));
        socket.write(stalledStart);
      }
      const third = await openSocket(serve.url);
      expect((await responseOf(third)).raw).toBe(""); // closed at once, past the cap
      expect(answered).toBe(0);
      for (const answer of await Promise.all(answers)) {
        expect(answer.status).toBe(408);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "request_timeout", type: "invalid_request_error" } });
      }
    } finally {
      serve.child.kill("SIGTERM");
    }
  }, 60_000);
});
