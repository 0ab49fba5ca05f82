/** quantizeModel: dtype conversion, dimensionality cuts and k-means vocabulary quantization, as Python's quantize_model. */
import { describe, expect, it } from "vitest";
import { Embeddings, InvalidInputError, StaticModel } from "../../src/index.js";
import { quantizeEmbeddings } from "../../src/quantize/dtype.js";
import { quantizeModel } from "../../src/model/quantize-model.js";
import { quantizeVocabulary } from "../../src/quantize/quantize-table.js";
import { loadGenerated } from "../fixtures/index.js";
import { maxRelativeError } from "../fixtures/reference.js";
import { cosine } from "../../src/evaluate/metrics/correlation.js";

const TEXTS = ["hello world", "the quick brown fox", "hello", "the the world", "jumps over the lazy dog"];


function rowNorm(table: Float32Array, row: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += table[row * dim + j]! ** 2;
  return Math.sqrt(sum);
}

/** Token ids whose own string tokenizes back to just that id, so `encode(token)` looks up one row. */
function selfTokenizing(model: StaticModel): number[] {
  const ids: number[] = [];
  model.tokens.forEach((token, id) => {
    const encoded = model.tokenize(token);
    if (encoded.length === 1 && encoded[0] === id) ids.push(id);
  });
  return ids;
}

describe("quantizeModel: the new model", () => {
  it("is a separate model with copied config and table, keeping normalize, base model and language", () => {
    const { model } = loadGenerated({ dim: 16 });
    model.baseModelName = "org/teacher";
    model.language = ["en", "fr"];
    const before = model.embedding.data.slice();
    const result = quantizeModel(model, { quantizeTo: "float16", dimensionality: 8 });
    expect(result).not.toBe(model);
    expect(result.tokenizer).toBe(model.tokenizer);
    expect(result.config).toEqual(model.config);
    expect(result.config).not.toBe(model.config);
    expect([result.normalize, result.baseModelName, result.language]).toEqual([true, "org/teacher", ["en", "fr"]]);
    expect(Array.from(model.embedding.data)).toEqual(Array.from(before));
    expect([model.dim, model.embeddingDtype]).toEqual([16, "float32"]);
    result.config.extra = 1;
    expect(model.config.extra).toBeUndefined();

    const unnormalized = loadGenerated({ dim: 16 }, { normalize: false }).model;
    expect(quantizeModel(unnormalized, { quantizeTo: "int8" }).normalize).toBe(false);
  });

  it("copies everything even with no option set", () => {
    const { model } = loadGenerated({ dim: 16, clusters: 12 });
    for (const options of [{}, { quantizeTo: null, dimensionality: null, vocabularyQuantization: null }, { dimensionality: 0 }]) {
      const result = quantizeModel(model, options);
      expect(Array.from(result.embedding.data)).toEqual(Array.from(model.embedding.data));
      expect(result.embedding.data.buffer).not.toBe(model.embedding.data.buffer);
      expect(Array.from(result.mapping!)).toEqual(Array.from(model.mapping!));
      expect(result.mapping).not.toBe(model.mapping);
      expect(Array.from(result.weights!)).toEqual(Array.from(model.weights!));
      expect(result.weights).not.toBe(model.weights);
      expect(result.embeddingDtype).toBe("float32");
      expect(Array.from(result.encode("hello world"))).toEqual(Array.from(model.encode("hello world")));
    }
  });

  it("rejects a bad model, options or dtype, naming the option", () => {
    const { model } = loadGenerated();
    expect(() => quantizeModel({} as StaticModel, {})).toThrow(InvalidInputError);
    expect(() => quantizeModel(model, null as unknown as {})).toThrow(/options object/);
    expect(() => quantizeModel(model, { quantizeTo: "int4" as "int8" })).toThrow(InvalidInputError);
    expect(() => quantizeModel(model, { quantizeTo: "int4" as "int8" })).toThrow(
      'quantizeTo must be one of "float16", "float32", "float64", "int8", got "int4"',
    );
  });
});

