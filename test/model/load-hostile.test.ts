/**
 * Loading hostile model folders and files (issue #13): tables holding NaN or
 * ±Infinity (item 4), spec-valid unaligned safetensors read from disk (item 6),
 * and folders whose files are FIFOs, devices or links out of the folder (item 8).
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelFormatError, StaticModel } from "../../src/index.js";
import { type TensorToWrite, writeSafetensors } from "../../src/formats/safetensors-writer.js";
import type { Dtype } from "../../src/formats/safetensors.js";
import { type GeneratedModel, generateModel, storeAs, tokenWeights, vocabularySize, writeModelFolder } from "../fixtures/models.js";
import { randomMatrix } from "../fixtures/random.js";
import { startStaticServer } from "../fixtures/static-server.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { rejection, thrown } from "../fixtures/errors.js";

const TEXTS = ["hello world", "the fast model"];
const tokenizer = wordPieceTokenizerJson();
const vocab = vocabularySize(tokenizer);
const DIM = 4;

/** A model2vec safetensors file whose table (and optionally weights) has `bad` at one position. */
function poisoned(options: { tableDtype?: Dtype; weightsDtype?: Dtype; row?: number; column?: number; bad: number; into: "embeddings" | "weights" }): Uint8Array {
  const table = randomMatrix(vocab, DIM, 7);
  const weights = tokenWeights(vocab);
  const row = options.row ?? 5;
  if (options.into === "embeddings") table[row * DIM + (options.column ?? 2)] = options.bad;
  else weights[row] = options.bad;
  const tableDtype = options.tableDtype ?? "F32";
  const weightsDtype = options.weightsDtype ?? "F64";
  const tensors: TensorToWrite[] = [
    { name: "embeddings", dtype: tableDtype, shape: [vocab, DIM], data: tableDtype === "F64" ? Float64Array.from(table) : storeAs(table, tableDtype).data },
    { name: "weights", dtype: weightsDtype, shape: [vocab], data: weightsDtype === "F64" ? Float64Array.from(weights) : storeAs(weights, weightsDtype).data },
  ];
  return writeSafetensors(tensors);
}

function fromBuffers(model: Uint8Array): StaticModel {
  return StaticModel.fromBuffers({ model, tokenizer: JSON.stringify(tokenizer), config: { normalize: true } });
}

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function folderWith(safetensors: Uint8Array, readme?: string): Promise<string> {
  const generated: GeneratedModel = { ...generateModel({ tokenizer, dim: DIM }), safetensors };
  const folder = await writeModelFolder(generated, "model2vec", readme === undefined ? {} : { readme });
  folders.push(folder);
  return folder;
}

describe("item 4: NaN and Infinity in the table or weights are refused at load", () => {
  for (const dtype of ["F32", "F16", "BF16", "F64"] as const) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      it(`${dtype} table holding ${bad} at row 5: ModelFormatError naming the tensor, row and column`, () => {
        const error = thrown(() => fromBuffers(poisoned({ tableDtype: dtype, bad, into: "embeddings" })));
        expect(error).toBeInstanceOf(ModelFormatError);
        expect(error.message).toContain(`model.safetensors: tensor "embeddings" holds ${bad}`);
        if (dtype === "F64" && !Number.isNaN(bad)) expect(error.message).toContain("(or a value beyond float32's range)");
        expect(error.message).toContain("at row 5, column 2");
        expect(error.message).toContain("must be a finite number");
      });
    }
  }

  it("an F64 table value beyond float32's range (1e300) is refused as Infinity", () => {
    const error = thrown(() => fromBuffers(poisoned({ tableDtype: "F64", bad: 1e300, row: 11, column: 0, into: "embeddings" })));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toContain(`tensor "embeddings" holds Infinity (or a value beyond float32's range) at row 11, column 0`);
  });

  for (const dtype of ["F64", "F32", "F16", "BF16"] as const) {
    it(`${dtype} weights holding NaN at token 9: ModelFormatError naming "weights" and row 9`, () => {
      const error = thrown(() => fromBuffers(poisoned({ weightsDtype: dtype, bad: Number.NaN, row: 9, into: "weights" })));
      expect(error).toBeInstanceOf(ModelFormatError);
      expect(error.message).toContain('tensor "weights" holds NaN at row 9;');
    });
  }

  it("the same table with finite values loads (control)", () => {
    const model = fromBuffers(poisoned({ bad: 0.25, into: "embeddings" }));
    expect(model.embedding.row(5)[2]).toBe(0.25);
  });

  it("a folder loaded with fromPretrained is refused the same way", async () => {
    const folder = await folderWith(poisoned({ tableDtype: "F16", bad: Number.NaN, row: 3, into: "embeddings" }));
    const error = await rejection(StaticModel.fromPretrained(folder));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toContain(`${join(folder, "model.safetensors")}: tensor "embeddings" holds NaN at row 3, column 2`);
  });

  it("a folder URL loaded with fromUrl is refused the same way", async () => {
    const folder = await folderWith(poisoned({ weightsDtype: "F32", bad: Number.POSITIVE_INFINITY, row: 4, into: "weights" }));
    const server = await startStaticServer(folder);
    try {
      const error = await rejection(StaticModel.fromUrl(`${server.url}/`));
      expect(error).toBeInstanceOf(ModelFormatError);
      expect(error.message).toContain('tensor "weights" holds Infinity at row 4;');
    } finally {
      await server.close();
    }
  });
});

