/** pushToHub → fromPretrained through the fake Hub. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { StaticModelForClassification } from "../../src/train/classifier.js";
import { loadGenerated } from "../fixtures/index.js";
import { type HubServer, startHubServer } from "../fixtures/hub-server.js";

let server: HubServer;
let scratch: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startHubServer({ token: "hf_test_secret_token" });
  scratch = await mkdtemp(join(tmpdir(), "m2v-clf-hub-"));
  process.env.HF_ENDPOINT = server.url;
  delete process.env.HF_TOKEN;
  delete process.env.HF_HUB_OFFLINE;
  process.env.HF_HOME = join(scratch, "hf-home");
});

afterAll(async () => {
  process.env = savedEnv;
  await server.close();
});

it("pushes a classifier and loads it back from the Hub", async () => {
  const { model } = loadGenerated({ dim: 8 });
  const texts = ["quick brown fox", "static embeddings model", "lazy dog jumps", "fast small vector", "the fox", "the model"];
  const labels = ["animal", "tech", "animal", "tech", "animal", "tech"];
  const classifier = StaticModelForClassification.fromStaticModel({ model, hiddenDim: 8 });
  await classifier.fit(texts, labels, { maxEpochs: 3, testSize: 0 });
  const url = await classifier.pushToHub("org/clf", { token: server.token });
  expect(url).toBe(`${server.url}/org/clf`);
  const uploaded = server.files("org/clf");
  expect([...uploaded.keys()]).toEqual(expect.arrayContaining(["head.safetensors", "classifier_config.json", "model.safetensors", "tokenizer.json", "config.json"]));
  const loaded = await StaticModelForClassification.fromPretrained("org/clf", { cacheDir: join(scratch, "cache"), token: server.token });
  expect(loaded.predict(texts)).toEqual(classifier.predict(texts));
});
