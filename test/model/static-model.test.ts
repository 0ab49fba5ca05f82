import { describe, expect, it } from "vitest";
import { Embeddings, HuggingFaceTokenizer, InvalidInputError, ModelFormatError, StaticModel } from "../../src/index.js";
import { loadGenerated } from "../fixtures/index.js";
import { tokenMapping, tokenWeights } from "../fixtures/models.js";
import { randomMatrix } from "../fixtures/random.js";
import { maxRelativeError, referenceMean } from "../fixtures/reference.js";
import { unigramTokenizerJson, wordPieceTokenizerJson } from "../fixtures/tokenizers.js";

// Ids in the generated WordPiece vocabulary (checked in the first test).
const HELLO = 188;
const WORLD = 189;
const THE = 141;
const UNK = 1;

describe("StaticModel.encode", () => {
  const { generated, model } = loadGenerated({ dim: 8 });
  const { table, dim } = generated;

  it("tokenizes without special tokens and means the rows, L2-normalised", () => {
    expect(Array.from(model.tokenizer.encode("hello world"))).toEqual([HELLO, WORLD]);
    expect(Array.from(model.tokenizer.encode("the"))).toEqual([THE]);
    const vector = model.encode("hello world");
    expect(vector).toBeInstanceOf(Float32Array);
    expect(maxRelativeError(vector, referenceMean([HELLO, WORLD], table, dim, { normalize: true }))).toBeLessThan(1e-6);
    let norm = 0;
    for (const v of vector) norm += v * v;
    expect(Math.sqrt(norm)).toBeCloseTo(1, 6);
  });

  it("returns one contiguous matrix for a list, equal to encoding each text alone", () => {
    const texts = ["hello world", "the fox", "hello"];
    const result = model.encode(texts);
    expect(result).toBeInstanceOf(Embeddings);
    expect([result.rows, result.dim, result.data.length]).toEqual([3, dim, 3 * dim]);
    for (let i = 0; i < texts.length; i++) expect(Array.from(result.row(i))).toEqual(Array.from(model.encode(texts[i]!)));
    expect(result.row(1).buffer).toBe(result.data.buffer);
    expect(result.toArray()[2]).toEqual(Array.from(result.row(2)));
  });

  it("gives an empty result for an empty list and a zero vector for a text with no tokens", () => {
    const empty = model.encode([]);
    expect([empty.rows, empty.dim, empty.data.length]).toEqual([0, dim, 0]);
    for (const text of ["", "   ", "☃☃☃"]) {
      const vector = model.encode(text);
      expect(vector.length).toBe(dim);
      expect(Array.from(vector).every((v) => v === 0)).toBe(true);
    }
  });

  it("drops unknown tokens before averaging", () => {
    expect(Array.from(model.tokenizer.encode("hello ☃ world"))).toEqual([HELLO, UNK, WORLD]);
    expect(Array.from(model.encode("hello ☃ world"))).toEqual(Array.from(model.encode("hello world")));
    expect(Array.from(model.tokenize("hello ☃ world"))).toEqual([HELLO, WORLD]);
  });

  it("counts duplicate tokens each time", () => {
    const expected = referenceMean([HELLO, HELLO, HELLO, WORLD], table, dim, { normalize: true });
    expect(maxRelativeError(model.encode("hello hello hello world"), expected)).toBeLessThan(1e-6);
  });

  it("removes unknown ids before cutting to maxLength", () => {
    // maxLength 2 keeps 2 × 3 code points, "a ☃ b ", whose tokens are a [UNK] b. Unk removal
    // first leaves a b; cutting first would leave a alone.
    const [a, b] = [model.tokens.indexOf("a"), model.tokens.indexOf("b")];
    expect(Array.from(model.tokenizer.encode("a ☃ b "))).toEqual([a, UNK, b]);
    expect(Array.from(model.tokenize("a ☃ b c d", { maxLength: 2 }))).toEqual([a, b]);
    const expected = referenceMean([a, b], table, dim, { normalize: true });
    expect(maxRelativeError(model.encode("a ☃ b c d", { maxLength: 2 }), expected)).toBeLessThan(1e-6);
  });

  it("cuts the text to maxLength × median token length code points before tokenizing", () => {
    // The median token is 3 code points long ("##x" continuations dominate); check it independently.
    const lengths = model.tokens.map((t) => [...t].length).sort((a, b) => a - b);
    const middle = lengths.length >> 1;
    const median = Math.floor(lengths.length % 2 ? lengths[middle]! : (lengths[middle - 1]! + lengths[middle]!) / 2);
    expect(model.medianTokenLength).toBe(median);
    expect(median).toBe(3);
    // maxLength 2 → 6 code points: "hello world" becomes "hello " → only hello.
    expect(Array.from(model.tokenize("hello world", { maxLength: 2 }))).toEqual([HELLO]);
    // Emoji are one code point each (two UTF-16 units): 9 code points of "😀😀😀😀 hello" are
    // "😀😀😀😀 hell" (tokens [UNK] h ##e ##l ##l, cut to 3 ids); 9 UTF-16 units would keep no letter.
    expect(Array.from(model.tokenize("😀😀😀😀 hello", { maxLength: 3 })).map((id) => model.tokens[id])).toEqual(["h", "##e", "##l"]);
    // With 1-letter words the 1,536-code-point cut keeps all 600 tokens; the id cut keeps 512.
    const long = Array(600).fill("a").join(" ");
    expect(model.tokenize(long, { maxLength: 512 }).length).toBe(512);
    expect(model.tokenize(long).length).toBe(600);
  });

  it("maxLength null disables truncation in encode", () => {
    const text = `${Array(600).fill("the").join(" ")} hello`;
    const truncated = model.encode(text);
    const full = model.encode(text, { maxLength: null });
    const counts = new Map([[THE, 600], [HELLO, 1]]);
    const ids = [...counts].flatMap(([id, n]) => Array<number>(n).fill(id));
    expect(maxRelativeError(full, referenceMean(ids, table, dim, { normalize: true }))).toBeLessThan(1e-5);
    expect(maxRelativeError(truncated, referenceMean([THE], table, dim, { normalize: true }))).toBeLessThan(1e-5);
  });

  it("honours normalize per call, on the model, and at load", () => {
    const raw = referenceMean([HELLO, WORLD], table, dim);
    expect(maxRelativeError(model.encode("hello world", { normalize: false }), raw)).toBeLessThan(1e-6);
    const { model: unnormalized } = loadGenerated({ dim: 8 }, { normalize: false });
    expect(unnormalized.normalize).toBe(false);
    expect(unnormalized.config.normalize).toBe(false);
    expect(maxRelativeError(unnormalized.encode("hello world"), raw)).toBeLessThan(1e-6);
    unnormalized.normalize = true;
    expect(unnormalized.config.normalize).toBe(true);
    expect(Array.from(unnormalized.encode("hello world"))).toEqual(Array.from(model.encode("hello world")));
    expect(() => {
      (unnormalized as { normalize: unknown }).normalize = "yes";
    }).toThrow(InvalidInputError);
  });

  it("defaults normalize to false when the config does not set it, as Python does", () => {
    const { model: bare } = loadGenerated({ config: { model_type: "model2vec" } });
    expect(bare.normalize).toBe(false);
  });

  it("gives the same results whatever the batch size", () => {
    const texts = Array.from({ length: 50 }, (_, i) => `hello ${"the ".repeat(i % 7)} world ${i}`);
    const whole = model.encode(texts);
    const batched = model.encode(texts, { batchSize: 3 });
    expect(Array.from(batched.data)).toEqual(Array.from(whole.data));
  });
});

