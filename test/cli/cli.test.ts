/**
 * The `model2vec` CLI end to end: each test runs `node --import tsx src/cli/main.ts`
 * in a child process (no build needed) against a generated model folder.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { StaticModel, decodeFloat32, readSafetensors } from "../../src/index.js";
import { generateModel, writeModelFolder } from "../fixtures/models.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { expectClose } from "../fixtures/reference.js";
import { ROOT, cli } from "../fixtures/run-cli.js";

const TEXTS = ["hello world", "the quick brown fox", "", "unbelievable things happen ✓"];

/** A minimal `.npy` reader: version 1.0/2.0, `<f4`, C order, 2-D. */
function readNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  expect(Array.from(bytes.subarray(0, 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLength;
  expect(start % 64).toBe(0);
  const header = new TextDecoder("latin1").decode(bytes.subarray(major === 1 ? 10 : 12, start));
  expect(header.endsWith("\n")).toBe(true);
  expect(header).toMatch(/'descr': '<f4'/);
  expect(header).toMatch(/'fortran_order': False/);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  const data = new Float32Array(shape[0]! * shape[1]!);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(start + 4 * i, true);
  return { shape, data };
}


function flat(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}

let modelDir: string;
let model: StaticModel;
let work: string;

beforeAll(async () => {
  modelDir = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 12, seed: 7 }), "model2vec");
  model = await StaticModel.fromPretrained(modelDir);
  work = await mkdtemp(join(tmpdir(), "m2v-cli-"));
});

describe("help", () => {
  const commands: Record<string, string[]> = {
    "": ["encode", "info", "quantize", "distill", "evaluate", "train", "predict", "export-onnx", "serve", "--verbose", "--quiet", "--offline"],
    encode: ["--model", "--file", "--format", "--output", "--batch-size", "--max-length", "--normalize", "--no-normalize", "jsonl", "npy", "safetensors", "--verbose", "--quiet"],
    info: ["--json"],
    quantize: ["--to", "--dimensionality", "--vocabulary-quantization", "--force", "float16", "int8"],
    distill: ["--pca-dims", "--vocabulary", "--quantize-to", "--pooling"],
    evaluate: ["--data", "--tasks", "--json"],
    train: ["--model", "--format", "--text-column", "--label-column", "--max-epochs", "--seed", "<data>", "<outputDir>"],
    predict: ["<classifier>", "[texts...]", "--file", "--format", "--threshold", "jsonl", "text"],
    "export-onnx": ["<idOrPath>", "<outputDir>"],
    serve: ["--model", "--host", "--port", "--api-key", "MODEL2VEC_API_KEY"],
  };

  it("every command's --help exits 0 and names its options", async () => {
    const runs = await Promise.all(Object.keys(commands).map((command) => cli(command ? [command, "--help"] : ["--help"])));
    for (const [index, [command, options]] of Object.entries(commands).entries()) {
      const run = runs[index]!;
      expect(run.code, `${command} --help`).toBe(0);
      for (const option of options) expect(run.stdout, `${command} --help names ${option}`).toContain(option);
    }
  });
});

