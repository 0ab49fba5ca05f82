/**
 * The Web Worker that owns the model: it downloads the model and the corpus, embeds the
 * corpus in batches into a VectorIndex (reporting progress), then answers searches and
 * encode requests, so the page never blocks on encoding.
 */
import { StaticModel } from "model2vec";
import { VectorIndex } from "model2vec/search";
import type { Hit, Reply, Request } from "./protocol.js";

interface Index {
  model: StaticModel;
  /** The sentences, ids 0, 1, 2, … in corpus order, texts stored. */
  index: VectorIndex;
}

const BATCH = 256;
const scope = self as unknown as { postMessage(message: Reply): void; onmessage: ((event: MessageEvent<Request>) => void) | null };
const post = (message: Reply) => scope.postMessage(message);
let index: Promise<Index> | undefined;

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === "init") {
    index ??= build(request);
    index.catch((error: unknown) => post({ type: "error", message: `Loading failed: ${error instanceof Error ? error.message : String(error)}` }));
    return;
  }
  if (!index) {
    post({ type: "error", id: request.id, message: "the worker has not been initialised" });
    return;
  }
  index.then(
    (ready) => (request.type === "search" ? search(ready, request) : encode(ready, request)),
    (error: unknown) => post({ type: "error", id: request.id, message: `the model did not load: ${error instanceof Error ? error.message : String(error)}` }),
  );
};

async function build(request: Extract<Request, { type: "init" }>): Promise<Index> {
  const started = performance.now();
  const [model, corpus] = await Promise.all([
    StaticModel.fromUrl(request.modelUrl, {
      cache: request.cache ? "model2vec-demo" : false,
      onProgress: ({ file, loaded, total }) => {
        if (file.endsWith(".safetensors")) post({ type: "progress", stage: "download", done: loaded, total });
      },
    }),
    fetch(request.sentencesUrl).then(async (response) => {
      if (!response.ok) throw new Error(`GET ${response.url} failed: HTTP ${response.status}`);
      return (await response.json()) as { sentences: string[]; source: string };
    }),
  ]);
  const loaded = performance.now();
  const { sentences } = corpus;
  const index = new VectorIndex(model.dim, { model });
  for (let first = 0; first < sentences.length; first += BATCH) {
    const batch = sentences.slice(first, first + BATCH);
    index.addVectors(model.encode(batch), { texts: batch });
    post({ type: "progress", stage: "embed", done: first + batch.length, total: sentences.length });
  }
  post({ type: "ready", count: sentences.length, dim: model.dim, source: corpus.source, loadMs: loaded - started, embedMs: performance.now() - loaded });
  return { model, index };
}

function search({ model, index }: Index, request: Extract<Request, { type: "search" }>): void {
  const started = performance.now();
  const query = model.encode([request.query]);
  const encoded = performance.now();
  const [hits] = index.searchVectors(query, { k: request.k });
  const result: Hit[] = hits!.map(({ id, score, text }) => ({ index: id as number, score, text: text! }));
  post({ type: "results", id: request.id, query: request.query, hits: result, encodeMs: encoded - started, searchMs: performance.now() - encoded });
}

function encode({ model }: Index, request: Extract<Request, { type: "encode" }>): void {
  try {
    const embeddings = model.encode(request.texts);
    // Copied, not transferred: detaching a buffer would slow every later typed-array loop of this worker.
    post({ type: "encoded", id: request.id, rows: embeddings.rows, dim: embeddings.dim, data: embeddings.data });
  } catch (error) {
    post({ type: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
}
