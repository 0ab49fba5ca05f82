import { describe, expect, it } from "vitest";
import { lbfgsb, type Objective } from "../../src/linalg/lbfgs.js";

/** f(x) = ½ xᵀAx − bᵀx for a symmetric positive definite A: the minimiser solves A x = b. */
function quadratic(a: number[][], b: number[]): Objective {
  return (x, grad) => {
    let f = 0;
    for (let i = 0; i < b.length; i++) {
      let ax = 0;
      for (let j = 0; j < b.length; j++) ax += a[i]![j]! * x[j]!;
      grad[i] = ax - b[i]!;
      f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
    }
    return f;
  };
}

/** Rosenbrock's f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1). */
const rosenbrock: Objective = (p, grad) => {
  const x = p[0]!;
  const y = p[1]!;
  grad[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  grad[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

const tight = { maxIter: 1000, pgtol: 1e-10, ftol: 0, maxls: 50 };

describe("lbfgsb", () => {
  it("minimises a 3-d quadratic to the solution of A x = b", () => {
    // A = [[4,1,0],[1,3,1],[0,1,2]], b = A·[1,−2,3] = [2,−2,4]; f* = −½ bᵀx* = −½(2 + 4 + 12) = −9.
    const a = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const result = lbfgsb(quadratic(a, [2, -2, 4]), new Float64Array(3), tight);
    expect(result.converged).toBe(true);
    expect(Array.from(result.x).map((v) => Number(v.toFixed(8)))).toEqual([1, -2, 3]);
    expect(result.f).toBeCloseTo(-9, 12);
    // A 3-d quadratic takes L-BFGS a handful of iterations.
    expect(result.nIter).toBeGreaterThan(0);
    expect(result.nIter).toBeLessThanOrEqual(20);
  });

  it("minimises Rosenbrock's function from (−1.2, 1) to (1, 1)", () => {
    const x0 = Float64Array.from([-1.2, 1]);
    const result = lbfgsb(rosenbrock, x0, tight);
    expect(result.converged).toBe(true);
    expect(result.x).toBe(x0); // the start array is overwritten, not copied
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.f).toBeLessThan(1e-14);
    expect(result.nIter).toBeGreaterThan(10); // the curved valley takes many steps
  });

  it("returns at once, converged, when the start already meets pgtol", () => {
    let calls = 0;
    const counted: Objective = (x, grad) => {
      calls++;
      return rosenbrock(x, grad);
    };
    const result = lbfgsb(counted, Float64Array.from([1, 1]), tight);
    expect(result).toMatchObject({ f: 0, nIter: 0, converged: true });
    expect(calls).toBe(1);
  });

  it("stops unconverged after maxIter iterations", () => {
    const none = lbfgsb(rosenbrock, Float64Array.from([-1.2, 1]), { ...tight, maxIter: 0 });
    expect(none).toMatchObject({ nIter: 0, converged: false });
    expect(Array.from(none.x)).toEqual([-1.2, 1]);
    expect(none.f).toBeCloseTo(24.2, 12); // (2.2)² + 100·(1 − 1.44)² = 4.84 + 19.36

    const three = lbfgsb(rosenbrock, Float64Array.from([-1.2, 1]), { ...tight, maxIter: 3 });
    expect(three).toMatchObject({ nIter: 3, converged: false });
    expect(three.f).toBeLessThan(24.2);
  });

  it("stops converged on the relative decrease test when ftol is loose", () => {
    const loose = lbfgsb(rosenbrock, Float64Array.from([-1.2, 1]), { ...tight, ftol: 1e-1 });
    const full = lbfgsb(rosenbrock, Float64Array.from([-1.2, 1]), tight);
    expect(loose.converged).toBe(true);
    expect(loose.nIter).toBeLessThan(full.nIter);
    expect(loose.f).toBeGreaterThan(full.f);
  });
});
