/**
 * featurize (tokenlearn's featurize step) with the committed tiny BERT
 * (test/fixtures/tiny-bert) over a generated corpus: shard and manifest contents,
 * text / JSONL corpora, resuming after an abort or a failing corpus, and the
 * sentence-embedding path of a teacher without token outputs.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxTeacher } from "../../src/distill/onnx-teacher.js";
import type { Pooling, Teacher } from "../../src/distill/teacher.js";
import { InvalidInputError, ModelFormatError } from "../../src/errors.js";
import { readSafetensors } from "../../src/formats/safetensors.js";
import { readCorpus } from "../../src/tokenlearn/corpus.js";
import { featurize } from "../../src/tokenlearn/featurize.js";
import { type FeaturizeManifest, readFeaturized, readManifest, readShards } from "../../src/tokenlearn/shards.js";
import { HuggingFaceTokenizer } from "../../src/tokenizer/hf-tokenizer.js";
import { mulberry32 } from "../fixtures/random.js";
import { WORDS } from "../fixtures/words.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/tiny-bert/", import.meta.url));

/** `count` distinct sentences of 1–24 words (every 25th one of 60–90 words, longer than the tiny BERT's 64 positions). */
function sentences(count: number, seed: number): string[] {
  const next = mulberry32(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const words = out.size % 25 === 7 ? 60 + Math.floor(next() * 30) : 1 + Math.floor(next() * 24);
    const sentence = Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]!).join(" ");
    out.add(next() < 0.3 ? `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.` : sentence);
  }
  return [...out];
}

const CORPUS = sentences(300, 42);
/** The tiny BERT's special tokens are ids 0–4: [PAD] [UNK] [CLS] [SEP] [MASK]. */
const SPECIAL_MAX = 4;

let teacher: OnnxTeacher;
let tokenizer: HuggingFaceTokenizer;
let scratch: string;
/** One uninterrupted run over CORPUS (shards of 64, batches of 16), the reference for resumed runs. */
let reference: { texts: string[]; embeddings: Float32Array; dim: number };
let folderCount = 0;
const folder = () => join(scratch, `out-${folderCount++}`);

