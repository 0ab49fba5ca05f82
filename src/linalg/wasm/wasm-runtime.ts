/**
 * What every WebAssembly kernel needs: whether SIMD runs here, the compiled module
 * (compiled once, synchronously: the kernels are a few KiB), and memories sized in
 * pages. Kernels import their memory, so the data they read (an embedding table)
 * lives in it from the start and is never copied per call.
 *
 * `MODEL2VEC_WASM=off` in the environment turns the kernels off (the JavaScript
 * fallbacks run instead); tests use it to cover both paths. It is read each time a
 * caller asks, so it applies to what is created after it is set.
 */

/** Bytes in a WebAssembly memory page. */
export const PAGE_BYTES = 65536;

/** `(module (func (result v128) (v128.const i32x4 0 0 0 0)))`: valid only where SIMD is. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

let simd: boolean | undefined;

/** Whether this runtime runs WebAssembly with 128-bit SIMD. */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    try {
      simd = typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simd = false;
    }
  }
  return simd;
}

/** Whether the SIMD kernels may be used: SIMD is supported and `MODEL2VEC_WASM` is not `off`. */
export function wasmKernelsEnabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MODEL2VEC_WASM !== "off" && wasmSimdSupported();
}

/** Whether a shared memory can be made here (SharedArrayBuffer exists: Node, Deno, Bun, cross-origin-isolated pages). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer !== "function") return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

const modules = new Map<string, WebAssembly.Module>();

/** The module of a generated kernel (its base64 bytes), compiled once per process. */
export function compiledModule(base64: string): WebAssembly.Module {
  let module = modules.get(base64);
  if (module === undefined) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    module = new WebAssembly.Module(bytes);
    modules.set(base64, module);
  }
  return module;
}

/** An instance of `module` reading and writing `memory` (imported as `env.memory`). */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WebAssembly.Exports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports;
}

/** Pages that hold `bytes`. */
export function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE_BYTES));
}

/**
 * A memory of at least `bytes`. A shared one has a fixed size (a shared memory
 * needs a maximum; fixing it also means views of it never go stale); a plain one
 * can grow with {@link growMemory}.
 */
export function createMemory(bytes: number, shared: boolean): WebAssembly.Memory {
  const pages = pagesFor(bytes);
  return shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
}

/**
 * Grows `memory` to hold at least `bytes`. Growing a plain memory detaches its old
 * ArrayBuffer: typed-array views made before must be made again.
 *
 * @returns Whether it grew.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  const missing = pagesFor(bytes) - memory.buffer.byteLength / PAGE_BYTES;
  if (missing <= 0) return false;
  memory.grow(missing);
  return true;
}