describe("quantizeModel: quantizeTo", () => {
  const { model } = loadGenerated({ dim: 16 });
  const original = model.encode(TEXTS);

  it("float16 stores half-precision values and encodes almost as float32", () => {
    const result = quantizeModel(model, { quantizeTo: "float16" });
    expect(result.embeddingDtype).toBe("float16");
    expect(Array.from(result.embedding.data)).toEqual(Array.from(quantizeEmbeddings(model.embedding.data, "float16")));
    expect(Array.from(result.embedding.data)).not.toEqual(Array.from(model.embedding.data));
    const encoded = result.encode(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) expect(cosine(encoded.row(i), original.row(i))).toBeGreaterThan(0.9999);
  });

  it("int8 stores the rounded integers, with no scale, and encodes with cosine > 0.99 to float32", () => {
    const result = quantizeModel(model, { quantizeTo: "int8" });
    expect(result.embeddingDtype).toBe("int8");
    const values = result.embedding.data;
    expect(Array.from(values).every((v) => Number.isInteger(v) && v >= -127 && v <= 127)).toBe(true);
    expect(Math.max(...Array.from(values, Math.abs))).toBe(127);
    expect(Array.from(values)).toEqual(Array.from(quantizeEmbeddings(model.embedding.data, "int8")));
    const encoded = result.encode(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) expect(cosine(encoded.row(i), original.row(i))).toBeGreaterThan(0.99);
    // Unnormalized outputs are the integers' mean: about 127 / max|E| times the float ones.
    const raw = result.encode("hello", { normalize: false });
    const scale = 127 / Math.max(...Array.from(model.embedding.data, Math.abs));
    const expected = model.encode("hello", { normalize: false }).map((v) => v * scale);
    // Rounding moves each value by at most 0.5, plus the float16 buffer's 2^-11 relative step.
    for (let j = 0; j < 16; j++) expect(Math.abs(raw[j]! - expected[j]!)).toBeLessThanOrEqual(0.5 + 127 * 2 ** -11);
  });

  it("float32 and float64 keep the values", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const result = quantizeModel(model, { quantizeTo: dtype });
      expect(result.embeddingDtype).toBe(dtype);
      expect(Array.from(result.embedding.data)).toEqual(Array.from(model.embedding.data));
    }
  });

  it("converts from the model's own dtype: nothing to do when it is already that dtype", () => {
    const half = loadGenerated({ dim: 16, dtype: "F16" }).model;
    expect(half.embeddingDtype).toBe("float16");
    expect(Array.from(quantizeModel(half, { quantizeTo: "float16" }).embedding.data)).toEqual(Array.from(half.embedding.data));
    const int8 = loadGenerated({ dim: 16, dtype: "I8" }).model;
    expect(int8.embeddingDtype).toBe("int8");
    expect(Array.from(quantizeModel(int8, { quantizeTo: "int8" }).embedding.data)).toEqual(Array.from(int8.embedding.data));
    expect(Array.from(quantizeModel(half, { quantizeTo: "int8" }).embedding.data)).toEqual(
      Array.from(quantizeEmbeddings(half.embedding.data, "int8", { sourceDtype: "float16" })),
    );
  });
});

describe("quantizeModel: dimensionality", () => {
  const { model } = loadGenerated({ dim: 16 });

  it("keeps the first columns of every row", () => {
    const result = quantizeModel(model, { dimensionality: 5 });
    expect([result.dim, result.embedding.rows]).toEqual([5, model.embedding.rows]);
    for (const row of [0, 1, 100, model.embedding.rows - 1]) {
      expect(Array.from(result.embedding.row(row))).toEqual(Array.from(model.embedding.row(row).subarray(0, 5)));
    }
    expect(result.encode("hello world").length).toBe(5);
    expect(Array.from(quantizeModel(model, { dimensionality: 16 }).embedding.data)).toEqual(Array.from(model.embedding.data));
  });

  it("refuses more dimensions than the model has, or a non-integer", () => {
    expect(() => quantizeModel(model, { dimensionality: 17 })).toThrow(InvalidInputError);
    expect(() => quantizeModel(model, { dimensionality: 17 })).toThrow("dimensionality 17 exceeds the model's dimension 16");
    for (const bad of [2.5, -1, NaN, "4"]) {
      expect(() => quantizeModel(model, { dimensionality: bad as number })).toThrow(/^dimensionality must be a positive integer, got /);
    }
  });

  it("cuts after the dtype conversion, so the int8 scale comes from every column", () => {
    // The largest value (8) sits in the last column, which the cut removes.
    const rows = Array.from({ length: model.tokens.length }, (_, i) => [((i % 7) - 3) / 4, ((i % 5) - 2) / 3, i === 3 ? 8 : 0.5]);
    const custom = new StaticModel({ embeddings: Embeddings.fromRows(rows), tokenizer: model.tokenizer, normalize: true });
    const result = quantizeModel(custom, { quantizeTo: "int8", dimensionality: 2 });
    const full = quantizeEmbeddings(custom.embedding.data, "int8");
    expect(Array.from(result.embedding.data)).toEqual(Array.from(full).filter((_, i) => i % 3 !== 2));
    // Quantizing the cut table instead would rescale so that 0.75 maps to 127.
    expect(Math.max(...Array.from(result.embedding.data))).toBe(12); // 0.75 / (8 / 127) = 11.9 → 12
  });
});