beforeAll(async () => {
  teacher = await OnnxTeacher.load(FIXTURE, { threads: 1 });
  tokenizer = HuggingFaceTokenizer.fromJSON(teacher.tokenizerJson);
  scratch = await mkdtemp(join(tmpdir(), "m2v-featurize-"));
  const out = folder();
  await featurize({ teacher, corpus: CORPUS, outputDir: out, batchSize: 16, shardSize: 64 });
  reference = await readFeaturized(out);
});
afterAll(async () => {
  await teacher?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The teacher's inputs for a text: with specials, truncated to 64 keeping [SEP]. */
function teacherIds(text: string, maxLength = 64): Int32Array {
  const ids = tokenizer.encodeWithSpecialTokens(text);
  return Int32Array.from(ids.length > maxLength ? [...ids.slice(0, maxLength - 1), ids.at(-1)!] : ids);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function manifestOf(dir: string): Promise<FeaturizeManifest> {
  const manifest = await readManifest(dir);
  expect(manifest).toBeDefined();
  return manifest!;
}

/** Checks a folder holds exactly the reference rows, in contiguous shards, and nothing else. */
async function expectReference(dir: string, shardSize: number): Promise<void> {
  const manifest = await manifestOf(dir);
  const shards = Math.ceil(CORPUS.length / shardSize);
  const names = Array.from({ length: shards }, (_, i) => `shard-${String(i).padStart(5, "0")}`);
  expect((await readdir(dir)).sort()).toEqual(["featurize.json", ...names.flatMap((n) => [`${n}.jsonl`, `${n}.safetensors`])].sort());
  expect(manifest.rows).toBe(CORPUS.length);
  expect(manifest.complete).toBe(true);
  expect(manifest.shards.map((s) => s.rows)).toEqual(names.map((_, i) => Math.min(shardSize, CORPUS.length - i * shardSize)));
  const data = await readFeaturized(dir);
  expect(data.texts).toEqual(reference.texts);
  expect(new Set(data.texts).size).toBe(data.texts.length);
  expect(maxDifference(data.embeddings, reference.embeddings)).toBeLessThan(1e-5);
}

describe("featurize with an ONNX teacher", () => {
  it("writes shards of texts and inner-mean targets, and a manifest", async () => {
    const out = folder();
    const progress: number[] = [];
    const result = await featurize({ teacher, corpus: CORPUS, outputDir: out, shardSize: 128, onProgress: (p) => progress.push(p.rows) });
    expect(result).toEqual({ rows: 300, shards: 3, dim: 32 });
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => Math.min(300, (i + 1) * 32)));

    const manifest = await manifestOf(out);
    expect(manifest).toMatchObject({
      format: "model2vec-featurize",
      version: 1,
      teacher: "tiny-bert",
      dim: 32,
      pooling: "inner-mean",
      maxLength: 64,
      shardSize: 128,
      batchSize: 32,
      maxRows: null,
      rows: 300,
      consumed: 300,
      complete: true,
      exhausted: true,
    });
    expect(manifest.shards).toEqual([
      { embeddings: "shard-00000.safetensors", texts: "shard-00000.jsonl", rows: 128, consumed: 128 },
      { embeddings: "shard-00001.safetensors", texts: "shard-00001.jsonl", rows: 128, consumed: 256 },
      { embeddings: "shard-00002.safetensors", texts: "shard-00002.jsonl", rows: 44, consumed: 300 },
    ]);

    // The files themselves: an F32 [rows, 32] tensor, and one {"text"} line per row.
    const file = readSafetensors(new Uint8Array(await readFile(join(out, "shard-00001.safetensors"))));
    expect(file.tensors.get("embeddings")).toMatchObject({ dtype: "F32", shape: [128, 32] });
    const lines = (await readFile(join(out, "shard-00001.jsonl"), "utf8")).split("\n");
    expect(lines).toHaveLength(129);
    expect(lines[128]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual({ text: CORPUS[128] });

    const shards = [];
    for await (const shard of readShards(out)) shards.push(shard);
    expect(shards.map((s) => [s.index, s.texts.length, s.embeddings.length, s.dim])).toEqual([
      [0, 128, 128 * 32, 32],
      [1, 128, 128 * 32, 32],
      [2, 44, 44 * 32, 32],
    ]);

    // Texts in corpus order; those longer than 64 tokens are stored truncated.
    const texts = shards.flatMap((s) => s.texts);
    const embeddings = new Float32Array(300 * 32);
    shards.forEach((s, i) => embeddings.set(s.embeddings, i * 128 * 32));
    let truncated = 0;
    CORPUS.forEach((text, i) => {
      const ids = tokenizer.encodeWithSpecialTokens(text);
      if (ids.length <= 64) {
        expect(texts[i]).toBe(text);
      } else {
        truncated++;
        // The kept ids decoded without special tokens ([UNK] included), as skip_special_tokens=True does.
        expect(texts[i]).toBe(tokenizer.decode(ids.slice(1, 63).filter((id) => id > SPECIAL_MAX)));
        expect(tokenizer.encodeWithSpecialTokens(texts[i]!).length).toBeLessThanOrEqual(64);
        if (!ids.includes(1)) expect(tokenizer.encodeWithSpecialTokens(texts[i]!)).toEqual([...ids.slice(0, 63), ids.at(-1)]);
      }
    });
    expect(truncated).toBeGreaterThanOrEqual(10);

    // Targets are the teacher's inner-mean of the (truncated) ids, row by row.
    const sample = [0, 7, 32, 127, 128, 182, 299];
    const expected = await teacher.embed(
      sample.map((i) => teacherIds(CORPUS[i]!)),
      "inner-mean",
    );
    sample.forEach((row, k) => {
      expect(maxDifference(embeddings.subarray(row * 32, (row + 1) * 32), expected.subarray(k * 32, (k + 1) * 32))).toBeLessThan(1e-5);
    });
    expect(embeddings.subarray(7 * 32, 8 * 32).some((v) => v !== 0)).toBe(true);

    // Run again: the folder is complete, so the corpus is not even read.
    const untouchable = {
      [Symbol.iterator]: (): Iterator<string> => {
        throw new Error("the corpus was read");
      },
    };
    expect(await featurize({ teacher, corpus: untouchable, outputDir: out, shardSize: 128 })).toEqual({ rows: 300, shards: 3, dim: 32 });
  });

  it("stops at maxRows, and carries on to a larger maxRows later", async () => {
    const out = folder();
    expect(await featurize({ teacher, corpus: CORPUS, outputDir: out, batchSize: 16, shardSize: 64, maxRows: 100 })).toEqual({ rows: 100, shards: 2, dim: 32 });
    expect(await manifestOf(out)).toMatchObject({ rows: 100, consumed: 100, complete: true, exhausted: false, maxRows: 100 });
    expect(await featurize({ teacher, corpus: CORPUS, outputDir: out, batchSize: 16, shardSize: 64, maxRows: 100 })).toEqual({ rows: 100, shards: 2, dim: 32 });
    const more = await featurize({ teacher, corpus: CORPUS, outputDir: out, batchSize: 16, shardSize: 64, maxRows: 1000 });
    expect(more).toEqual({ rows: 300, shards: 6, dim: 32 });
    const manifest = await manifestOf(out);
    expect(manifest.shards.map((s) => s.rows)).toEqual([64, 36, 64, 64, 64, 8]);
    const data = await readFeaturized(out);
    expect(data.texts).toEqual(reference.texts);
    expect(maxDifference(data.embeddings, reference.embeddings)).toBeLessThan(1e-5);
  });

  it("truncates to a smaller maxLength", async () => {
    const out = folder();
    await featurize({ teacher, corpus: CORPUS.slice(0, 40), outputDir: out, maxLength: 8 });
    const data = await readFeaturized(out);
    const expected = await teacher.embed(
      CORPUS.slice(0, 40).map((text) => teacherIds(text, 8)),
      "inner-mean",
    );
    expect(maxDifference(data.embeddings, expected)).toBeLessThan(1e-5);
    for (const text of data.texts) expect(tokenizer.encodeWithSpecialTokens(text).length).toBeLessThanOrEqual(8);
    await expect(featurize({ teacher, corpus: CORPUS, outputDir: out, maxLength: 16 })).rejects.toThrow(/maxLength 8 \(this run: 16\)/);
    await expect(featurize({ teacher, corpus: CORPUS, outputDir: folder(), maxLength: 2 })).rejects.toThrow(InvalidInputError);
  });
});

describe("resuming", () => {
  it("after an abort, keeps only complete shards and finishes without duplicates", async () => {
    const out = folder();
    const controller = new AbortController();
    let batches = 0;
    const run = featurize({
      teacher,
      corpus: CORPUS,
      outputDir: out,
      batchSize: 16,
      shardSize: 64,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 9) controller.abort(new Error("stop here"));
      },
    });
    await expect(run).rejects.toThrow("stop here");
    // 9 batches of 16 = 144 rows: two complete shards; the 16 rows of the third are not kept.
    const partial = await manifestOf(out);
    expect(partial).toMatchObject({ rows: 128, consumed: 128, complete: false });
    expect((await readdir(out)).sort()).toEqual(
      ["featurize.json", "shard-00000.jsonl", "shard-00000.safetensors", "shard-00001.jsonl", "shard-00001.safetensors"].sort(),
    );

    let resumedFrom = -1;
    const result = await featurize({
      teacher,
      corpus: CORPUS,
      outputDir: out,
      batchSize: 16,
      shardSize: 64,
      onProgress: (p) => (resumedFrom = p.resumedRows),
    });
    expect(result).toEqual({ rows: 300, shards: 5, dim: 32 });
    expect(resumedFrom).toBe(128);
    await expectReference(out, 64);
  });

  it("after a corpus that fails midway, removing leftovers of unfinished shards", async () => {
    const out = folder();
    async function* failing(): AsyncGenerator<string> {
      for (const [i, text] of CORPUS.entries()) {
        if (i === 150) throw new Error("the corpus broke");
        yield text;
      }
    }
    await expect(featurize({ teacher, corpus: failing(), outputDir: out, batchSize: 16, shardSize: 64 })).rejects.toThrow("the corpus broke");
    expect(await manifestOf(out)).toMatchObject({ rows: 128, consumed: 128, complete: false });
    // What a crash could leave: a shard renamed into place but not yet in the manifest, and temporary files.
    await writeFile(join(out, "shard-00002.safetensors"), "partial");
    await writeFile(join(out, "shard-00002.jsonl.tmp-1-abcdef"), "partial");
    await writeFile(join(out, "featurize.json.tmp-1-abcdef"), "{");
    await writeFile(join(out, "notes.txt"), "not ours");

    // A resumed run with different settings is refused before anything changes.
    await expect(featurize({ teacher, corpus: CORPUS, outputDir: out, shardSize: 32 })).rejects.toThrow(/shardSize 64 \(this run: 32\)/);

    // Batches of another size do not change the rows.
    expect(await featurize({ teacher, corpus: new Set(CORPUS), outputDir: out, batchSize: 50, shardSize: 64 })).toEqual({ rows: 300, shards: 5, dim: 32 });
    await rm(join(out, "notes.txt"));
    await expectReference(out, 64);
  });

  it("drops texts that give no token to average, counting them as consumed", async () => {
    // Control characters only: the tokenizer gives [CLS] [SEP] and nothing between.
    const corpus = CORPUS.slice(0, 40).flatMap((text, i) => (i % 5 === 0 ? ["\u0001\u0002", text] : [text]));
    expect(tokenizer.encodeWithSpecialTokens("\u0001\u0002")).toHaveLength(2);
    const out = folder();
    const controller = new AbortController();
    let batches = 0;
    const options = { teacher, corpus, outputDir: out, batchSize: 6, shardSize: 8 };
    await expect(featurize({ ...options, signal: controller.signal, onProgress: () => ++batches === 3 && controller.abort() })).rejects.toThrow();
    // 18 texts consumed, 3 of them dropped: one shard of 8 rows, which ends at text 10.
    expect(await manifestOf(out)).toMatchObject({ rows: 8, consumed: 10, shards: [{ rows: 8, consumed: 10 }] });
    expect(await featurize(options)).toEqual({ rows: 40, shards: 5, dim: 32 });
    const manifest = await manifestOf(out);
    expect(manifest).toMatchObject({ rows: 40, consumed: 48 });
    expect(manifest.shards.map((s) => s.consumed)).toEqual([10, 20, 29, 39, 48]);
    const data = await readFeaturized(out);
    expect(data.texts).toEqual(reference.texts.slice(0, 40));
    expect(maxDifference(data.embeddings, reference.embeddings.subarray(0, 40 * 32))).toBeLessThan(1e-5);
  });

  it("refuses a corpus shorter than what was consumed, and a folder of shards without a manifest", async () => {
    const out = folder();
    const controller = new AbortController();
    await expect(
      featurize({ teacher, corpus: CORPUS, outputDir: out, batchSize: 16, shardSize: 32, signal: controller.signal, onProgress: (p) => p.rows >= 96 && controller.abort() }),
    ).rejects.toThrow();
    expect((await manifestOf(out)).consumed).toBe(96);
    await expect(featurize({ teacher, corpus: CORPUS.slice(0, 50), outputDir: out, batchSize: 16, shardSize: 32 })).rejects.toThrow(/has only 50.*same corpus/);

    await rm(join(out, "featurize.json"));
    await expect(featurize({ teacher, corpus: CORPUS, outputDir: out })).rejects.toThrow(/no featurize\.json/);
    await expect(readShards(out).next()).rejects.toThrow(ModelFormatError);
  });
});

