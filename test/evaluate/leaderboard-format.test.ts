import { describe, expect, it } from "vitest";
import { formatLeaderboard, leaderboard } from "../../src/evaluate/index.js";
import type { TaskType } from "../../src/evaluate/types.js";

const TYPES: TaskType[] = ["sts", "classification", "clustering", "retrieval"];

/** `models` runs over `tasks` tasks; model m scores (7m + 3t) % 90 + 0.25 on task t, so the ranking is known. */
function board(models: number, tasks: number, names: { model: (m: number) => string; task: (t: number) => string }) {
  return leaderboard(
    Array.from({ length: models }, (_, m) => ({
      model: names.model(m),
      results: Array.from({ length: tasks }, (_, t) => ({ name: names.task(t), type: TYPES[t % TYPES.length]!, mainScore: ((7 * m + 3 * t) % 90) + 0.25, seconds: 0.5 })),
    })),
  );
}

const longNames = {
  model: (m: number) => `organisation/a-static-model-with-a-very-long-descriptive-name-that-no-terminal-line-can-hold-${m}`.padEnd(120, "x"),
  task: (t: number) => `a-user-defined-task-with-a-rather-long-name-${t}`,
};

describe("formatLeaderboard table", () => {
  it("fits 80 columns with 30 long task names and 12 models of 120 characters, in blocks of models", () => {
    const b = board(12, 30, longNames);
    const text = formatLeaderboard(b, { format: "table" });
    const lines = text.split("\n");
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    // The legend names every model in full, best average first, wrapped onto indented lines.
    const legend = text.replace(/\n +/g, "");
    b.rows.forEach((row, i) => expect(legend).toContain(`#${i + 1}  ${row.model}`));
    // Label column: 2 + 46 characters; score columns 2 + 5: four models per block, three blocks.
    const headers = lines.filter((line) => /^\s+#\d+(\s+#\d+)*$/.test(line)).map((line) => line.trim().split(/\s+/));
    expect(headers).toEqual([["#1", "#2", "#3", "#4"], ["#5", "#6", "#7", "#8"], ["#9", "#10", "#11", "#12"]]);
    // Every score of every task, in its model's column.
    for (let t = 0; t < 30; t++) {
      const name = longNames.task(t);
      const cells = lines.filter((line) => line.startsWith(`  ${name} `)).flatMap((line) => line.slice(name.length + 2).trim().split(/\s+/));
      expect(cells).toEqual(b.rows.map((row) => row.tasks[name]!.toFixed(2)));
    }
    const averages = lines.filter((line) => line.startsWith("Average ")).flatMap((line) => line.slice(8).trim().split(/\s+/));
    expect(averages).toEqual(b.rows.map((row) => row.average.toFixed(2)));
    expect(lines.filter((line) => line.startsWith("Time (s) ")).flatMap((line) => line.slice(9).trim().split(/\s+/))).toEqual(Array(12).fill("15.0"));
  });

  it("fits a narrower width, and shortens a label longer than the line with an ellipsis", () => {
    const task = (t: number) => (t === 0 ? "t".repeat(100) : `task-${t}`);
    const text = formatLeaderboard(board(3, 4, { model: (m) => `model-${m}`, task }), { format: "table", width: 50 });
    const lines = text.split("\n");
    expect(lines.filter((line) => line.length > 50)).toEqual([]);
    const long = lines.find((line) => line.startsWith("  ttt"))!;
    expect(long).toMatch(/^ {2}t+…( +\d+\.\d\d)+$/);
    expect(lines.filter((line) => line.startsWith("By ")).map((line) => line.trim())).toEqual(["By type", "By task", "By type", "By task"]);
  });

  it("shows a missing score as -", () => {
    const b = leaderboard([
      { model: "a", results: [{ name: "x", type: "sts", mainScore: 50 }] },
      { model: "b", results: [{ name: "y", type: "sts", mainScore: 40 }] },
    ]);
    const lines = formatLeaderboard(b, { format: "table" }).split("\n");
    expect(lines.find((line) => line.startsWith("  x "))!.trim().split(/\s+/)).toEqual(["x", "50.00", "-"]);
    expect(lines.find((line) => line.startsWith("  y "))!.trim().split(/\s+/)).toEqual(["y", "-", "40.00"]);
  });
});

describe("formatLeaderboard wide forms", () => {
  const b = leaderboard([
    { model: 'my "quoted", model', results: [{ name: "x", type: "sts", mainScore: 50.125 }] },
    { model: "a|b", results: [{ name: "y", type: "retrieval", mainScore: 40 }] },
  ]);

  it("csv quotes fields as RFC 4180 and leaves a missing score empty, full precision", () => {
    expect(formatLeaderboard(b, { format: "csv" })).toBe(
      'Model,Average,retrieval,sts,x,y,Time (s)\n"my ""quoted"", model",50.125,,50.125,50.125,,0\na|b,40,40,,,40,0',
    );
  });

  it("markdown escapes pipes and right-aligns scores", () => {
    expect(formatLeaderboard(b, { format: "markdown" }).split("\n")).toEqual([
      "| Model | Average | retrieval | sts | x | y | Time (s) |",
      "|---|---:|---:|---:|---:|---:|---:|",
      '| my "quoted", model | 50.13 | - | 50.13 | 50.13 | - | 0.0 |',
      "| a\\|b | 40.00 | 40.00 | - | - | 40.00 | 0.0 |",
    ]);
  });

  it("json is the leaderboard itself", () => {
    expect(JSON.parse(formatLeaderboard(b, { format: "json" }))).toEqual(b);
  });

  it("wide is the default: one aligned row per model", () => {
    expect(formatLeaderboard(b)).toBe(formatLeaderboard(b, { format: "wide" }));
    expect(formatLeaderboard(b).split("\n")[0]).toMatch(/^Model {15}Average {2}retrieval {4}sts {6}x {6}y {2}Time \(s\)$/);
  });
});