describe("item 6: an unaligned float32 model in a folder (the issue's repro)", () => {
  it("loads the default model saved as float32 with one more header byte, with the same vectors", async () => {
    const original = await StaticModel.fromPretrained(undefined, { quantizeTo: "float32" });
    const folder = await mkdtemp(join(tmpdir(), "m2v-unaligned-"));
    folders.push(folder);
    await original.savePretrained(folder);
    const file = await readFile(join(folder, "model.safetensors"));
    const headerLength = Number(file.readBigUInt64LE(0));
    const shifted = Buffer.concat([file.subarray(0, 8 + headerLength), Buffer.from(" "), file.subarray(8 + headerLength)]);
    shifted.writeBigUInt64LE(BigInt(headerLength + 1), 0);
    expect((8 + headerLength + 1) % 4).not.toBe(0);
    await writeFile(join(folder, "model.safetensors"), shifted);

    const loaded = await StaticModel.fromPretrained(folder);
    expect(loaded.embeddingDtype).toBe("float32");
    expect(loaded.encode(TEXTS).data).toEqual(original.encode(TEXTS).data);
  });
});

describe("item 8: only regular files inside the model folder are read", () => {
  let folder: string;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);

  beforeAll(() => {
    process.on("warning", onWarning);
  });
  afterAll(() => {
    process.off("warning", onWarning);
  });
  afterEach(() => {
    warnings.length = 0;
  });

  beforeAll(async () => {
    folder = await folderWith(generateModel({ tokenizer, dim: DIM }).safetensors);
  });

  async function copyWith(name: string, make: (path: string) => Promise<void>): Promise<string> {
    const copy = await mkdtemp(join(tmpdir(), "m2v-hostile-"));
    folders.push(copy);
    for (const file of ["config.json", "model.safetensors", "tokenizer.json"]) await writeFile(join(copy, file), await readFile(join(folder, file)));
    await make(join(copy, name));
    return copy;
  }

  /** Waits for the warnings process.emitWarning queues on the next tick. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it("a README.md that is a FIFO is skipped with a warning instead of hanging", async () => {
    const copy = await copyWith("README.md", async (path) => {
      execFileSync("mkfifo", [path]);
    });
    const model = await StaticModel.fromPretrained(copy);
    await settled();
    expect(model.encode(TEXTS).rows).toBe(2);
    expect(model.baseModelName).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${join(copy, "README.md")} is not a regular file (it is a named pipe)`);
    expect(warnings[0]).toContain("Loading the model without its card");
  });

  it("a README.md linked to /dev/zero is skipped with a warning instead of growing without end", async () => {
    const copy = await copyWith("README.md", (path) => symlink("/dev/zero", path));
    const model = await StaticModel.fromPretrained(copy);
    await settled();
    expect(model.encode(TEXTS).rows).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${join(copy, "README.md")} is a link to /dev/zero, outside the model folder`);
  });

  it("a README.md over 16 MiB is skipped with a warning", async () => {
    const copy = await copyWith("README.md", (path) => writeFile(path, Buffer.alloc(16 * 1024 * 1024 + 1, 0x61)));
    const model = await StaticModel.fromPretrained(copy);
    await settled();
    expect(model.baseModelName).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${join(copy, "README.md")} is ${16 * 1024 * 1024 + 1} bytes, over the ${16 * 1024 * 1024}-byte limit`);
  });

  it("a README.md linked to a card inside the folder is read", async () => {
    const copy = await copyWith("README.md", async (path) => {
      await mkdir(join(path, "..", "docs"));
      await writeFile(join(path, "..", "docs", "card.md"), "---\nbase_model: org/teacher\n---\n");
      await symlink(join("docs", "card.md"), path);
    });
    const model = await StaticModel.fromPretrained(copy);
    expect(model.baseModelName).toBe("org/teacher");
  });

  for (const name of ["config.json", "tokenizer.json", "model.safetensors"]) {
    it(`${name} linked to /etc/passwd is refused with a ModelFormatError that does not show the file`, async () => {
      const passwd = await readFile("/etc/passwd", "utf8");
      const copy = await copyWith(name, async (path) => {
        await rm(path);
        await symlink("/etc/passwd", path);
      });
      const error = await rejection(StaticModel.fromPretrained(copy));
      expect(error).toBeInstanceOf(ModelFormatError);
      expect(error.message).toContain(`${join(copy, name)} is a link to /etc/passwd, outside the model folder ${copy}`);
      expect(error.message).not.toContain(passwd.split("\n")[0]!);
      expect(error.message).not.toContain("root:");
    });
  }

  it("a tokenizer.json that is a FIFO is not read (the layout reports it missing)", async () => {
    const copy = await copyWith("tokenizer.json", async (path) => {
      await rm(path);
      execFileSync("mkfifo", [path]);
    });
    const error = await rejection(StaticModel.fromPretrained(copy));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toContain(`missing ${join(copy, "tokenizer.json")}`);
  });

  describe("a Hugging Face cache snapshot, whose files link into ../../blobs/", () => {
    let cacheDir: string;
    let snapshot: string;
    const commit = "0123456789abcdef0123456789abcdef01234567";

    beforeAll(async () => {
      cacheDir = await mkdtemp(join(tmpdir(), "m2v-hf-cache-"));
      folders.push(cacheDir);
      const repo = join(cacheDir, "models--org--cached");
      snapshot = join(repo, "snapshots", commit);
      await mkdir(join(repo, "blobs"), { recursive: true });
      await mkdir(join(repo, "refs"), { recursive: true });
      await mkdir(join(snapshot, "0_StaticEmbedding"), { recursive: true });
      await writeFile(join(repo, "refs", "main"), commit);
      const files: Record<string, Uint8Array | string> = {
        "config_sentence_transformers.json": await readFile(join(folder, "config.json")),
        "0_StaticEmbedding/model.safetensors": await readFile(join(folder, "model.safetensors")),
        "0_StaticEmbedding/tokenizer.json": await readFile(join(folder, "tokenizer.json")),
        "README.md": "---\nbase_model: org/teacher\n---\n",
      };
      let etag = 0;
      for (const [path, content] of Object.entries(files)) {
        const blob = `blob${etag++}`;
        await writeFile(join(repo, "blobs", blob), content);
        const depth = path.split("/").length - 1;
        await symlink(`${"../".repeat(depth + 2)}blobs/${blob}`, join(snapshot, path));
      }
    });

    it("loads from the snapshot folder, its 0_StaticEmbedding subfolder, and by id offline", async () => {
      const expected = (await StaticModel.fromPretrained(folder)).encode(TEXTS).data;
      const direct = await StaticModel.fromPretrained(snapshot);
      expect(direct.encode(TEXTS).data).toEqual(expected);
      expect(direct.baseModelName).toBe("org/teacher");
      const parentConfig = await StaticModel.fromPretrained(join(snapshot, "0_StaticEmbedding"));
      expect(parentConfig.encode(TEXTS).data).toEqual(expected);
      const byId = await StaticModel.fromPretrained("org/cached", { cacheDir, localFilesOnly: true });
      expect(byId.encode(TEXTS).data).toEqual(expected);
      expect(warnings).toEqual([]);
    });

    it("a snapshot link that leaves the repository's blobs/ is refused", async () => {
      const other = join(cacheDir, "models--org--cached", "snapshots", "fedcba9876543210fedcba9876543210fedcba98");
      await mkdir(other, { recursive: true });
      for (const file of ["config.json", "tokenizer.json"]) await writeFile(join(other, file), await readFile(join(folder, file)));
      await symlink("/etc/passwd", join(other, "model.safetensors"));
      const error = await rejection(StaticModel.fromPretrained(other));
      expect(error).toBeInstanceOf(ModelFormatError);
      expect(error.message).toContain(`${join(other, "model.safetensors")} is a link to /etc/passwd, outside the model folder`);
    });
  });
});
