/**
 * The page: sends the model and corpus URLs to the worker, a search for every keystroke,
 * and renders the newest answer. `window.__model2vec` exposes the same operations to
 * scripts (the browser tests use it to compare the page's vectors with Node's).
 */
import type { Hit, Reply, Request } from "./protocol.js";

/** What `window.__model2vec` offers. */
export interface DemoHook {
  /** Resolves when the corpus is embedded. */
  ready: Promise<Extract<Reply, { type: "ready" }>>;
  /** Encodes texts in the worker (the model's own normalize setting). */
  encode(texts: string[]): Promise<{ rows: number; dim: number; data: number[] }>;
  /** Runs a search as typing does, without touching the page. */
  search(query: string, k?: number): Promise<{ hits: Hit[]; encodeMs: number; searchMs: number; roundTripMs: number }>;
  /** `performance.now()` when the first results were shown: ms since the page started loading. */
  firstResultAt: number | undefined;
}

const K = 10;
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = element<HTMLInputElement>("query");
const status = element<HTMLParagraphElement>("status");
const progress = element<HTMLProgressElement>("progress");
const timing = element<HTMLParagraphElement>("timing");
const results = element<HTMLOListElement>("results");
const source = element<HTMLParagraphElement>("source");

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const send = (request: Request) => worker.postMessage(request);

let nextId = 1;
let latestSearch = 0;
const sentAt = new Map<number, number>();
const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
let markReady: (reply: Extract<Reply, { type: "ready" }>) => void = () => {};
let failReady: (error: Error) => void = () => {};
const ready = new Promise<Extract<Reply, { type: "ready" }>>((resolve, reject) => {
  markReady = resolve;
  failReady = reject;
});

function request(make: (id: number) => Request): Promise<Reply> {
  const id = nextId++;
  sentAt.set(id, performance.now());
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    send(make(id));
  });
}

const hook: DemoHook = {
  ready,
  async encode(texts) {
    const reply = await request((id) => ({ type: "encode", id, texts }));
    if (reply.type !== "encoded") throw new Error(`unexpected reply ${reply.type}`);
    return { rows: reply.rows, dim: reply.dim, data: Array.from(reply.data) };
  },
  async search(query, k = K) {
    const started = performance.now();
    const reply = await request((id) => ({ type: "search", id, query, k }));
    if (reply.type !== "results") throw new Error(`unexpected reply ${reply.type}`);
    return { hits: reply.hits, encodeMs: reply.encodeMs, searchMs: reply.searchMs, roundTripMs: performance.now() - started };
  },
  firstResultAt: undefined,
};
(window as unknown as { __model2vec: DemoHook }).__model2vec = hook;

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  if ("id" in reply && reply.id !== undefined && waiting.has(reply.id)) {
    const pending = waiting.get(reply.id)!;
    waiting.delete(reply.id);
    if (reply.type === "error") pending.reject(new Error(reply.message));
    else pending.resolve(reply);
    return;
  }
  switch (reply.type) {
    case "progress":
      progress.max = reply.total || 1;
      progress.value = reply.done;
      status.textContent =
        reply.stage === "download"
          ? `Downloading the model… ${(reply.done / 1e6).toFixed(1)}${reply.total ? ` of ${(reply.total / 1e6).toFixed(1)}` : ""} MB`
          : `Embedding sentences… ${reply.done.toLocaleString()} of ${reply.total.toLocaleString()}`;
      break;
    case "ready":
      progress.hidden = true;
      status.textContent = `${reply.count.toLocaleString()} sentences embedded in ${Math.round(reply.embedMs)} ms (model and corpus loaded in ${Math.round(reply.loadMs)} ms, ${reply.dim} dimensions).`;
      source.textContent = `Sentences: ${reply.source}.`;
      markReady(reply);
      break;
    case "results":
      if (reply.id === latestSearch) render(reply);
      break;
    case "error":
      progress.hidden = true;
      status.textContent = reply.message;
      status.classList.add("error");
      failReady(new Error(reply.message));
      break;
  }
};

function render(reply: Extract<Reply, { type: "results" }>): void {
  const roundTrip = performance.now() - (sentAt.get(reply.id) ?? performance.now());
  sentAt.delete(reply.id);
  hook.firstResultAt ??= performance.now();
  results.replaceChildren(
    ...reply.hits.map((hit) => {
      const item = document.createElement("li");
      const score = document.createElement("span");
      score.className = "score";
      score.textContent = hit.score.toFixed(3);
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.max(0, hit.score) * 100}%`;
      score.append(bar);
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = hit.text;
      item.append(score, text);
      return item;
    }),
  );
  timing.textContent = `Top ${reply.hits.length} for “${reply.query}” in ${ms(reply.encodeMs + reply.searchMs)} (encode ${ms(reply.encodeMs)}, search ${ms(reply.searchMs)}; ${ms(roundTrip)} with the round trip to the worker).`;
}

function search(query: string): void {
  const id = nextId++;
  latestSearch = id;
  if (query.trim().length === 0) {
    results.replaceChildren();
    timing.textContent = "";
    return;
  }
  sentAt.set(id, performance.now());
  send({ type: "search", id, query, k: K });
}

input.addEventListener("input", () => search(input.value));

send({
  type: "init",
  modelUrl: new URL("./model/", location.href).href,
  sentencesUrl: new URL("./sentences.json", location.href).href,
  cache: !new URLSearchParams(location.search).has("nocache"),
});
// A query typed (or restored by the browser) before the script ran.
if (input.value) search(input.value);

/** Browsers coarsen timers to 0.1 ms without cross-origin isolation: a zero reading means "under 0.1 ms". */
function ms(value: number): string {
  return value > 0 ? `${value.toFixed(2)} ms` : "< 0.1 ms";
}
