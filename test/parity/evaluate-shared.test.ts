/** The whole built-in suite on a real model2vec fixture, with STS-B checked against an independent computation. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_TASK_NAMES, evaluate, formatLeaderboard, leaderboard } from "../../src/evaluate/index.js";
import { StaticModel } from "../../src/index.js";
import { sharedPath } from "../shared.js";

const data = sharedPath("data");
const fixtures = sharedPath("reference/model2vec-rs-fixtures");

/** Spearman written out independently of src/evaluate: rank with averaged ties, then Pearson. */
function independentSpearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const sorted = [...v].sort((a, b) => a - b);
    return v.map((value) => {
      const first = sorted.indexOf(value);
      const last = sorted.lastIndexOf(value);
      return (first + last) / 2 + 1;
    });
  };
  const [rx, ry] = [rank(x), rank(y)];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(rx), mean(ry)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe.skipIf(!data.available || !fixtures.available)("built-in tasks on test-model-vocab-quantized", () => {
  it("runs every task, and STS-B matches an independent Spearman within 0.5", async () => {
    const model = await StaticModel.fromPretrained(join(fixtures.path, "test-model-vocab-quantized"));
    const run = await evaluate(model, [...BUILTIN_TASK_NAMES], { dataDir: data.path, name: "test-model-vocab-quantized" });
    expect(run.results.map((r) => r.name)).toEqual([...BUILTIN_TASK_NAMES]);
    for (const result of run.results) {
      expect(Number.isFinite(result.mainScore), result.name).toBe(true);
      expect(result.mainScore, result.name).toBeGreaterThanOrEqual(0);
      expect(result.mainScore, result.name).toBeLessThanOrEqual(100);
    }

    const rows = readFileSync(join(data.path, "sts/stsbenchmark/sts-test.csv"), "utf8").trim().split("\n").map((l) => l.split("\t"));
    const a = model.encode(rows.map((r) => r[5]!));
    const b = model.encode(rows.map((r) => r[6]!));
    const cosines = rows.map((_, i) => {
      const [u, v] = [a.row(i), b.row(i)];
      let dot = 0;
      let nu = 0;
      let nv = 0;
      for (let j = 0; j < u.length; j++) {
        dot += u[j]! * v[j]!;
        nu += u[j]! ** 2;
        nv += v[j]! ** 2;
      }
      return nu && nv ? dot / Math.sqrt(nu * nv) : 0;
    });
    const expected = 100 * independentSpearman(rows.map((r) => Number(r[4])), cosines);
    const stsb = run.results.find((r) => r.name === "stsb")!;
    expect(Math.abs(stsb.mainScore - expected)).toBeLessThan(0.5);
    console.log(formatLeaderboard(leaderboard([run])));
  }, 300_000);
});
