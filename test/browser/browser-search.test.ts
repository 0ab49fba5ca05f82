/**
 * The browser-search demo in real Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is ever downloaded). The demo is built with Vite into a
 * temporary folder and served from 127.0.0.1. Checks: a typed query ranks the expected
 * sentence first; the page's vectors (computed in its Web Worker) equal Node's within
 * 1e-6; the page's top results equal a search done in Node. Prints the time to the first
 * result on a cold load and the per-query latency, and saves a screenshot to
 * test-artifacts/browser-search.png.
 *
 * Without Chromium the tests skip, naming the path, unless MODEL2VEC_REQUIRE_BROWSER=1.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticModel } from "../../src/index.js";
import { type StaticServer, startStaticServer } from "../fixtures/static-server.js";

const CHROMIUM = process.env.MODEL2VEC_CHROMIUM ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set MODEL2VEC_CHROMIUM)`;
  if (process.env.MODEL2VEC_REQUIRE_BROWSER === "1") throw new Error(message);
  console.warn(`skipping the browser tests: ${message}`);
}

const root = fileURLToPath(new URL("../..", import.meta.url));
const demo = join(root, "examples", "browser-search");
const artifacts = join(root, "test-artifacts");

/** The demo's sentence for a query that paraphrases it (no word in common but "my"). */
const QUERY = "dog ate my shoe";
const EXPECTED = "Our puppy chewed one of my shoes while we were out.";

interface Hit {
  index: number;
  score: number;
  text: string;
}

interface PageHook {
  ready: Promise<{ count: number; dim: number }>;
  encode(texts: string[]): Promise<{ rows: number; dim: number; data: number[] }>;
  search(query: string, k?: number): Promise<{ hits: Hit[]; encodeMs: number; searchMs: number; roundTripMs: number }>;
  firstResultAt: number | undefined;
}

declare global {
  interface Window {
    __model2vec: PageHook;
  }
}

describe.skipIf(!available)("the browser-search demo in headless Chromium", () => {
  let out: string;
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let model: StaticModel;
  let sentences: string[];
  const problems: string[] = [];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "m2v-demo-"));
    const started = performance.now();
    await build({ configFile: join(demo, "vite.config.ts"), logLevel: "error", build: { outDir: out, emptyOutDir: true } });
    console.log(`demo built in ${Math.round(performance.now() - started)} ms`);
    [server, browser, model] = await Promise.all([
      startStaticServer(out),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
      }),
      StaticModel.fromPretrained(undefined, { localFilesOnly: true }),
    ]);
    sentences = (JSON.parse(await readFile(join(out, "sentences.json"), "utf8")) as { sentences: string[] }).sentences;
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("answers a typed query with the expected sentence first, on a cold load", async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    // Typed at once: the worker answers as soon as the corpus is embedded.
    await page.locator("#query").fill(QUERY);
    await page.waitForFunction(() => document.querySelector("#results li .text") !== null || document.querySelector("#status.error") !== null, undefined, {
      timeout: 20_000,
    });
    expect(await page.locator("#status.error").count(), (await page.locator("#status").textContent()) ?? "").toBe(0);
    const firstResultAt = await page.evaluate(() => window.__model2vec.firstResultAt);
    const ready = await page.evaluate(() => window.__model2vec.ready);
    expect(ready.count).toBe(sentences.length);
    await expect.poll(() => page.locator("#results li .text").first().textContent()).toBe(EXPECTED);
    const shown = await page.locator("#results li").count();
    expect(shown).toBe(10);
    const topScore = Number(await page.locator("#results li .score").first().textContent());
    expect(topScore).toBeGreaterThan(0.5);
    console.log(`cold load → first search result: ${Math.round(firstResultAt!)} ms (${sentences.length} sentences embedded in the worker)`);
    // Typing, one key at a time, ends on the same answer.
    await page.locator("#query").fill("");
    await page.locator("#query").pressSequentially("forgot my router password");
    await expect.poll(() => page.locator("#results li .text").first().textContent()).toBe("How do I reset the password of my home Wi-Fi router?");
    await page.locator("#query").fill(QUERY);
    await expect.poll(() => page.locator("#results li .text").first().textContent()).toBe(EXPECTED);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "browser-search.png"), fullPage: false });
    // The worker fetched the model's files and the corpus, once each.
    for (const file of ["/model/config.json", "/model/model.safetensors", "/model/tokenizer.json", "/model/README.md", "/sentences.json"]) {
      expect(server.requests.filter((path) => path === file)).toHaveLength(1);
    }
    expect(problems).toEqual([]);
  });

  it("encodes in the page (in its Web Worker) as Node does, within 1e-6", async () => {
    const texts = [
      "It's dangerous to go alone!",
      "a cat sits on the mat",
      "",
      "naïve café ☕ — 東京 🚀",
      "UPPER case and MiXeD, punctuation!?; (brackets) [1, 2, 3]",
      "x".repeat(5000),
      sentences[sentences.length - 1]!,
    ];
    const inPage = await page.evaluate((list) => window.__model2vec.encode(list), texts);
    const inNode = model.encode(texts);
    expect([inPage.rows, inPage.dim]).toEqual([inNode.rows, inNode.dim]);
    let worst = 0;
    for (let i = 0; i < inNode.data.length; i++) worst = Math.max(worst, Math.abs(inPage.data[i]! - inNode.data[i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it("ranks as a search in Node does, and reports per-query latency", async () => {
    const queries = ["dog ate my shoe", "the flight was late", "interest rates go up", "snowstorm blocks the road", "a boring movie with bad jokes", "kitten napping in the sunshine"];
    const vectors = model.encode(sentences, { normalize: true });
    for (const query of queries) {
      const q = model.encode(query, { normalize: true });
      const scores = sentences.map((_, row) => {
        let dot = 0;
        for (let d = 0; d < model.dim; d++) dot += q[d]! * vectors.data[row * model.dim + d]!;
        return { row, dot };
      });
      scores.sort((a, b) => b.dot - a.dot);
      const { hits } = await page.evaluate((text) => window.__model2vec.search(text, 5), query);
      expect(hits.map((h) => h.index)).toEqual(scores.slice(0, 5).map((s) => s.row));
      for (let i = 0; i < 5; i++) expect(hits[i]!.score).toBeCloseTo(scores[i]!.dot, 5);
    }
    // Latency: 60 searches, each a fresh query string.
    const timings = await page.evaluate(async (list) => {
      const out: { compute: number; roundTrip: number }[] = [];
      for (let i = 0; i < 60; i++) {
        const result = await window.__model2vec.search(`${list[i % list.length]} ${i}`);
        out.push({ compute: result.encodeMs + result.searchMs, roundTrip: result.roundTripMs });
      }
      return out;
    }, queries);
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
    const compute = median(timings.map((t) => t.compute));
    const roundTrip = median(timings.map((t) => t.roundTrip));
    console.log(`per query over ${sentences.length} sentences (median of 60): ${compute.toFixed(2)} ms in the worker (encode + scan), ${roundTrip.toFixed(2)} ms with the round trip to the worker`);
    expect(roundTrip).toBeLessThan(100);
  });
});