describe("encode", () => {
  it("writes one JSON array per text (jsonl) matching model.encode", async () => {
    const run = await cli(["encode", "--model", modelDir, ...TEXTS]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(TEXTS.length);
    expectClose(flat(lines.map((line) => JSON.parse(line) as number[])), model.encode(TEXTS).data);
  });

  it("writes one JSON array of arrays (json), to a file with --output", async () => {
    const output = join(work, "out.json");
    const run = await cli(["encode", "--model", modelDir, "--format", "json", "--output", output, ...TEXTS]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    const rows = JSON.parse(await readFile(output, "utf8")) as number[][];
    expect(rows).toHaveLength(TEXTS.length);
    expectClose(flat(rows), model.encode(TEXTS).data);
  });

  it("writes a NumPy .npy file of shape (texts, dim)", async () => {
    const output = join(work, "out.npy");
    const run = await cli(["--quiet", "encode", "--model", modelDir, "--format", "npy", "--output", output, ...TEXTS]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const { shape, data } = readNpy(await readFile(output));
    expect(shape).toEqual([TEXTS.length, model.dim]);
    expectClose(data, model.encode(TEXTS).data);
  });

  it("writes a safetensors file with tensor embeddings F32 [texts, dim]", async () => {
    const output = join(work, "out.safetensors");
    const run = await cli(["encode", "--model", modelDir, "--format", "safetensors", "--output", output, ...TEXTS]);
    expect(run.code, run.stderr).toBe(0);
    const file = readSafetensors(new Uint8Array(await readFile(output)));
    const tensor = file.tensors.get("embeddings")!;
    expect(tensor.dtype).toBe("F32");
    expect(tensor.shape).toEqual([TEXTS.length, model.dim]);
    expectClose(decodeFloat32(tensor), model.encode(TEXTS).data);
  });

  it("reads texts from stdin, one per line, and passes --no-normalize and --max-length", async () => {
    const texts = ["the cat sat", "hello world again and again", "fox"];
    const run = await cli(["encode", "--model", modelDir, "--no-normalize", "--max-length", "2", "--batch-size", "2"], {
      input: `${texts.join("\n")}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as number[]);
    expect(rows).toHaveLength(3);
    expectClose(flat(rows), model.encode(texts, { normalize: false, maxLength: 2 }).data);
  });

  it("reads texts from --file (CRLF, final newline, empty line kept)", async () => {
    const texts = ["first line here", "", "third ✓ line"];
    const file = join(work, "texts.txt");
    await writeFile(file, `${texts.join("\r\n")}\r\n`);
    const run = await cli(["encode", "--model", modelDir, "--file", file, "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expectClose(flat(JSON.parse(run.stdout) as number[][]), model.encode(texts).data);
  });

  it("uses the bundled default model when --model is missing", async () => {
    const run = await cli(["encode", "a cat sits on the mat"]);
    expect(run.code, run.stderr).toBe(0);
    const { StaticModel } = await import("../../src/index.js");
    const expected = (await StaticModel.fromPretrained()).encode(["a cat sits on the mat"]).data;
    expectClose(flat([JSON.parse(run.stdout.trim()) as number[]]), expected);
  });

  it("exits 2 for bad usage: npy without --output, an unknown option, an invalid value", async () => {
    const [npy, unknown, invalid] = await Promise.all([
      cli(["encode", "--model", modelDir, "--format", "npy", "hi"]),
      cli(["encode", "--model", modelDir, "--bogus", "hi"]),
      cli(["encode", "--model", modelDir, "--format", "xml", "hi"]),
    ]);
    expect(npy.code).toBe(2);
    expect(npy.stderr).toContain("--output");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
    expect(invalid.code).toBe(2);
  });
});

describe("errors", () => {
  let corrupt: string;

  beforeAll(async () => {
    corrupt = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 12 }), "model2vec");
    const path = join(corrupt, "model.safetensors");
    await truncate(path, Math.floor((await stat(path)).size / 2));
  });

  it("reports a corrupt model in one line, without a stack, exit code 1", async () => {
    const run = await cli(["encode", "--model", corrupt, "hello"]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*model\.safetensors/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe("");
  });

  it("shows the stack with --verbose", async () => {
    const run = await cli(["encode", "--model", corrupt, "hello", "--verbose"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ModelFormatError");
    expect(run.stderr).toMatch(/^\s+at /m);
  });
});

describe("info", () => {
  it("--json reports dims, vocabulary, dtype, layout, normalize, quantization and size", async () => {
    const run = await cli(["info", modelDir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout) as Record<string, unknown>;
    const files = await readdir(modelDir);
    const size = (await Promise.all(files.map(async (f) => (await stat(join(modelDir, f))).size))).reduce((a, b) => a + b, 0);
    expect(info).toMatchObject({
      dimensions: 12,
      vocabularySize: model.tokens.length,
      rows: model.tokens.length,
      dtype: "float32",
      layout: "model2vec",
      normalize: true,
      vocabularyQuantization: null,
      weights: false,
      tokenizer: "WordPiece",
      sizeOnDisk: size,
    });
  });

  it("prints a readable summary and names the sentence-transformers layout", async () => {
    const folder = await writeModelFolder(generateModel({ tokenizer: wordPieceTokenizerJson(), dim: 6, dtype: "F16" }), "sentence-transformers");
    const run = await cli(["info", folder]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/layout:\s+sentence-transformers/);
    expect(run.stdout).toMatch(/dimensions:\s+6/);
    expect(run.stdout).toMatch(/dtype:\s+float16/);
  });
});

describe("quantize", () => {
  it("saves a model that loads, with the new dtype, width and vocabulary", async () => {
    const output = join(work, "quantized");
    const run = await cli(["quantize", modelDir, output, "--to", "float16", "--dimensionality", "8", "--vocabulary-quantization", "16"]);
    expect(run.code, run.stderr).toBe(0);
    const quantized = await StaticModel.fromPretrained(output);
    expect(quantized.dim).toBe(8);
    expect(quantized.embeddingDtype).toBe("float16");
    expect(quantized.vocabularyQuantization).toBe(16);
    expect(quantized.encode("hello world")).toHaveLength(8);
  });

  it("exits 2 when there is nothing to do", async () => {
    const run = await cli(["quantize", modelDir, join(work, "nothing")]);
    expect(run.code).toBe(2);
  });
});

describe("export-onnx", () => {
  it("writes the ONNX model into the output folder", async () => {
    const output = join(work, "onnx");
    const run = await cli(["export-onnx", modelDir, output]);
    expect(run.code, run.stderr).toBe(0);
    expect((await stat(join(output, "onnx", "model.onnx"))).size).toBeGreaterThan(0);
  });
});

describe("serve", () => {
  it("prints the URL, answers, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--model", `tiny=${modelDir}`, "--port", "0", "--quiet"], {
      cwd: ROOT,
      // Served without a key: the variable unset (set but empty, serve refuses it).
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "MODEL2VEC_API_KEY")),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^(http:\/\/\S+)$/m.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(url);
      expect(response.status).toBeLessThan(500);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

describe("train", () => {
  it("fine-tunes a classifier from a CSV file and saves a folder that predicts the training labels", async () => {
    const rows = ["text,label"];
    for (let i = 0; i < 20; i++) rows.push(`hello world hello ${i % 2 ? "there" : "again"},greeting`, `the quick brown fox ${i % 2 ? "jumps" : "runs"},animal`);
    const data = join(work, "train.csv");
    await writeFile(data, `${rows.join("\n")}\n`);
    const out = join(work, "classifier");
    const run = await cli(["train", data, out, "--model", modelDir, "--max-epochs", "30", "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^saved .*classifier \(2 classes, \d+ epochs, best \d+\)\n$/);
    const { StaticModelForClassification } = await import("../../src/train/index.js");
    const classifier = await StaticModelForClassification.fromPretrained(out);
    expect(classifier.predict(["hello world hello there", "the quick brown fox runs"])).toEqual(["greeting", "animal"]);
  });
});