describe("weights and vocabulary quantization", () => {
  it("multiplies each row by weights[id] of the original token id", () => {
    const { generated, model } = loadGenerated({ weights: true, dim: 6 });
    const weights = tokenWeights(model.tokens.length);
    expect(model.mapping).toBeNull();
    expect(model.vocabularyQuantization).toBeNull();
    const expected = referenceMean([HELLO, WORLD, WORLD], generated.table, 6, { weights, normalize: true });
    expect(maxRelativeError(model.encode("hello world world"), expected)).toBeLessThan(1e-6);
  });

  it("looks rows up through mapping[id] and weights by the original id", () => {
    for (const mappingDtype of ["I32", "I64"] as const) {
      const { generated, model } = loadGenerated({ clusters: 16, mappingDtype, dim: 6 });
      const size = model.tokens.length;
      expect(model.vocabularyQuantization).toBe(16);
      expect(Array.from(model.mapping!)).toEqual(Array.from(tokenMapping(size, 16)));
      const options = { weights: tokenWeights(size), mapping: tokenMapping(size, 16), normalize: true };
      expect(maxRelativeError(model.encode("hello the world"), referenceMean([HELLO, THE, WORLD], generated.table, 6, options))).toBeLessThan(1e-6);
    }
  });

  it("applies weights but neither averages nor normalises in encodeAsSequence", () => {
    const { generated, model } = loadGenerated({ clusters: 16, dim: 4 });
    const size = model.tokens.length;
    const weights = tokenWeights(size);
    const mapping = tokenMapping(size, 16);
    const sequence = model.encodeAsSequence("hello world");
    expect([sequence.rows, sequence.dim]).toEqual([2, 4]);
    [HELLO, WORLD].forEach((id, t) => {
      const expected = Array.from(generated.table.subarray(mapping[id]! * 4, mapping[id]! * 4 + 4), (v) => v * weights[id]!);
      expect(maxRelativeError(sequence.row(t), expected)).toBeLessThan(1e-6);
    });
  });
});

