/**
 * Aggregation and the leaderboard (MinishLab/evaluation, `evaluation/utils.py`): a task type's score is the mean
 * of its tasks; the overall average is the macro mean over tasks (not over types).
 * Works on saved results, so runs can be summarised again without re-running.
 */
import type { TaskType } from "./types.js";

/** Per-type means and the overall average of a run's main scores. */
export interface Summary {
  byType: Partial<Record<TaskType, number>>;
  average: number;
}

const TYPE_ORDER: TaskType[] = ["classification", "clustering", "pair-classification", "reranking", "retrieval", "sts"];

/** Aggregates task results: mean per type and the mean over all tasks. */
export function summarize(results: readonly { type: TaskType; mainScore: number }[]): Summary {
  const byType: Partial<Record<TaskType, number>> = {};
  for (const type of TYPE_ORDER) {
    const scores = results.filter((r) => r.type === type).map((r) => r.mainScore);
    if (scores.length > 0) byType[type] = mean(scores);
  }
  return { byType, average: results.length ? mean(results.map((r) => r.mainScore)) : Number.NaN };
}

/** One leaderboard row per run: its average, per-type means and per-task scores. */
export interface Leaderboard {
  tasks: string[];
  types: TaskType[];
  rows: { model: string; average: number; byType: Partial<Record<TaskType, number>>; tasks: Record<string, number>; seconds: number }[];
}

/** Builds the leaderboard of several runs (saved or fresh), best average first. */
export function leaderboard(runs: readonly { model: string; results: readonly { name: string; type: TaskType; mainScore: number; seconds?: number | undefined }[] }[]): Leaderboard {
  const tasks = [...new Set(runs.flatMap((run) => run.results.map((r) => r.name)))];
  const types = TYPE_ORDER.filter((type) => runs.some((run) => run.results.some((r) => r.type === type)));
  const rows = runs.map((run) => {
    const summary = summarize(run.results);
    return {
      model: run.model,
      average: summary.average,
      byType: summary.byType,
      tasks: Object.fromEntries(run.results.map((r) => [r.name, r.mainScore])),
      seconds: run.results.reduce((total, r) => total + (r.seconds ?? 0), 0),
    };
  });
  rows.sort((a, b) => b.average - a.average);
  return { tasks, types, rows };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
