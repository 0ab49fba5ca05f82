/**
 * The public surface is deliberate: api/<entry>.api.md lists what each entry point exports
 * (scripts/api-report.ts, from the sources), and this test fails when the sources say otherwise.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { API_DIR, apiReport, reportFileName, reportFiles } from "../scripts/api-report.js";
import { ENTRY_POINTS } from "../scripts/entry-points.js";

const UPDATE = "run `npm run api:update` and commit api/ with the change, if the change is meant";

describe("the API report", () => {
  const reports = apiReport();

  it("has one file per entry point in api/, and no other", async () => {
    expect(await reportFiles(), `api/ does not match scripts/entry-points.ts: ${UPDATE}`).toEqual(Object.keys(ENTRY_POINTS).map(reportFileName).sort());
  });

  it("matches what the entry points export today", async () => {
    for (const [file, expected] of reports) {
      const committed = await readFile(join(API_DIR, file), "utf8").catch(() => "");
      // Line by line, so that a failure shows which declarations changed.
      expect(committed.split("\n"), `api/${file} is out of date: ${UPDATE}`).toEqual(expected.split("\n"));
    }
  });

  it("lists each export with its kind and signature", () => {
    const root = reports.get(reportFileName("index"))!;
    expect(root).toMatch(/^# model2vec\n\n\d+ exported names, from `src\/index.ts`/);
    expect(root).toContain("class StaticModel {\n");
    expect(root).toContain("  static fromPretrained(pathOrId?: string, options?: FromPretrainedOptions): Promise<StaticModel>;\n");
    expect(root).toContain("  constructor(data: Float32Array, rows: number, dim: number);\n");
    expect(root).toContain("type QuantizeDtype = 'float16' | 'float32' | 'float64' | 'int8';\n");
    expect(root).toContain("interface EncodeOptions {\n  maxLength?: number | null | undefined;\n");
    expect(root).toContain("const DEFAULT_TOKEN_REMOVE_PATTERN: RegExp;\n");
    // Private state (`#fields`) and internals the entry does not export stay out.
    expect(root).not.toMatch(/^\s+#|WordPieceTokenizer|decodeInt32/m);
    const evaluate = reports.get(reportFileName("evaluate"))!;
    expect(evaluate).toContain("function evaluate(encoder: Encoder, tasks: readonly (string | TaskDefinition)[], options?: EvaluateOptions): Promise<EvaluationResult>;\n");
    expect(evaluate).not.toContain("compareCodePoints");
  });
});