describe("StaticModel.encodeAsSequence and tokenize", () => {
  const { generated, model } = loadGenerated({ dim: 4 });

  it("returns one matrix per text, 0 rows for an empty text, no maxLength by default", () => {
    const [a, b, c] = model.encodeAsSequence(["hello world", "", Array(600).fill("the").join(" ")]);
    expect(a!.rows).toBe(2);
    expect(Array.from(a!.row(1))).toEqual(Array.from(generated.table.subarray(WORLD * 4, WORLD * 4 + 4)));
    expect([b!.rows, b!.dim]).toEqual([0, 4]);
    expect(c!.rows).toBe(600);
    expect(model.encodeAsSequence("the the the", { maxLength: 2 }).rows).toBe(2);
    expect(model.encodeAsSequence([])).toEqual([]);
  });

  it("tokenize returns Int32Arrays of ids, one per text", () => {
    const ids = model.tokenize(["hello world", "", "the"]);
    expect(ids.map((x) => Array.from(x))).toEqual([[HELLO, WORLD], [], [THE]]);
    expect(ids[0]).toBeInstanceOf(Int32Array);
  });
});

describe("bad input", () => {
  const { model } = loadGenerated();

  it("names the index of a non-string entry", () => {
    expect(() => model.encode(["ok", 3 as unknown as string])).toThrow(/index 1 is number 3/);
    expect(() => model.encode(["ok", "fine", null as unknown as string])).toThrow(InvalidInputError);
    expect(() => model.tokenize([undefined as unknown as string])).toThrow(/index 0/);
    expect(() => model.encodeAsSequence(42 as unknown as string)).toThrow(/expected a string or an array of strings/);
  });

  it("rejects bad options by name", () => {
    expect(() => model.encode("x", { maxLength: 0 })).toThrow(/maxLength must be a positive integer/);
    expect(() => model.encode("x", { maxLength: 1.5 })).toThrow(InvalidInputError);
    expect(() => model.encode("x", { batchSize: -1 })).toThrow(/batchSize/);
    expect(() => model.encode("x", { normalize: "no" as unknown as boolean })).toThrow(/normalize must be a boolean/);
  });

  it("handles lone surrogates and NUL bytes as unknown text", () => {
    // A lone surrogate becomes U+FFFD, which BertNormalizer's clean_text removes, as Rust does.
    expect(Array.from(model.tokenize("hello\ud800world"))).toEqual(Array.from(model.tokenize("helloworld")));
    expect(Array.from(model.tokenize("hello \ud800 world"))).toEqual([HELLO, WORLD]);
    expect(Array.from(model.tokenize("\udc00hello"))).toEqual([HELLO]);
    expect(Array.from(model.tokenize("hello\u0000world"))).toEqual(Array.from(model.tokenize("helloworld")));
    expect(model.encode("\ud83d").every((v) => v === 0)).toBe(true);
  });

  it("encodes a 50 MB string quickly by cutting it first", () => {
    const huge = "hello world ".repeat(50 * 1024 * 1024 / 12);
    const started = performance.now();
    const vector = model.encode(huge);
    // 512 × 3 code points = 128 repetitions of "hello world " = 256 tokens.
    expect(Array.from(model.tokenize(huge, { maxLength: 512 })).length).toBe(256);
    expect(performance.now() - started).toBeLessThan(5_000); // guards against a hang, not a benchmark
    expect(maxRelativeError(vector, model.encode("hello world"))).toBeLessThan(1e-5);
  });

  it("encodes 100,000 empty strings to zero vectors", () => {
    const result = model.encode(Array<string>(100_000).fill(""));
    expect(result.rows).toBe(100_000);
    expect(result.data.every((v) => v === 0)).toBe(true);
  });
});

