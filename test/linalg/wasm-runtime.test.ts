import { afterEach, describe, expect, it } from "vitest";
import { POOL_WASM, POOL_WASM_SHARED } from "../../src/linalg/wasm/pool-wasm.js";
import {
  PAGE_BYTES,
  compiledModule,
  createMemory,
  growMemory,
  instantiate,
  pagesFor,
  sharedMemorySupported,
  wasmKernelsEnabled,
  wasmSimdSupported,
} from "../../src/linalg/wasm/wasm-runtime.js";

describe("wasm runtime", () => {
  afterEach(() => {
    delete process.env.MODEL2VEC_WASM;
  });

  it("detects SIMD in Node 20 and the kernels are on by default", () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(wasmKernelsEnabled()).toBe(true);
  });

  it("MODEL2VEC_WASM=off turns the kernels off, read at each call", () => {
    process.env.MODEL2VEC_WASM = "off";
    expect(wasmKernelsEnabled()).toBe(false);
    delete process.env.MODEL2VEC_WASM;
    expect(wasmKernelsEnabled()).toBe(true);
  });

  it("compiles a kernel once and instantiates it on a plain and on a shared memory", () => {
    expect(compiledModule(POOL_WASM)).toBe(compiledModule(POOL_WASM));
    const plain = instantiate(compiledModule(POOL_WASM), createMemory(10, false));
    expect(Object.keys(plain).sort()).toEqual(["finish", "pool_texts", "sum_f16", "sum_f32", "sum_i8"]);
    expect(sharedMemorySupported()).toBe(true);
    const shared = createMemory(3 * PAGE_BYTES + 1, true);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.buffer.byteLength).toBe(4 * PAGE_BYTES);
    expect(Object.keys(instantiate(compiledModule(POOL_WASM_SHARED), shared))).toContain("finish");
    // A plain module refuses a shared memory: the variants are not interchangeable.
    expect(() => instantiate(compiledModule(POOL_WASM), shared)).toThrow(WebAssembly.LinkError);
  });

  it("sizes memories in whole pages and grows plain ones, detaching the old buffer", () => {
    expect(pagesFor(0)).toBe(1);
    expect(pagesFor(PAGE_BYTES)).toBe(1);
    expect(pagesFor(PAGE_BYTES + 1)).toBe(2);
    const memory = createMemory(PAGE_BYTES, false);
    const before = memory.buffer;
    new Uint8Array(before)[5] = 7;
    expect(growMemory(memory, PAGE_BYTES)).toBe(false);
    expect(growMemory(memory, 2 * PAGE_BYTES + 3)).toBe(true);
    expect(memory.buffer.byteLength).toBe(3 * PAGE_BYTES);
    expect(before.byteLength).toBe(0);
    expect(new Uint8Array(memory.buffer)[5]).toBe(7);
  });
});