describe("readShards", () => {
  it("names the file whose row count does not match", async () => {
    const out = folder();
    await featurize({ teacher, corpus: CORPUS.slice(0, 20), outputDir: out, shardSize: 8 });
    const path = join(out, "shard-00001.jsonl");
    const lines = (await readFile(path, "utf8")).split("\n");
    await writeFile(path, lines.slice(1).join("\n"));
    const read = async () => {
      for await (const _ of readShards(out));
    };
    await expect(read()).rejects.toThrow(/shard-00001\.jsonl has 7 lines; the manifest and shard-00001\.safetensors say 8 rows/);
    await writeFile(path, lines.join("\n"));
    await read();
    await rm(join(out, "shard-00002.safetensors"));
    await expect(read()).rejects.toThrow(/shard-00002\.safetensors could not be read/);
    await expect(featurize({ teacher, corpus: CORPUS, outputDir: out, shardSize: 8, maxRows: 30 })).rejects.toThrow(/lists shard-00002\.safetensors, which is missing/);
  });
});

describe("corpora", () => {
  it("reads a text file (one text per non-empty line) and JSONL with a key, as streams", async () => {
    const texts = CORPUS.slice(0, 30);
    const textFile = join(scratch, "corpus.txt");
    await writeFile(textFile, ["", ...texts.slice(0, 10), "   ", ...texts.slice(10)].join("\r\n") + "\n\n");
    const jsonlFile = join(scratch, "corpus.jsonl");
    const records = texts.map((body, i) => JSON.stringify({ id: i, body }));
    records.splice(5, 0, JSON.stringify({ id: -1, body: "" }), "", JSON.stringify({ id: -2, body: null }));
    await writeFile(jsonlFile, records.join("\n"));
    const gzipFile = join(scratch, "corpus.jsonl.gz");
    await writeFile(gzipFile, gzipSync(records.join("\n")));

    const collect = async (source: Parameters<typeof readCorpus>[0], maxRows?: number) => {
      const out: string[] = [];
      for await (const text of readCorpus(source, { maxRows })) out.push(text);
      return out;
    };
    expect(await collect({ path: textFile })).toEqual(texts);
    expect(await collect({ path: jsonlFile, key: "body" })).toEqual(texts);
    expect(await collect({ path: gzipFile, key: "body" })).toEqual(texts);
    expect(await collect({ path: textFile }, 12)).toEqual(texts.slice(0, 12));
    expect(await collect(["a", "", " ", "b"])).toEqual(["a", "b"]);
    await expect(collect({ path: jsonlFile })).rejects.toThrow(/corpus\.jsonl line 1 has no "text" field \(fields: id, body\)/);
    await expect(collect({ path: join(scratch, "missing.txt") })).rejects.toThrow(/missing\.txt could not be read/);
    await expect(collect({ path: textFile, format: "jsonl" })).rejects.toThrow(/corpus\.txt line 2 is not valid JSON/);
    await expect(collect([1 as unknown as string])).rejects.toThrow(/corpus item 0 is a number/);

    // The same rows as from the array.
    const fromText = folder();
    await featurize({ teacher, corpus: { path: textFile }, outputDir: fromText, batchSize: 16, shardSize: 64 });
    const fromJsonl = folder();
    await featurize({ teacher, corpus: { path: jsonlFile, key: "body" }, outputDir: fromJsonl, batchSize: 16, shardSize: 64, maxRows: 25 });
    const a = await readFeaturized(fromText);
    const b = await readFeaturized(fromJsonl);
    expect(a.texts).toEqual(reference.texts.slice(0, 30));
    expect(b.texts).toEqual(reference.texts.slice(0, 25));
    expect(maxDifference(a.embeddings, reference.embeddings.subarray(0, 30 * 32))).toBeLessThan(1e-5);
    expect(maxDifference(b.embeddings, reference.embeddings.subarray(0, 25 * 32))).toBeLessThan(1e-5);
  });
});

