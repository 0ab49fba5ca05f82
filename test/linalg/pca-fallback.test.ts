/** pca when worker threads are unavailable or fail: the calling thread computes the same result. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { mulberry32 } from "../fixtures/random.js";

const mode = vi.hoisted(() => ({ value: "real" as "real" | "unavailable" | "failing" }));

vi.mock("../../src/linalg/worker-pool.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/linalg/worker-pool.js")>();
  return {
    ...actual,
    openWorkerPool: async (...args: Parameters<typeof actual.openWorkerPool>) => {
      if (mode.value === "unavailable") return null; // as in a browser
      const pool = await actual.openWorkerPool(...args);
      if (mode.value === "real" || pool === null) return pool;
      // A pool whose workers die on their first task.
      return {
        size: pool.size,
        run: () => Promise.reject(new Error("simulated worker crash")),
        close: () => pool.close(),
      };
    },
  };
});

const { pca } = await import("../../src/linalg/pca.js");

function data(rows: number, cols: number): Float32Array {
  const random = mulberry32(rows + cols);
  return Float32Array.from({ length: rows * cols }, (_, i) => random() + (i % cols) * 0.1 * random());
}

describe("pca without working worker threads", () => {
  afterEach(() => {
    mode.value = "real";
  });

  it("runs on the calling thread, silently, when workers are unavailable", async () => {
    mode.value = "unavailable";
    const x = data(200, 12);
    const warnings: string[] = [];
    const result = await pca(x, 200, 12, 4, { threads: 2, onWarning: (m) => warnings.push(m) });
    const reference = await pca(x, 200, 12, 4, { threads: 1 });
    expect(result!.threads).toBe(1);
    expect(warnings).toEqual([]);
    expect(result!.projected).toEqual(reference!.projected);
  });

  it("warns and recomputes on the calling thread when a worker fails", async () => {
    mode.value = "failing";
    const x = data(200, 12);
    const warnings: string[] = [];
    const result = await pca(x, 200, 12, 4, { threads: 2, onWarning: (m) => warnings.push(m) });
    const reference = await pca(x, 200, 12, 4, { threads: 1 });
    expect(result!.threads).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/PCA on worker threads failed \(simulated worker crash\); computing on the calling thread/);
    expect(result!.projected).toEqual(reference!.projected);
    expect(result!.components).toEqual(reference!.components);
  });
});
