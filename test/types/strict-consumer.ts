/**
 * Compiled (never run) by `tsc -p test/types`, with `strict` and
 * `exactOptionalPropertyTypes`, as a strict TypeScript project would compile
 * its calls: every option takes `undefined` (an unset environment variable, a
 * value read from elsewhere), and `encode` takes a `string | string[]`.
 */
import { distill, distillFromModel, Embeddings, quantizeModel, StaticModel, type Teacher } from "../../src/index.js";
import { evaluate, fileTask } from "../../src/evaluate/index.js";
import { exportOnnx } from "../../src/integrations/onnx.js";
import { startServer } from "../../src/server/index.js";
import { OnnxTeacher, UseTeacher } from "../../src/distill/teachers.js";
import { StaticModelForClassification } from "../../src/train/index.js";
import { featurize, tokenlearn } from "../../src/tokenlearn/index.js";
import { model2vecEmbeddingModel } from "../../src/integrations/ai-sdk.js";
import { Model2VecEmbeddingModel } from "../../src/integrations/chonkie.js";
import { Model2VecEmbeddings } from "../../src/integrations/langchain.js";

declare const teacher: Teacher;
declare const input: string | string[];
const unset = undefined;

// The README's Hub example: HF_TOKEN may be unset.
const model = await StaticModel.fromPretrained("minishlab/potion-base-8M", {
  revision: unset,
  token: process.env.HF_TOKEN,
  subfolder: unset,
  normalize: unset,
  cacheDir: process.env.MY_CACHE,
  localFilesOnly: unset,
  forceDownload: unset,
  quantizeTo: unset,
  dimensionality: unset,
  vocabularyQuantization: unset,
  kmeans: unset,
  onProgress: unset,
  endpoint: unset,
  fetch: unset,
  signal: unset,
  cache: unset,
});
await StaticModel.fromUrl("https://example.com/m/", { token: process.env.HF_TOKEN, headers: unset, subfolder: unset, normalize: unset, cache: unset, fetch: unset, signal: unset, onProgress: unset });
StaticModel.fromBuffers({ model: new Uint8Array(), tokenizer: "{}", config: unset, readme: unset }, { normalize: unset });
new StaticModel({ embeddings: model.embedding, tokenizer: model.tokenizer, dim: unset, weights: unset, mapping: unset, normalize: unset, config: unset, baseModelName: unset, language: unset, license: unset, embeddingDtype: unset });

model.encode(["a"], { maxLength: unset, batchSize: unset, normalize: unset, threads: unset });
model.encodeAsSequence("a", { maxLength: unset, batchSize: unset });
model.tokenize("a", { maxLength: unset });
model.toFiles({ modelName: unset, license: unset });
await model.savePretrained("out", { modelName: unset, subfolder: unset, license: process.env.LICENSE });
await model.pushToHub("me/model", { token: process.env.HF_TOKEN, private: unset, subfolder: unset, commitMessage: unset });
quantizeModel(model, { quantizeTo: unset, dimensionality: unset, vocabularyQuantization: unset, kmeans: { seed: unset, nInit: unset, maxIter: unset, tol: unset } });

// encode of a value that may be either: the union of the two results.
const either: Float32Array | Embeddings = model.encode(input);
const one: Float32Array = model.encode("a");
const many: Embeddings = model.encode(["a"]);
// @ts-expect-error a string | string[] input may give a Float32Array
const notOnlyMany: Embeddings = model.encode(input);
const sequences: Embeddings | Embeddings[] = model.encodeAsSequence(input);
const ids: Int32Array | Int32Array[] = model.tokenize(input);

await distill({ model: "teacher", pcaDims: unset, sifCoefficient: unset, vocabulary: unset, tokenRemovePattern: unset, quantizeTo: unset, vocabularyQuantization: unset, pooling: unset, batchSize: unset, onProgress: unset, onLog: unset, signal: unset, license: unset, token: process.env.HF_TOKEN, revision: unset, threads: unset });
await distillFromModel({ teacher, kmeans: unset, license: unset });
await OnnxTeacher.load("teacher", { token: process.env.HF_TOKEN, revision: unset, pooling: unset, threads: unset, runtime: unset });
await UseTeacher.load("use", { name: unset, backend: unset });

const classifier = StaticModelForClassification.fromStaticModel({ model, nLayers: unset, hiddenDim: unset, seed: unset });
await classifier.fit(["a"], ["b"], { learningRate: unset, batchSize: unset, maxEpochs: unset, minEpochs: unset, earlyStoppingPatience: unset, testSize: unset, classWeight: unset, seed: unset, validation: unset, onProgress: unset, signal: unset });
classifier.predict(["a"], { threshold: unset });
await classifier.savePretrained("out", { modelName: unset, license: unset });
await StaticModelForClassification.fromPretrained("clf", { token: process.env.HF_TOKEN });
await featurize({ teacher, corpus: ["a"], outputDir: "f", batchSize: unset, shardSize: unset, maxRows: unset, maxLength: unset, onProgress: unset, signal: unset });
await tokenlearn({ teacher, featurized: "f", model: unset, pcaDims: unset, license: unset, outputDir: unset, signal: unset });

await evaluate(model, ["stsb", fileTask({ name: "t", type: "sts", description: unset, source: { path: "p.tsv", format: "tsv", columns: { sentence1: 0, sentence2: 1, score: 2 }, header: unset } })], { dataDir: process.env.DATA_DIR, name: unset, seed: unset, batchSize: unset, onProgress: unset });
await startServer({ models: { m: model }, host: unset, port: unset, apiKey: process.env.MODEL2VEC_API_KEY, defaultModel: unset, limits: unset, log: unset });
await exportOnnx(model, "onnx-out", { modelName: unset });
await Model2VecEmbeddings.fromPretrained(unset, { token: process.env.HF_TOKEN, encode: unset });
await Model2VecEmbeddingModel.fromPretrained(unset, { encode: { threads: unset } });
model2vecEmbeddingModel(model, { modelId: unset, provider: unset, maxEmbeddingsPerCall: unset, encode: unset });

export { either, one, many, notOnlyMany, sequences, ids };
