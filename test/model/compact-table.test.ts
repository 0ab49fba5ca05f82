/**
 * Issue #16: float16 and int8 tables stay in their stored form in memory, the SIMD
 * kernel pools them as they are, and `embedding` decodes them only when read.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InvalidInputError, StaticModel, readSafetensors } from "../../src/index.js";
import { loadGenerated } from "../fixtures/index.js";
import { wordPieceTokenizerJson } from "../fixtures/tokenizers.js";
import { loadTokenizer } from "../../src/tokenizer/load-tokenizer.js";
import { maxRowRelativeError } from "../fixtures/row-error.js";

const TEXTS = ["hello world", "the quick brown fox", "", "world hello hello", "unknown zzz words"];
const DIM = 16;

afterEach(() => {
  delete process.env.MODEL2VEC_WASM;
});

describe("compact tables", () => {
  for (const [code, dtype, Type, bytes] of [
    ["I8", "int8", Int8Array, 1],
    ["F16", "float16", Uint16Array, 2],
  ] as const) {
    it(`a loaded ${dtype} model holds its table as ${dtype} (${bytes} byte${bytes > 1 ? "s" : ""} a value) and decodes embedding only on demand`, () => {
      const { model, generated } = loadGenerated({ dtype: code, dim: DIM, weights: true });
      const stored = model.storedTable;
      expect(stored.dtype).toBe(dtype);
      expect(stored.values).toBeInstanceOf(Type);
      expect(stored.values.byteLength).toBe(generated.table.length * bytes);
      expect([stored.rows, stored.dim]).toEqual([generated.table.length / DIM, DIM]);
      expect(model.embeddingDtype).toBe(dtype);
      // The decoding is what loading used to keep: exactly the float32 values of the stored ones.
      const embedding = model.embedding;
      expect(embedding.data).toEqual(generated.table);
      expect(model.embedding).toBe(embedding); // reused while referenced
      expect(embedding.data.buffer).not.toBe(stored.values.buffer);
    });

    it(`${dtype}: the SIMD kernel and the JavaScript kernel encode alike (1e-6), both reading the stored ${dtype} values`, () => {
      const { model: simd } = loadGenerated({ dtype: code, dim: DIM, weights: true });
      process.env.MODEL2VEC_WASM = "off";
      const { model: js, generated } = loadGenerated({ dtype: code, dim: DIM, weights: true });
      expect(js.storedTable.dtype).toBe(dtype);
      for (const normalize of [true, false]) {
        const a = simd.encode(TEXTS, { normalize, threads: 1 }).data;
        const b = js.encode(TEXTS, { normalize, threads: 1 }).data;
        expect(maxRowRelativeError(a, b, DIM)).toBeLessThanOrEqual(1e-6);
      }
      // And the JavaScript kernel on the stored values equals a float32 model of the decoded table, bit for bit.
      const decoded = new StaticModel({ embeddings: generated.table, dim: DIM, tokenizer: js.tokenizer, weights: js.weights, normalize: true });
      expect(js.encode(TEXTS, { threads: 1 }).data).toEqual(decoded.encode(TEXTS, { threads: 1 }).data);
    });

    it(`${dtype}: toFiles writes the stored values back unchanged`, () => {
      const { model, generated } = loadGenerated({ dtype: code, dim: DIM });
      const saved = readSafetensors(model.toFiles().get("model.safetensors")!).tensors.get("embeddings")!;
      const original = readSafetensors(generated.safetensors).tensors.get("embeddings")!;
      expect(saved.dtype).toBe(code);
      expect(Buffer.from(saved.bytes).equals(Buffer.from(original.bytes))).toBe(true);
    });
  }

  it("a float32 model's embedding is the table the kernel reads, not a copy", () => {
    const { model, generated } = loadGenerated({ dim: DIM });
    expect(model.storedTable.dtype).toBe("float32");
    expect(model.embedding.data).toBe(model.storedTable.values);
    expect(model.embedding.data).toEqual(generated.table);
  });

  it("quantizing a compact model on load decodes it first (int8 → float16)", async () => {
    const { model } = loadGenerated({ dtype: "I8", dim: DIM });
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const folder = await mkdtemp(join(tmpdir(), "m2v-compact-"));
    try {
      await model.savePretrained(folder);
      const half = await StaticModel.fromPretrained(folder, { quantizeTo: "float16" });
      expect(half.storedTable.dtype).toBe("float32"); // quantization keeps float32 values in memory
      expect(half.embeddingDtype).toBe("float16");
      expect(half.embedding.data).toEqual(model.embedding.data); // small integers are exact in float16
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("StaticModel takes a StoredTable and checks it", () => {
    const tokenizer = loadTokenizer(wordPieceTokenizerJson());
    const rows = tokenizer.vocabulary.length;
    const values = Int8Array.from({ length: rows * 4 }, (_, i) => (i % 7) - 3);
    const model = new StaticModel({ embeddings: { dtype: "int8", values, rows, dim: 4 }, tokenizer });
    expect(model.storedTable.dtype).toBe("int8");
    expect(model.embeddingDtype).toBe("int8");
    expect(Array.from(model.embedding.row(1))).toEqual([1, 2, 3, -3]);
    expect(() => new StaticModel({ embeddings: { dtype: "int8", values: new Float32Array(rows * 4), rows, dim: 4 } as never, tokenizer })).toThrow(
      new InvalidInputError(
        'a StoredTable\'s dtype must be "float32", "float16" or "int8" with values in a Float32Array, Uint16Array or Int8Array, got the string "int8" with Float32Array values',
      ),
    );
    expect(() => new StaticModel({ embeddings: { dtype: "int8", values, rows: rows + 1, dim: 4 }, tokenizer })).toThrow(
      new InvalidInputError(`a StoredTable of ${rows * 4} values cannot form ${rows + 1} rows × 4 columns`),
    );
  });
});
