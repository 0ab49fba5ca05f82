/**
 * Option arguments of StaticModel (issue #13, item 10): `threads` beyond the
 * number of cores is capped (1000 threads meant 999 workers, 8.3 GB and over
 * 90 s), and `null` (or any non-object) where an options object belongs is an
 * InvalidInputError naming the method, not a TypeError from reading a property of null.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError, StaticModel } from "../../src/index.js";
import { EncodePool } from "../../src/model/encode-pool.js";
import { threadsOption } from "../../src/model/arguments.js";
import { loadGenerated } from "../fixtures/index.js";
import { rejection, thrown } from "../fixtures/errors.js";

const { model, generated } = loadGenerated();

describe("threads beyond the number of cores", () => {
  afterEach(() => vi.restoreAllMocks());

  it("threadsOption caps 1000 at the cores available", () => {
    expect(threadsOption({ threads: 1000 })).toBe(availableParallelism());
    expect(threadsOption({ threads: 1 })).toBe(1);
    expect(threadsOption({})).toBe(availableParallelism());
  });

  it("encode with threads: 1000 asks the pool for no more threads than cores, and gives the one-thread result", () => {
    const open = vi.spyOn(EncodePool, "open").mockReturnValue(null); // no workers: only the request is checked
    const texts = Array.from({ length: 200 }, (_, i) => `hello world the fast model ${i} `.repeat(20));
    const fresh = StaticModel.fromBuffers({ model: generated.safetensors, tokenizer: generated.tokenizerJson, config: generated.config });
    const many = fresh.encode(texts, { threads: 1000 });
    expect(open).toHaveBeenCalledTimes(1);
    expect(open.mock.calls[0]![2]).toBe(availableParallelism());
    expect(many.data).toEqual(model.encode(texts, { threads: 1 }).data);
  });

  it("still refuses threads that are not positive integers", () => {
    for (const threads of [0, -2, 1.5, Number.NaN]) {
      const error = thrown(() => model.encode("hello", { threads }));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toContain("threads must be a positive integer");
    }
  });
});

describe("null or non-object options", () => {
  const calls: [method: string, given: string, call: () => unknown][] = [
    ["encode", "null", () => model.encode("hello", null as never)],
    ["encode", "number 5", () => model.encode(["hello"], 5 as never)],
    ["encodeAsSequence", "null", () => model.encodeAsSequence("hello", null as never)],
    ["tokenize", "null", () => model.tokenize(["hello"], null as never)],
    ["toFiles", "null", () => model.toFiles(null as never)],
    ["fromBuffers", "null", () => StaticModel.fromBuffers({ model: generated.safetensors, tokenizer: generated.tokenizerJson }, null as never)],
  ];
  for (const [method, given, call] of calls) {
    it(`${method} with options ${given} is an InvalidInputError naming ${method}`, () => {
      const error = thrown(call);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(`${method} options must be an object, got ${given}`);
    });
  }

  it("fromPretrained, savePretrained and pushToHub reject null options with an InvalidInputError", async () => {
    const folder = await mkdtemp(join(tmpdir(), "m2v-null-options-"));
    try {
      for (const [method, promise] of [
        ["fromPretrained", StaticModel.fromPretrained(undefined, null as never)],
        ["savePretrained", model.savePretrained(folder, null as never)],
        ["pushToHub", model.pushToHub("org/name", null as never)],
      ] as const) {
        const error = await rejection(promise);
        expect(error, method).toBeInstanceOf(InvalidInputError);
        expect(error.message).toBe(`${method} options must be an object, got null`);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("omitted options still mean the defaults", () => {
    expect(model.encode("hello world")).toEqual(model.encode("hello world", {}));
    expect(model.tokenize("hello world")).toEqual(model.tokenize("hello world", {}));
  });
});
