/**
 * The leaderboard of the built-in tasks for the model2vec-rs fixtures, the USE-lite
 * teacher and its distilled static model, with wall times. Writes
 * bench/results/leaderboard.json, which `summarize`/`leaderboard` can re-read.
 *
 * Run with `node --import tsx bench/leaderboard.bench.ts` (the teacher takes minutes).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_TASK_NAMES, type EvaluationResult, evaluate, formatLeaderboard, leaderboard } from "../src/evaluate/index.js";
import { HuggingFaceTokenizer, StaticModel, distillFromModel } from "../src/index.js";
import { UseTeacher } from "../src/distill/teachers.js";
import { useLiteFolder } from "../test/fixtures/use-lite.js";
import { SHARED_DIR } from "../test/shared.js";

const sharedDir = SHARED_DIR;
const dataDir = join(sharedDir, "data");
const fixtures = join(sharedDir, "reference/model2vec-rs-fixtures");
if (!existsSync(dataDir) || !existsSync(fixtures)) {
  console.log(`leaderboard bench skipped: missing ${dataDir} or ${fixtures}`);
  process.exit(0);
}

const tasks = [...BUILTIN_TASK_NAMES];
const runs: EvaluationResult[] = [];
const run = async (name: string, encoder: Parameters<typeof evaluate>[0]) => {
  const result = await evaluate(encoder, tasks, { dataDir, name, onProgress: (p) => p.task && console.error(`${name}: ${p.task}`) });
  runs.push(result);
};

for (const name of ["test-model-vocab-quantized", "test-model-float32"]) await run(name, await StaticModel.fromPretrained(join(fixtures, name)));

const folder = useLiteFolder();
if (folder !== null) {
  const teacher = await UseTeacher.load(folder);
  await run("USE-lite distilled (pcaDims 256)", await distillFromModel({ teacher, pcaDims: 256 }));
  const tokenizer = HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
  await run("USE-lite teacher", async (texts) => {
    const rows = await teacher.embed(texts.map((t) => Int32Array.from(tokenizer.encode(t))), "mean");
    return texts.map((_, i) => rows.slice(i * teacher.dim, (i + 1) * teacher.dim));
  });
  await teacher.dispose();
}

console.log(formatLeaderboard(leaderboard(runs)));
const out = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "leaderboard.json"), JSON.stringify(runs, null, 2) + "\n");
