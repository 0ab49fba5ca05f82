/**
 * The Web Worker that owns the model: it downloads the model and the corpus, embeds the
 * corpus in batches (reporting progress), then answers searches and encode requests, so
 * the page never blocks on encoding.
 */
import { StaticModel } from "model2vec";
import type { Hit, Reply, Request } from "./protocol.js";

interface Index {
  model: StaticModel;
  sentences: string[];
  /** Unit-length sentence vectors, rows × dim. */
  vectors: Float32Array;
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
  const vectors = new Float32Array(sentences.length * model.dim);
  for (let first = 0; first < sentences.length; first += BATCH) {
    const batch = sentences.slice(first, first + BATCH);
    vectors.set(model.encode(batch, { normalize: true }).data, first * model.dim);
    post({ type: "progress", stage: "embed", done: first + batch.length, total: sentences.length });
  }
  post({ type: "ready", count: sentences.length, dim: model.dim, source: corpus.source, loadMs: loaded - started, embedMs: performance.now() - loaded });
  return { model, sentences, vectors };
}

function search({ model, sentences, vectors }: Index, request: Extract<Request, { type: "search" }>): void {
  const started = performance.now();
  const query = model.encode(request.query, { normalize: true });
  const encoded = performance.now();
  const dim = model.dim;
  // Top k by cosine (all vectors are unit length): a small sorted list, replaced from the end.
  const hits: { index: number; score: number }[] = [];
  for (let row = 0; row < sentences.length; row++) {
    let score = 0;
    for (let d = 0, offset = row * dim; d < dim; d++) score += query[d]! * vectors[offset + d]!;
    if (hits.length === request.k && score <= hits[hits.length - 1]!.score) continue;
    let at = hits.length === request.k ? hits.length - 1 : hits.length;
    while (at > 0 && hits[at - 1]!.score < score) {
      hits[at] = hits[at - 1]!;
      at--;
    }
    hits[at] = { index: row, score };
  }
  const result: Hit[] = hits.map(({ index, score }) => ({ index, score, text: sentences[index]! }));
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