describe("quantizeModel: vocabularyQuantization", () => {
  const { generated, model } = loadGenerated({ dim: 16 });
  const vocab = model.tokens.length;
  const { table, dim } = generated;

  it("with one cluster per token, reproduces every row as centroid × weight", () => {
    const result = quantizeModel(model, { vocabularyQuantization: vocab });
    expect(result.vocabularyQuantization).toBe(vocab);
    expect(result.mapping!.length).toBe(vocab);
    expect(new Set(result.mapping).size).toBe(vocab);
    for (let t = 0; t < vocab; t++) {
      const weight = result.weights![t]!;
      expect(weight).toBeCloseTo(rowNorm(table, t, dim), 5);
      const row = result.embedding.row(result.mapping![t]!).map((v) => v * weight);
      expect(maxRelativeError(row, table.subarray(t * dim, (t + 1) * dim))).toBeLessThan(1e-5);
    }
    const encoded = result.encode(TEXTS);
    const original = model.encode(TEXTS);
    expect(maxRelativeError(encoded.data, original.data)).toBeLessThan(1e-4);
  });

  it("maps every token to one of K unit-scale centroids, with the row norms as weights", () => {
    const k = 150;
    const result = quantizeModel(model, { vocabularyQuantization: k });
    expect([result.embedding.rows, result.dim, result.vocabularyQuantization]).toEqual([k, dim, k]);
    expect(result.mapping!.length).toBe(vocab);
    expect(Array.from(result.mapping!).every((c) => Number.isInteger(c) && c >= 0 && c < k)).toBe(true);
    expect(Array.from(result.weights!)).toEqual(Array.from({ length: vocab }, (_, t) => Math.fround(rowNorm(table, t, dim))));
    // Rows were normalized before clustering, so the centroids have norm ≤ 1.
    for (let c = 0; c < k; c++) expect(rowNorm(result.embedding.data, c, dim)).toBeLessThanOrEqual(1 + 1e-6);

    // A token alone in its cluster encodes exactly as before.
    const sizes = new Map<number, number>();
    for (const c of result.mapping!) sizes.set(c, (sizes.get(c) ?? 0) + 1);
    const alone = selfTokenizing(model).filter((t) => sizes.get(result.mapping![t]!) === 1);
    expect(alone.length).toBeGreaterThan(20);
    for (const t of alone) {
      const token = model.tokens[t]!;
      expect(maxRelativeError(result.encode(token), model.encode(token))).toBeLessThan(1e-5);
    }
    // Others are approximations.
    const encoded = result.encode(TEXTS);
    const original = model.encode(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) expect(cosine(encoded.row(i), original.row(i))).toBeGreaterThan(0.5);
  });

  it("clusters the rows as they are and keeps the weights when the model has some", () => {
    const weighted = loadGenerated({ dim: 16, weights: true });
    const result = quantizeModel(weighted.model, { vocabularyQuantization: vocab });
    expect(Array.from(result.weights!)).toEqual(Array.from(weighted.model.weights!));
    for (let t = 0; t < vocab; t++) {
      expect(Array.from(result.embedding.row(result.mapping![t]!))).toEqual(Array.from(weighted.generated.table.subarray(t * dim, (t + 1) * dim)));
    }
    expect(maxRelativeError(result.encode(TEXTS).data, weighted.model.encode(TEXTS).data)).toBeLessThan(1e-5);
  });

  it("runs k-means first, then the dtype, then the cut", () => {
    const result = quantizeModel(model, { vocabularyQuantization: 40, quantizeTo: "int8", dimensionality: 6 });
    const clustered = quantizeModel(model, { vocabularyQuantization: 40 });
    expect([result.embedding.rows, result.dim, result.embeddingDtype]).toEqual([40, 6, "int8"]);
    expect(Array.from(result.mapping!)).toEqual(Array.from(clustered.mapping!));
    const expected = Array.from(quantizeEmbeddings(clustered.embedding.data, "int8")).filter((_, i) => i % dim < 6);
    expect(Array.from(result.embedding.data)).toEqual(expected);
  });

  it("is deterministic and passes k-means settings through", () => {
    const a = quantizeModel(model, { vocabularyQuantization: 30 });
    const b = quantizeModel(model, { vocabularyQuantization: 30 });
    expect(Array.from(b.mapping!)).toEqual(Array.from(a.mapping!));
    expect(Array.from(b.embedding.data)).toEqual(Array.from(a.embedding.data));
    const other = quantizeModel(model, { vocabularyQuantization: 30, kmeans: { seed: 7, nInit: 2 } });
    expect(Array.from(other.embedding.data)).not.toEqual(Array.from(a.embedding.data));
  });

  it("keeps a float16 model float16, rounding the centroids and weights", () => {
    const half = loadGenerated({ dim: 16, dtype: "F16" }).model;
    const result = quantizeModel(half, { vocabularyQuantization: 50 });
    expect(result.embeddingDtype).toBe("float16");
    expect(Array.from(quantizeEmbeddings(result.embedding.data, "float16"))).toEqual(Array.from(result.embedding.data));
    expect(Array.from(quantizeEmbeddings(result.weights!, "float16"))).toEqual(Array.from(result.weights!));
  });

  it("gives float32 centroids for an int8 model, whose centres are not integers", () => {
    const int8 = loadGenerated({ dim: 16, dtype: "I8" }).model;
    const result = quantizeModel(int8, { vocabularyQuantization: 50 });
    expect(result.embeddingDtype).toBe("float32");
    expect(quantizeModel(int8, { vocabularyQuantization: 50, quantizeTo: "int8" }).embeddingDtype).toBe("int8");
  });

  it("refuses an already quantized model, too many clusters, or a non-integer", () => {
    const quantized = loadGenerated({ dim: 16, clusters: 10 }).model;
    expect(() => quantizeModel(quantized, { vocabularyQuantization: 5 })).toThrow(InvalidInputError);
    expect(() => quantizeModel(quantized, { vocabularyQuantization: 5 })).toThrow(
      `vocabularyQuantization: the model is already vocabulary-quantized (10 rows for ${vocab} tokens)`,
    );
    // Other steps still apply to it, keeping its mapping and weights.
    const converted = quantizeModel(quantized, { quantizeTo: "float16", dimensionality: 4 });
    expect(Array.from(converted.mapping!)).toEqual(Array.from(quantized.mapping!));
    expect(Array.from(converted.weights!)).toEqual(Array.from(quantized.weights!));
    expect([converted.embedding.rows, converted.dim]).toEqual([10, 4]);

    expect(() => quantizeModel(model, { vocabularyQuantization: vocab + 1 })).toThrow(
      `vocabularyQuantization ${vocab + 1} exceeds the model's ${vocab} tokens`,
    );
    for (const bad of [0, -3, 2.5, "8"]) {
      expect(() => quantizeModel(model, { vocabularyQuantization: bad as number })).toThrow(
        /^vocabularyQuantization must be a positive integer, got /,
      );
    }
  });
});

