/** `model2vec evaluate`: MTEB-style scores of models on local data, as a leaderboard. */
import { Command, Option } from "commander";
import { describeDataLayout } from "../../evaluate/data-layout.js";
import { LEADERBOARD_FORMATS, type LeaderboardFormat } from "../../evaluate/leaderboard-format.js";
import { InvalidInputError } from "../../errors.js";
import type { EvaluationResult } from "../../evaluate/index.js";
import { atomicWrite } from "../../io/atomic-write.js";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { loadModel } from "../load-model.js";
import { commaList, nonNegativeInteger, positiveInteger } from "../options.js";

interface EvaluateCommandOptions {
  data?: string;
  tasks?: string[];
  format: LeaderboardFormat;
  json?: string;
  batchSize?: number;
  seed?: number;
}

export function evaluateCommand(): Command {
  return new Command("evaluate")
    .summary("score models on the built-in tasks and print a leaderboard")
    .description(
      "Evaluate one or more models on the built-in MTEB-style tasks (STS, classification, clustering, pair classification, retrieval) read from a local data folder, and print a leaderboard. Tasks whose data files are missing are skipped and named; the run fails only when no task has its data.",
    )
    .argument("<idOrPath...>", "model folders or Hugging Face Hub ids")
    .option("--data <dir>", "folder holding the tasks' data, laid out as below (default $MODEL2VEC_DATA_DIR)")
    .option("--tasks <names>", "comma-separated task names (default: all built-in tasks)", commaList)
    .addOption(
      new Option("--format <format>", "table: fits the terminal (a column per model); wide, markdown, csv, json: a row per model")
        .choices(LEADERBOARD_FORMATS)
        .default("table"),
    )
    .option("--json <path>", "also write the full results (an array, one entry per model) as JSON to this file")
    .option("--batch-size <n>", "texts per encode call (default 1024)", positiveInteger)
    .option("--seed <n>", "seed of the classification sampling and k-means (default 42)", nonNegativeInteger)
    .addHelpText(
      "after",
      `
Data folder (--data): the files each built-in task reads, in their original
formats (STS Benchmark, SST-2, TREC, Banking77, dair-ai emotion, Cranfield):
${describeDataLayout()}

Example:
  model2vec evaluate ./my-model minishlab/potion-base-8M --data ./data
  model2vec evaluate ./my-model --data ./data --tasks stsb,sst2 --format csv`,
    )
    .action(async (models: string[], options: EvaluateCommandOptions, command: Command) => {
      const context = contextOf(command);
      const { evaluate, leaderboard, formatLeaderboard, findMissingData, formatMissingData, BUILTIN_TASKS, BUILTIN_TASK_NAMES } = await import("../../evaluate/index.js");
      const dataDir = options.data ?? process.env.MODEL2VEC_DATA_DIR;
      if (dataDir === undefined || dataDir === "") throw new UsageError("no --data given (the folder holding the tasks' data), and MODEL2VEC_DATA_DIR is not set");
      const tasks = options.tasks ?? [...BUILTIN_TASK_NAMES];
      const unknown = tasks.filter((t) => !BUILTIN_TASK_NAMES.includes(t));
      if (unknown.length > 0) throw new UsageError(`unknown task ${unknown.map((t) => `"${t}"`).join(", ")}; built-in tasks: ${BUILTIN_TASK_NAMES.join(", ")}`);
      if (tasks.length === 0) throw new UsageError("--tasks lists no task");

      // A partial data folder runs what it can; the rest is named (task and path), even with --quiet.
      const missing = await findMissingData(tasks.map((name) => BUILTIN_TASKS[name]!), dataDir);
      const runnable = tasks.filter((name) => !missing.some((m) => m.task === name));
      if (runnable.length === 0) {
        throw new InvalidInputError(`no task has its data in ${dataDir} (the expected layout: model2vec evaluate --help):\n${formatMissingData(missing)}`);
      }
      if (missing.length > 0) {
        process.stderr.write(`warning: skipping ${missing.length} of ${tasks.length} tasks whose data is missing from ${dataDir}:\n${formatMissingData(missing)}\n`);
      }

      const runs: EvaluationResult[] = [];
      for (const [index, idOrPath] of models.entries()) {
        const model = await loadModel(idOrPath, context);
        if (context.progress) context.note(`model ${index + 1}/${models.length}: ${idOrPath}`);
        const bar = context.bar("evaluating", runnable.length, "tasks");
        try {
          runs.push(
            await evaluate(model, runnable, {
              name: idOrPath,
              dataDir,
              ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
              ...(options.seed === undefined ? {} : { seed: options.seed }),
              onProgress: ({ task, done }) => {
                bar.update(done);
                bar.status(task);
              },
            }),
          );
        } finally {
          bar.stop();
        }
        if (!context.progress) context.note(`evaluated ${idOrPath}: average ${runs[runs.length - 1]!.average.toFixed(2)}`);
      }
      if (options.json !== undefined) await atomicWrite(options.json, `${JSON.stringify(runs, null, 2)}\n`);
      const width = process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
      process.stdout.write(`${formatLeaderboard(leaderboard(runs), { format: options.format, width })}\n`);
    });
}
