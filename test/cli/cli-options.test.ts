/**
 * Every option of every command (but serve and evaluate, tested with their
 * commands) through the real argument parser: a valid value reaches the
 * command's action as the command expects it, an invalid one is refused with a
 * message naming the flag. The documented "none" values are also run end to end
 * in a child process, since commander once turned them into "".
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { StaticModel } from "../../src/index.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { expectClose } from "../fixtures/reference.js";
import { cli } from "../fixtures/run-cli.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

type Parsed = { command: string; args: unknown[]; options: Record<string, unknown> } | { error: string };

/** Parses `argv` with the real program, each action replaced by one that records what it was given. */
async function parse(argv: readonly string[]): Promise<Parsed> {
  const program = buildProgram();
  let errors = "";
  let parsed: Parsed | undefined;
  for (const command of [program, ...program.commands]) {
    command.configureOutput({ writeOut: () => {}, writeErr: (text) => void (errors += text) });
  }
  for (const command of program.commands) {
    command.action((...received: unknown[]) => {
      parsed = { command: command.name(), args: received.slice(0, -2), options: command.optsWithGlobals() };
    });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { error: errors };
    throw error;
  }
  return parsed!;
}

/** A command line and what its action receives: some of its options (and its arguments), or an error matching. */
type Case = [argv: string[], expected: { options?: Record<string, unknown>; args?: unknown[] } | RegExp];

const invalid = (flag: string, value: string) => new RegExp(`option '[^']*${flag}[^']*' argument '${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' is invalid`);