describe("a teacher without token outputs", () => {
  /** A sentence encoder offering only "mean": [length, sum of ids, first id, last id]. */
  function sentenceTeacher(): Teacher & { calls: Int32Array[][]; poolingsAsked: Pooling[] } {
    const calls: Int32Array[][] = [];
    const poolingsAsked: Pooling[] = [];
    return {
      name: "fake-sentence-encoder",
      dim: 4,
      tokenizerJson: teacher.tokenizerJson,
      poolings: ["mean"],
      calls,
      poolingsAsked,
      async embed(batch, pooling) {
        calls.push([...batch]);
        poolingsAsked.push(pooling);
        const out = new Float32Array(batch.length * 4);
        batch.forEach((ids, r) => out.set([ids.length, ids.reduce((a, b) => a + b, 0), ids[0] ?? -1, ids.at(-1) ?? -1], r * 4));
        return out;
      },
    };
  }

  it("stores its sentence embedding of the ids without special tokens", async () => {
    const fake = sentenceTeacher();
    const out = folder();
    const corpus = CORPUS.slice(0, 70);
    expect(await featurize({ teacher: fake, corpus, outputDir: out, batchSize: 32, shardSize: 50 })).toEqual({ rows: 70, shards: 2, dim: 4 });
    expect(fake.poolingsAsked).toEqual(["mean", "mean", "mean"]);
    expect(fake.calls.map((c) => c.length)).toEqual([32, 32, 6]);
    const manifest = await manifestOf(out);
    expect(manifest).toMatchObject({ teacher: "fake-sentence-encoder", dim: 4, pooling: "mean", maxLength: 512 });

    const data = await readFeaturized(out);
    expect(data.texts).toEqual(corpus);
    corpus.forEach((text, i) => {
      const ids = tokenizer.encode(text);
      expect(Array.from(data.embeddings.subarray(i * 4, (i + 1) * 4))).toEqual([ids.length, ids.reduce((a, b) => a + b, 0), ids[0], ids.at(-1)]);
    });
  });

  it("truncates to maxLength without keeping a final special token", async () => {
    const fake = sentenceTeacher();
    const out = folder();
    const corpus = CORPUS.slice(0, 20);
    await featurize({ teacher: fake, corpus, outputDir: out, maxLength: 5 });
    const data = await readFeaturized(out);
    corpus.forEach((text, i) => {
      const ids = tokenizer.encode(text);
      const kept = ids.slice(0, 5);
      expect(data.texts[i]).toBe(ids.length > 5 ? tokenizer.decode(kept.filter((id) => id > SPECIAL_MAX)) : text);
      expect(Array.from(data.embeddings.subarray(i * 4, (i + 1) * 4))).toEqual([kept.length, kept.reduce((a, b) => a + b, 0), kept[0], kept.at(-1)]);
    });
  });
});
