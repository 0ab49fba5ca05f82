/** `model2vec evaluate`: MTEB-style scores of models on local data, as a leaderboard. */
import { writeFile } from "node:fs/promises";
import { Command } from "commander";
import type { EvaluationResult } from "../../evaluation.js";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { loadModel } from "../load-model.js";
import { commaList, nonNegativeInteger, positiveInteger } from "../options.js";

interface EvaluateCommandOptions {
  data?: string;
  tasks?: string[];
  json?: string;
  batchSize?: number;
  seed?: number;
}

export function evaluateCommand(): Command {
  return new Command("evaluate")
    .summary("score models on the built-in tasks and print a leaderboard")
    .description(
      "Evaluate one or more models on the built-in MTEB-style tasks (STS, classification, clustering, pair classification, retrieval) read from a local data folder, and print a leaderboard.",
    )
    .argument("<idOrPath...>", "model folders or Hugging Face Hub ids")
    .option("--data <dir>", "folder holding the tasks' data (default $MODEL2VEC_DATA_DIR)")
    .option("--tasks <names>", "comma-separated task names (default: all built-in tasks)", commaList)
    .option("--json <path>", "also write the full results (an array, one entry per model) as JSON to this file")
    .option("--batch-size <n>", "texts per encode call (default 1024)", positiveInteger)
    .option("--seed <n>", "seed of the classification sampling and k-means (default 42)", nonNegativeInteger)
    .action(async (models: string[], options: EvaluateCommandOptions, command: Command) => {
      const context = contextOf(command);
      const { evaluate, leaderboard, formatLeaderboard, BUILTIN_TASK_NAMES } = await import("../../evaluation.js");
      const dataDir = options.data ?? process.env.MODEL2VEC_DATA_DIR;
      if (dataDir === undefined || dataDir === "") throw new UsageError("no --data given (the folder holding the tasks' data), and MODEL2VEC_DATA_DIR is not set");
      const tasks = options.tasks ?? [...BUILTIN_TASK_NAMES];
      const unknown = tasks.filter((t) => !BUILTIN_TASK_NAMES.includes(t));
      if (unknown.length > 0) throw new UsageError(`unknown task ${unknown.map((t) => `"${t}"`).join(", ")}; built-in tasks: ${BUILTIN_TASK_NAMES.join(", ")}`);
      if (tasks.length === 0) throw new UsageError("--tasks lists no task");
      const runs: EvaluationResult[] = [];
      for (const idOrPath of models) {
        const model = await loadModel(idOrPath, context);
        const bar = context.bar(`evaluating ${idOrPath}`, tasks.length, "tasks");
        try {
          runs.push(
            await evaluate(model, tasks, {
              name: idOrPath,
              dataDir,
              ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
              ...(options.seed === undefined ? {} : { seed: options.seed }),
              onProgress: ({ done }) => bar.update(done),
            }),
          );
        } finally {
          bar.stop();
        }
        if (!context.progress) context.note(`evaluated ${idOrPath}: average ${runs[runs.length - 1]!.average.toFixed(2)}`);
      }
      if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(runs, null, 2)}\n`);
      process.stdout.write(`${formatLeaderboard(leaderboard(runs))}\n`);
    });
}