const CASES: Record<string, Case[]> = {
  encode: [
    [["encode", "a", "b"], { args: [["a", "b"]], options: { format: "jsonl" } }],
    [["encode", "--model", "m", "x"], { options: { model: "m" } }],
    [["encode", "-m", "m", "x"], { options: { model: "m" } }],
    [["encode", "--file", "in.txt"], { args: [[]], options: { file: "in.txt" } }],
    [["encode", "-f", "-"], { options: { file: "-" } }],
    [["encode", "--format", "npy", "-o", "v.npy", "x"], { options: { format: "npy", output: "v.npy" } }],
    [["encode", "--format", "safetensors", "--output", "v.st", "x"], { options: { format: "safetensors", output: "v.st" } }],
    [["encode", "--format", "json", "x"], { options: { format: "json" } }],
    [["encode", "--batch-size", "32", "x"], { options: { batchSize: 32 } }],
    [["encode", "--max-length", "16", "x"], { options: { maxLength: 16 } }],
    [["encode", "--max-length", "none", "x"], { options: { maxLength: "none" } }],
    [["encode", "--max-length", "None", "x"], { options: { maxLength: "none" } }],
    [["encode", "--normalize", "x"], { options: { normalize: true } }],
    [["encode", "--no-normalize", "x"], { options: { normalize: false } }],
    [["encode", "--quiet", "--verbose", "--offline", "x"], { options: { quiet: true, verbose: true, offline: true } }],
    [["encode", "--format", "xml", "x"], invalid("--format", "xml")],
    [["encode", "--batch-size", "0", "x"], invalid("--batch-size", "0")],
    [["encode", "--batch-size", "1.5", "x"], invalid("--batch-size", "1.5")],
    [["encode", "--max-length", "0", "x"], invalid("--max-length", "0")],
    [["encode", "--max-length", "nothing", "x"], invalid("--max-length", "nothing")],
    [["encode", "--model"], /option '-m, --model <idOrPath>' argument missing/],
  ],
  info: [
    [["info"], { args: [undefined], options: {} }],
    [["info", "some/model", "--json"], { args: ["some/model"], options: { json: true } }],
    [["info", "a", "b"], /too many arguments for 'info'/],
  ],
  quantize: [
    [["quantize", "in", "out", "--to", "int8"], { args: ["in", "out"], options: { to: "int8" } }],
    [["quantize", "in", "out", "--dimensionality", "8"], { options: { dimensionality: 8 } }],
    [["quantize", "in", "out", "--vocabulary-quantization", "64"], { options: { vocabularyQuantization: 64 } }],
    [["quantize", "in", "out", "--to", "float16", "--license", "apache-2.0"], { options: { license: "apache-2.0" } }],
    [["quantize", "in", "out", "--to", "float16", "--force"], { options: { force: true } }],
    [["quantize", "in"], /missing required argument 'outputDir'/],
    [["quantize", "in", "out", "--to", "int4"], invalid("--to", "int4")],
    [["quantize", "in", "out", "--dimensionality", "0"], invalid("--dimensionality", "0")],
    [["quantize", "in", "out", "--vocabulary-quantization", "x"], invalid("--vocabulary-quantization", "x")],
    [["quantize", "in", "out", "--license", "not a licence"], invalid("--license", "not a licence")],
  ],
  distill: [
    [["distill", "teacher", "out"], { args: ["teacher", "out"], options: {} }],
    [["distill", "t", "o", "--pca-dims", "128"], { options: { pcaDims: 128 } }],
    [["distill", "t", "o", "--pca-dims", "0.9"], { options: { pcaDims: 0.9 } }],
    [["distill", "t", "o", "--pca-dims", "auto"], { options: { pcaDims: "auto" } }],
    [["distill", "t", "o", "--pca-dims", "none"], { options: { pcaDims: "none" } }],
    [["distill", "t", "o", "--vocabulary", "words.txt"], { options: { vocabulary: "words.txt" } }],
    [["distill", "t", "o", "--quantize-to", "int8"], { options: { quantizeTo: "int8" } }],
    [["distill", "t", "o", "--pooling", "first"], { options: { pooling: "first" } }],
    [["distill", "t", "o", "--vocabulary-quantization", "100"], { options: { vocabularyQuantization: 100 } }],
    [["distill", "t", "o", "--sif-coefficient", "0.001"], { options: { sifCoefficient: 0.001 } }],
    [["distill", "t", "o", "--sif-coefficient", "none"], { options: { sifCoefficient: "none" } }],
    [["distill", "t", "o", "--batch-size", "8"], { options: { batchSize: 8 } }],
    [["distill", "t", "o", "--threads", "2"], { options: { threads: 2 } }],
    [["distill", "t", "o", "--license", "mit"], { options: { license: "mit" } }],
    [["distill", "t", "o", "--pca-dims", "0"], invalid("--pca-dims", "0")],
    [["distill", "t", "o", "--pca-dims", "1.5"], invalid("--pca-dims", "1.5")],
    [["distill", "t", "o", "--quantize-to", "int4"], invalid("--quantize-to", "int4")],
    [["distill", "t", "o", "--pooling", "max"], invalid("--pooling", "max")],
    [["distill", "t", "o", "--sif-coefficient", "2"], invalid("--sif-coefficient", "2")],
    [["distill", "t", "o", "--sif-coefficient", "0"], invalid("--sif-coefficient", "0")],
    [["distill", "t", "o", "--batch-size", "-1"], invalid("--batch-size", "-1")],
    [["distill", "t", "o", "--threads", "many"], invalid("--threads", "many")],
  ],
  train: [
    [["train", "data.csv", "out"], { args: ["data.csv", "out"], options: { textColumn: "text", labelColumn: "label" } }],
    [["train", "d", "o", "--model", "m"], { options: { model: "m" } }],
    [["train", "d", "o", "--format", "jsonl"], { options: { format: "jsonl" } }],
    [["train", "d", "o", "--text-column", "sentence", "--label-column", "tags"], { options: { textColumn: "sentence", labelColumn: "tags" } }],
    [["train", "d", "o", "--max-epochs", "3"], { options: { maxEpochs: 3 } }],
    [["train", "d", "o", "--seed", "0"], { options: { seed: 0 } }],
    [["train", "d", "o", "--license", "cc-by-4.0"], { options: { license: "cc-by-4.0" } }],
    [["train", "d", "o", "--format", "xlsx"], invalid("--format", "xlsx")],
    [["train", "d", "o", "--max-epochs", "0"], invalid("--max-epochs", "0")],
    [["train", "d", "o", "--seed", "-1"], invalid("--seed", "-1")],
  ],
  predict: [
    [["predict", "clf", "a", "b"], { args: ["clf", ["a", "b"]], options: { format: "jsonl" } }],
    [["predict", "clf", "--file", "in.txt"], { args: ["clf", []], options: { file: "in.txt" } }],
    [["predict", "clf", "--format", "text", "x"], { options: { format: "text" } }],
    [["predict", "clf", "--threshold", "0.3", "x"], { options: { threshold: 0.3 } }],
    [["predict", "clf", "--threshold", "1", "x"], { options: { threshold: 1 } }],
    [["predict"], /missing required argument 'classifier'/],
    [["predict", "clf", "--format", "csv", "x"], invalid("--format", "csv")],
    [["predict", "clf", "--threshold", "1.5", "x"], invalid("--threshold", "1.5")],
    [["predict", "clf", "--threshold", "high", "x"], invalid("--threshold", "high")],
  ],
  "export-onnx": [
    [["export-onnx", "in", "out"], { args: ["in", "out"], options: {} }],
    [["export-onnx", "in"], /missing required argument 'outputDir'/],
  ],
};

