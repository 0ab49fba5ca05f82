import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { Model2VecError, StaticModel } from "../../src/index.js";
import { differentialCorpus } from "../tokenizer/differential-corpus.js";
import { EncodeScratch, encodeRange } from "../../src/model/encode-core.js";
import { poolingTable } from "../../src/model/pooling.js";
import { EncodePool } from "../../src/model/encode-pool.js";
import { loadTokenizer } from "../../src/tokenizer/load-tokenizer.js";
import { loadGenerated } from "../fixtures/index.js";
import { unigramTokenizerJson } from "../fixtures/tokenizers.js";

/** Enough text to cross the multi-core threshold (64 Ki UTF-16 units) several times over. */
const LARGE = differentialCorpus(6_000, 7);
const opened: StaticModel[] = [];

function model(spec: Parameters<typeof loadGenerated>[0] = {}, normalize = true): StaticModel {
  const { model } = loadGenerated({ dim: 48, ...spec }, { normalize });
  opened.push(model);
  return model;
}

/** The shortest prefix of LARGE with at least `units` UTF-16 units. */
function prefixOfUnits(units: number): string[] {
  let total = 0;
  const prefix: string[] = [];
  for (const text of LARGE) {
    if (total >= units) break;
    prefix.push(text);
    total += text.length;
  }
  return prefix;
}

const isShared = (array: Float32Array) => array.buffer instanceof SharedArrayBuffer;

afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.close()));
});

describe("multi-core encode", () => {
  it("gives bit-identical rows in input order, with weights, mapping, normalisation and cuts", () => {
    const variants = [
      model(),
      model({ weights: true }, false),
      model({ clusters: 17, weightsDtype: "F32" }),
      model({ tokenizer: unigramTokenizerJson(), dtype: "F16" }),
      model({ dtype: "I8", weights: true }),
    ];
    for (const m of variants) {
      for (const options of [{}, { maxLength: 3 }, { maxLength: null }, { normalize: false }]) {
        const single = m.encode(LARGE, { ...options, threads: 1 });
        const parallel = m.encode(LARGE, { ...options, threads: 2 });
        expect(isShared(parallel.data)).toBe(true);
        expect(isShared(single.data)).toBe(false);
        expect(parallel.rows).toBe(LARGE.length);
        expect(Buffer.from(parallel.data.buffer).equals(Buffer.from(single.data.buffer))).toBe(true);
      }
    }
  });

  it("starts the pool on a large call only, then uses it from medium calls on; the SIMD kernel's table is in shared memory from the start", () => {
    const m = model();
    const before = m.embedding.data.slice();
    const small = LARGE.slice(0, 20);
    const medium = prefixOfUnits(16 * 1024);
    // With more than one core the kernel memory is shared when the model is made, so starting the pool copies nothing.
    expect(isShared(m.embedding.data)).toBe(availableParallelism() > 1);
    expect(isShared(m.encode(small).data)).toBe(false);
    expect(isShared(m.encode(medium).data)).toBe(false); // too small to start the pool
    m.encode(LARGE); // default threads: every core
    if (availableParallelism() > 1) expect(isShared(m.encode(medium).data)).toBe(true);
    expect(m.embedding.data).toEqual(before);
    expect(isShared(m.encode(small).data)).toBe(false); // below 8 Ki units: never worth waking a worker
  });

  it("without the SIMD kernel (MODEL2VEC_WASM=off), moves the table into shared memory when the pool starts, float16 and int8 tables in their stored form", () => {
    process.env.MODEL2VEC_WASM = "off";
    try {
      for (const dtype of ["F32", "F16", "I8"] as const) {
        const m = model({ dtype });
        const stored = m.storedTable;
        expect(stored.dtype).toBe({ F32: "float32", F16: "float16", I8: "int8" }[dtype]);
        expect(stored.values.buffer instanceof SharedArrayBuffer).toBe(false);
        const single = m.encode(LARGE, { threads: 1 });
        const parallel = m.encode(LARGE);
        if (availableParallelism() > 1) {
          expect(m.storedTable.values.buffer instanceof SharedArrayBuffer).toBe(true);
          expect(m.storedTable.values).toEqual(stored.values);
          expect(isShared(parallel.data)).toBe(true);
        }
        expect(Buffer.from(parallel.data.buffer).equals(Buffer.from(single.data.buffer))).toBe(true);
      }
    } finally {
      delete process.env.MODEL2VEC_WASM;
    }
  });

  it("can be opted out of", () => {
    const m = model();
    expect(isShared(m.encode(LARGE, { threads: 1 }).data)).toBe(false);
  });

  it("rejects a bad threads option", () => {
    const m = model();
    for (const threads of [0, -1, 1.5, Number.NaN, "2"]) {
      expect(() => m.encode(["a"], { threads: threads as number })).toThrow(/threads must be a positive integer/);
    }
  });

  it("propagates an error met in a worker thread, and one met on the calling thread", async () => {
    const { generated } = loadGenerated({ dim: 16 });
    const tokenizer = loadTokenizer(generated.tokenizerJson);
    const table = { dtype: "float32", values: generated.table, rows: generated.table.length / 16, dim: 16 } as const;
    const core = { tokenizer, unkId: tokenizer.unkId, medianTokenLength: 4, source: poolingTable(table, null, null, 2) };
    const pool = EncodePool.open(core, generated.tokenizerJson, 2)!;
    try {
      while (pool.readyWorkers < 1) await new Promise((resolve) => setTimeout(resolve, 10));
      // Chunks hold 2 texts here. The caller claims chunk 0, two long texts; the worker meanwhile claims chunk 1, with the poison.
      // (A fault no public path can reach: StaticModel.encode rejects non-strings up front.)
      const poison = { length: 5 } as unknown as string;
      const texts = Array.from({ length: 64 }, (_, i) => (i < 2 ? "hello world ".repeat(150_000) : "hello"));
      texts[2] = poison;
      expect(() => pool.encode(texts, null, true)).toThrow(new Model2VecError("encode failed in a worker thread: text.replace is not a function"));
      texts[2] = "hello";
      texts[0] = poison;
      expect(() => pool.encode(texts, null, true)).toThrow(/text\.replace is not a function/);
      // The pool still works afterwards, with rows in order.
      texts[0] = "world";
      const rows = pool.encode(texts, null, true);
      const single = new Float32Array(rows.length);
      encodeRange(core, texts, 0, texts.length, null, true, single, new EncodeScratch(core.source));
      expect(rows).toEqual(single);
      expect(pool.usable).toBe(true);
    } finally {
      await pool.close();
    }
    expect(pool.usable).toBe(false);
  });

  it("keeps working on one thread after close()", async () => {
    const m = model();
    const expected = m.encode(LARGE, { threads: 1 }).data;
    m.encode(LARGE, { threads: 2 });
    await m.close();
    const after = m.encode(LARGE, { threads: 2 });
    expect(isShared(after.data)).toBe(false);
    expect(after.data).toEqual(expected);
    await m.close(); // idempotent
  });

  it("never keeps a process alive", async () => {
    const script = fileURLToPath(new URL("./multi-core-exit.fixture.ts", import.meta.url));
    const started = performance.now();
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { timeout: 30_000 });
    expect(stdout.trim()).toBe("encoded 6000 rows on shared memory");
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