describe("quantizeVocabulary", () => {
  it("normalizes rows before clustering and returns the norms, zero rows included", () => {
    const embeddings = Embeddings.fromRows([
      [3, 4],
      [0, 0],
      [6, 8],
      [0, -2],
    ]);
    const result = quantizeVocabulary(3, null, embeddings, { kmeans: { nInit: 10 } });
    expect(Array.from(result.weights)).toEqual([5, Math.fround(1e-32), 10, 2]);
    // Rows 0 and 2 share a direction: one centroid at (0.6, 0.8), reproduced at each norm.
    expect(result.mapping[0]).toBe(result.mapping[2]);
    expect(new Set(result.mapping).size).toBe(3);
    const centre = (t: number) => Array.from(result.embeddings.row(result.mapping[t]!));
    expect(centre(0)[0]).toBeCloseTo(0.6, 6);
    expect(centre(0)[1]).toBeCloseTo(0.8, 6);
    expect(centre(1)).toEqual([0, 0]);
    expect(centre(3)).toEqual([0, -1]);
    expect(result.embeddingDtype).toBe("float32");
    expect(() => quantizeVocabulary(5, null, embeddings)).toThrow(InvalidInputError);
    expect(() => quantizeVocabulary(2, new Float32Array(3), embeddings)).toThrow(/3 weights for 4 rows/);
  });
});