describe("every option of every command, through the real parser", () => {
  for (const [command, cases] of Object.entries(CASES)) {
    it(`${command}: valid values reach the action, invalid ones name the flag`, async () => {
      for (const [argv, expected] of cases) {
        const parsed = await parse(argv);
        const label = argv.join(" ");
        if (expected instanceof RegExp) {
          expect("error" in parsed, label).toBe(true);
          expect((parsed as { error: string }).error, label).toMatch(expected);
          continue;
        }
        expect(parsed, label).not.toHaveProperty("error");
        const { args, options } = parsed as Exclude<Parsed, { error: string }>;
        if (expected.args) expect(args, label).toEqual(expected.args);
        expect(options, label).toMatchObject(expected.options ?? {});
      }
    });
  }

  it("covers every option and argument of the commands in the table", () => {
    const program = buildProgram();
    for (const [name, cases] of Object.entries(CASES)) {
      const command = program.commands.find((c) => c.name() === name)!;
      const tested = cases.flatMap(([argv]) => argv).join(" ");
      for (const option of command.options) expect(tested, `${name} ${option.long}`).toMatch(new RegExp(`${option.long}\\b|${option.short ?? "\u0000"}\\b`));
    }
  });
});

describe("'none' reaches the library (child process)", () => {
  let modelDir: string;
  let work: string;

  beforeAll(async () => {
    modelDir = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 8, seed: 5 }), "model2vec");
    work = await mkdtemp(join(tmpdir(), "m2v-cli-options-"));
  });

  it("encode --max-length none keeps every token", async () => {
    // 601 tokens: the default cut (512) drops the last word, "none" keeps it.
    const text = `${"hello world ".repeat(300)}fox`;
    const model = await StaticModel.fromPretrained(modelDir);
    const [none, cut] = await Promise.all([
      cli(["encode", "--model", modelDir, "--max-length", "none", text]),
      cli(["encode", "--model", modelDir, text]),
    ]);
    expect(none.code, none.stderr).toBe(0);
    expect(cut.code, cut.stderr).toBe(0);
    const noneRow = Float32Array.from(JSON.parse(none.stdout) as number[]);
    expectClose(noneRow, model.encode([text], { maxLength: null }).data);
    expectClose(Float32Array.from(JSON.parse(cut.stdout) as number[]), model.encode([text]).data);
    expect(none.stdout).not.toBe(cut.stdout);
  });

  it("distill --pca-dims none --sif-coefficient none saves a model without PCA or SIF", async () => {
    const teacher = join(process.cwd(), "test/fixtures/tiny-bert");
    const [none, values] = await Promise.all([
      cli(["distill", teacher, join(work, "none"), "--pca-dims", "none", "--sif-coefficient", "none", "--quiet"]),
      cli(["distill", teacher, join(work, "values"), "--pca-dims", "16", "--sif-coefficient", "0.01", "--quiet"]),
    ]);
    expect(none.code, none.stderr).toBe(0);
    expect(values.code, values.stderr).toBe(0);
    const config = async (folder: string) => JSON.parse(await readFile(join(work, folder, "config.json"), "utf8")) as Record<string, unknown>;
    expect(await config("none")).toMatchObject({ apply_pca: null, sif_coefficient: null, hidden_dim: 32 });
    expect(await config("values")).toMatchObject({ apply_pca: 16, sif_coefficient: 0.01, hidden_dim: 16 });
  });

  it("distill --sif-coefficient outside (0, 1) is a usage error naming the flag", async () => {
    const run = await cli(["distill", "teacher", join(work, "never"), "--sif-coefficient", "2"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--sif-coefficient <s|none>' argument '2' is invalid");
  });

  it("a value the library refuses is reported with the flag's name, not the API option's", async () => {
    const run = await cli(["quantize", modelDir, join(work, "q"), "--vocabulary-quantization", "100000", "--quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: --vocabulary-quantization 100000 exceeds the model's \d+ tokens\n$/);
  });
});