describe("new StaticModel", () => {
  const tokenizer = HuggingFaceTokenizer.fromJSON(unigramTokenizerJson());
  const size = tokenizer.vocabulary.length;

  it("builds from nested rows or a flat Float32Array, with the same results", () => {
    const flat = randomMatrix(size, 3, 7);
    const rows = Array.from({ length: size }, (_, i) => Array.from(flat.subarray(i * 3, i * 3 + 3)));
    const a = new StaticModel({ embeddings: rows, tokenizer, normalize: true });
    const b = new StaticModel({ embeddings: flat, dim: 3, tokenizer, normalize: true });
    expect(a.encode(["hello world"]).data).toEqual(b.encode(["hello world"]).data);
    expect(tokenizer.unkId).toBe(1);
    const ids = Array.from(tokenizer.encode("hello world"));
    expect(maxRelativeError(a.encode("hello world"), referenceMean(ids, flat, 3, { normalize: true }))).toBeLessThan(1e-6);
  });

  it("rejects tables, weights and mappings that do not fit the vocabulary", () => {
    expect(() => new StaticModel({ embeddings: randomMatrix(size - 1, 3, 1), dim: 3, tokenizer })).toThrow(
      new ModelFormatError(`the embedding table has ${size - 1} rows but the tokenizer has ${size} tokens`),
    );
    expect(() => new StaticModel({ embeddings: randomMatrix(size, 3, 1), dim: 3, tokenizer, weights: [1, 2] })).toThrow(/weights has 2 entries/);
    const mapping = new Int32Array(size).fill(0);
    mapping[5] = 4;
    expect(() => new StaticModel({ embeddings: randomMatrix(4, 3, 1), dim: 3, tokenizer, mapping })).toThrow(/mapping\[5\] = 4 is outside the 4 rows/);
    expect(() => new StaticModel({ embeddings: randomMatrix(4, 3, 1), dim: 5, tokenizer })).toThrow(/needs a `dim` that divides it/);
    expect(() => new StaticModel({ embeddings: [[1, 2], [3]], tokenizer })).toThrow(/row 1 has 1 values, expected 2/);
  });

  it("keeps config keys and reports the stored dtype", () => {
    const { model } = loadGenerated({ dtype: "F16", config: { model_type: "model2vec", apply_pca: 64, normalize: true } });
    expect(model.config).toMatchObject({ apply_pca: 64, normalize: true });
    expect(model.embeddingDtype).toBe("float16");
  });
});

describe("tokenizer families through StaticModel", () => {
  it("ignores the padding and truncation inside tokenizer.json", () => {
    // Family A fixture carries truncation max_length 3; family C carries Fixed(0) padding.
    for (const family of ["A", "C"] as const) {
      const { model } = loadGenerated({ tokenizer: wordPieceTokenizerJson({ family }) });
      expect(model.tokenize("the the the the the").length).toBe(5);
    }
  });
});
