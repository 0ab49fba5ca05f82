/**
 * The dense kernels behind `pca` (pca.ts) and `symmetricEigen` (eigen.ts), on typed arrays.
 *
 * Everything lives inside one factory, {@link createKernels}, that references nothing outside
 * its own body: no imports, no module-level helpers, no globals beyond `Math`, `Number`,
 * `Array`, `Error` and the typed-array constructors. That is what lets the worker pool ship the very same code to a
 * worker thread as source text (`createKernels.toString()`), so the single-threaded and the
 * threaded paths run identical arithmetic. A bundler or minifier may rename anything inside the
 * factory; the text stays self-consistent because nothing crosses its boundary.
 *
 * Keep it that way: a reference to anything declared outside `createKernels` works on the
 * calling thread and fails with a ReferenceError in the workers (the worker-versus-single-thread
 * tests catch it). Keep the kernels as methods of the `kernels` object, not nested function
 * declarations (see worker-pool.ts on esbuild's `keepNames`), and avoid syntax that a
 * down-levelling compiler would turn into calls to module-level helpers (spread, destructuring,
 * `for…of`, classes).
 *
 * Layouts: every matrix is row-major. Accumulation is in Float64 throughout; only the input
 * embeddings and the projected output are Float32.
 *
 * @module
 */

/**
 * The arrays `gemmNT` takes: Float64 in PCA, Float32 in exact search (which calls its own
 * `createKernels()`, so each call site sees one array type).
 */
export type FloatArray = Float32Array | Float64Array;

/** The kernel set returned by {@link createKernels}. */
export type Kernels = ReturnType<typeof createKernels>;

/**
 * Builds the kernel functions. Self-contained by contract (see the module comment).
 *
 * @returns the kernels: `gemmNT`, `covarianceRows`, `projectRows`, `eigenSymmetric` and the
 *   eigensolver's steps.
 */
export function createKernels() {
  /** Rows of input per covariance panel: the d × PANEL_ROWS Float64 panel is 0.8 MB for d = 768. */
  const PANEL_ROWS = 128;
  /** Rows of input per projection block. */
  const PROJECT_ROWS = 64;
  /** Columns (dot-product length) per projection slab, so a slab of the components stays in L2. */
  const PROJECT_DEPTH = 256;
  /** Negligible next to the largest entry (≈ 1) of the scaled matrix in the eigensolver. */
  const EIGEN_TINY = 1e-290;

  const kernels = {
    /**
     * C[i][j] += Σ_l A[i][l] · B[j][l] for an m × p block: the product A·Bᵀ of two row-major
     * operands, i.e. dot products of rows. 4 × 2 register tiles (the fastest shape measured in V8
     * on this code), scalar clean-up on the edges.
     *
     * With `upper` set (A and B the same rows, m = p), tiles entirely below the diagonal are
     * skipped; entries on and above the diagonal are always exact, those below are partial.
     */
    gemmNT(
      A: FloatArray, aOff: number, lda: number,
      B: FloatArray, bOff: number, ldb: number,
      C: FloatArray, cOff: number, ldc: number,
      m: number, p: number, L: number, upper: boolean,
    ): void {
      const m4 = m - (m % 4);
      const p2 = p - (p % 2);
      for (let i = 0; i < m4; i += 4) {
        const jStart = upper ? i - (i % 2) : 0;
        const a0 = aOff + i * lda;
        for (let j = jStart; j < p2; j += 2) {
          kernels.tile4x2(A, a0, lda, B, bOff + j * ldb, ldb, C, cOff + i * ldc + j, ldc, L);
        }
        // Odd last column.
        for (let j = Math.max(p2, jStart); j < p; j++) {
          for (let r = 0; r < 4; r++) {
            C[cOff + (i + r) * ldc + j] = C[cOff + (i + r) * ldc + j]! +
              kernels.dot(A, aOff + (i + r) * lda, B, bOff + j * ldb, L);
          }
        }
      }
      // Last m % 4 rows.
      for (let i = m4; i < m; i++) {
        for (let j = upper ? i : 0; j < p; j++) {
          C[cOff + i * ldc + j] = C[cOff + i * ldc + j]! + kernels.dot(A, aOff + i * lda, B, bOff + j * ldb, L);
        }
      }
    },

    /**
     * The register tile of {@link gemmNT}: C[r][c] += Σ_l A[a + r·lda + l] · B[b + c·ldb + l] for
     * r < 4, c < 2, with C[r][c] at C[o + r·ldc + c]. Branch-free, so that V8 optimises it once,
     * the same way for every caller.
     */
    tile4x2(
      A: FloatArray, a: number, lda: number,
      B: FloatArray, b: number, ldb: number,
      C: FloatArray, o: number, ldc: number, L: number,
    ): void {
      const a1 = a + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      const b1 = b + ldb;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
      for (let l = 0; l < L; l++) {
        const y0 = B[b + l]!;
        const y1 = B[b1 + l]!;
        const x0 = A[a + l]!;
        const x1 = A[a1 + l]!;
        const x2 = A[a2 + l]!;
        const x3 = A[a3 + l]!;
        c00 += x0 * y0; c01 += x0 * y1;
        c10 += x1 * y0; c11 += x1 * y1;
        c20 += x2 * y0; c21 += x2 * y1;
        c30 += x3 * y0; c31 += x3 * y1;
      }
      C[o] = C[o]! + c00; C[o + 1] = C[o + 1]! + c01; o += ldc;
      C[o] = C[o]! + c10; C[o + 1] = C[o + 1]! + c11; o += ldc;
      C[o] = C[o]! + c20; C[o + 1] = C[o + 1]! + c21; o += ldc;
      C[o] = C[o]! + c30; C[o + 1] = C[o + 1]! + c31;
    },

    /** Σ_l A[a + l] · B[b + l] for l < L. */
    dot(A: FloatArray, a: number, B: FloatArray, b: number, L: number): number {
      let s = 0;
      for (let l = 0; l < L; l++) s += A[a + l]! * B[b + l]!;
      return s;
    },

    /**
     * Adds the scatter matrix of rows [rowStart, rowEnd) of `data` (rows × cols, Float32),
     * centred on `mean`, to `out` (cols × cols, Float64): out += Σ_r (x_r − μ)(x_r − μ)ᵀ.
     *
     * Rows are taken PANEL_ROWS at a time, centred in Float64 and transposed into a cols × panel
     * buffer, so every entry of the scatter is a contiguous dot product. Only the upper triangle
     * (j ≥ i) of `out` is meaningful; the caller mirrors it.
     */
    covarianceRows(
      data: Float32Array, cols: number, rowStart: number, rowEnd: number,
      mean: Float64Array, out: Float64Array,
    ): void {
      const panel = new Float64Array(cols * PANEL_ROWS);
      for (let r0 = rowStart; r0 < rowEnd; r0 += PANEL_ROWS) {
        const len = Math.min(PANEL_ROWS, rowEnd - r0);
        for (let t = 0; t < len; t++) {
          const src = (r0 + t) * cols;
          for (let i = 0; i < cols; i++) panel[i * len + t] = data[src + i]! - mean[i]!;
        }
        kernels.gemmNT(panel, 0, len, panel, 0, len, out, 0, cols, cols, cols, len, true);
      }
    },

    /**
     * Writes rows [rowStart, rowEnd) of (data − μ)·Cᵀ into `out` (rows × k, Float32), where
     * `components` is k × cols (Float64). Rows are centred in Float64 PROJECT_ROWS at a time, and
     * the dot products run over PROJECT_DEPTH columns at a time.
     */
    projectRows(
      data: Float32Array, cols: number, rowStart: number, rowEnd: number,
      mean: Float64Array, components: Float64Array, k: number, out: Float32Array,
    ): void {
      const block = new Float64Array(PROJECT_ROWS * cols);
      const acc = new Float64Array(PROJECT_ROWS * k);
      for (let r0 = rowStart; r0 < rowEnd; r0 += PROJECT_ROWS) {
        const len = Math.min(PROJECT_ROWS, rowEnd - r0);
        for (let t = 0; t < len; t++) {
          const src = (r0 + t) * cols;
          const dst = t * cols;
          for (let i = 0; i < cols; i++) block[dst + i] = data[src + i]! - mean[i]!;
        }
        acc.fill(0);
        for (let l0 = 0; l0 < cols; l0 += PROJECT_DEPTH) {
          const depth = Math.min(PROJECT_DEPTH, cols - l0);
          kernels.gemmNT(block, l0, cols, components, l0, cols, acc, 0, k, len, k, depth, false);
        }
        const dst = r0 * k;
        for (let q = 0; q < len * k; q++) out[dst + q] = acc[q]!;
      }
    },

    /**
     * Eigendecomposition of a symmetric n × n matrix, in place: Householder reduction to
     * tridiagonal form, the implicit QL algorithm with shifts on the tridiagonal matrix (the
     * method of EISPACK's tred2/tql2), then the Householder back-transformation of only the
     * eigenvectors asked for. Everything is row-oriented so that inner loops are contiguous, and
     * each hot loop lives in its own small method (V8 optimises those predictably, where one
     * large function would depend on on-stack replacement).
     *
     * @param a the symmetric matrix, row-major; destroyed. Only its upper triangle is read.
     * @param n its order.
     * @param count how many eigenvectors to return (those of the `count` largest eigenvalues).
     * @returns all n `values` in descending order, and `vectors`, count × n row-major with
     *   **row j** the unit eigenvector of `values[j]`. Signs are whatever the algorithm produced.
     * @throws Error when the QL iteration does not converge (only on non-finite input).
     */
    eigenSymmetric(a: Float64Array, n: number, count: number): { values: Float64Array; vectors: Float64Array } {
      // Scale by a power of two (exact) so that the largest entry is near 1: keeps the iteration
      // away from overflow, underflow and subnormal numbers whatever the magnitude of the input.
      let amax = 0;
      for (let i = 0; i < n; i++) {
        for (let c = i; c < n; c++) amax = Math.max(amax, Math.abs(a[i * n + c]!));
      }
      if (amax === 0) {
        const identity = new Float64Array(count * n);
        for (let i = 0; i < count; i++) identity[i * n + i] = 1;
        return { values: new Float64Array(n), vectors: identity };
      }
      const exponent = Math.round(Math.log2(amax));
      // 2^±exponent can overflow for |exponent| > 1023: apply it in two halves.
      const down1 = 2 ** -Math.trunc(exponent / 2);
      const down2 = 2 ** -(exponent - Math.trunc(exponent / 2));
      for (let i = 0; i < n; i++) {
        for (let c = i; c < n; c++) {
          const x = a[i * n + c]! * down1 * down2;
          a[i * n + c] = Math.abs(x) < EIGEN_TINY ? 0 : x; // flush the negligible (and subnormals)
        }
      }

      const d = new Float64Array(n); // diagonal of T, then eigenvalues
      const e = new Float64Array(n); // e[i] = T[i][i + 1]; e[n − 1] = 0
      const beta = new Float64Array(n);
      kernels.tridiagonalize(a, n, d, e, beta);
      const z = kernels.tridiagonalEigen(d, e, n);

      // Sort descending (ties keep the earlier index first) and keep the top `count`.
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((x, y) => d[y]! - d[x]! || x - y);
      const values = new Float64Array(n);
      for (let j = 0; j < n; j++) values[j] = d[order[j]!]! / down1 / down2;
      const vectors = new Float64Array(count * n);
      for (let j = 0; j < count; j++) {
        const src = order[j]!;
        vectors.set(z.subarray(src * n, src * n + n), j * n);
      }

      // Back to the original basis: x = Q y = H_0 (H_1 (⋯ (H_{n−3} y))), for the kept rows.
      for (let k = n - 3; k >= 0; k--) {
        if (beta[k]! !== 0) kernels.reflectRows(vectors, count, a, n, k, beta[k]!);
      }
      return { values, vectors };
    },

    /**
     * Householder reduction T = Qᵀ A Q, Q = H_0 H_1 … H_{n−3}, on the upper triangle of the
     * (scaled) matrix `a`. Fills the diagonal `d` and superdiagonal `e` of T (e[n − 1] = 0), and
     * leaves each H_k = I − β_k v vᵀ as `beta[k]` and v in row k of `a` (positions k + 1 …),
     * which later steps never read again. β_k = 0 means H_k = I.
     */
    tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, beta: Float64Array): void {
      const w = new Float64Array(n);
      for (let k = 0; k < n - 2; k++) {
        const rk = k * n;
        let scale = 0;
        for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[rk + i]!));
        if (scale === 0) {
          e[k] = 0;
          beta[k] = 0;
          continue;
        }
        // Work with x / scale, so that neither σ² nor β can overflow or underflow.
        let sigma2 = 0;
        for (let i = k + 1; i < n; i++) {
          const x = a[rk + i]! / scale;
          a[rk + i] = x;
          sigma2 += x * x;
        }
        const sigma = Math.sqrt(sigma2); // ≥ 1: the largest |x / scale| is 1
        const x0 = a[rk + k + 1]!;
        // H = I − β v vᵀ with v = x/scale + sign(x0) σ e_1 (stored in place) and β = 2 / vᵀv;
        // H x = α e_1 with α = −sign(x0) σ scale.
        const signed = x0 >= 0 ? sigma : -sigma;
        a[rk + k + 1] = x0 + signed;
        const b = 1 / (sigma * (sigma + Math.abs(x0)));
        beta[k] = b;
        e[k] = -signed * scale;
        kernels.householderUpdate(a, n, k, b, w);
      }
      for (let k = 0; k < n; k++) d[k] = a[k * n + k]!;
      if (n >= 2) e[n - 2] = a[(n - 2) * n + n - 1]!;
      if (n >= 1) e[n - 1] = 0;
    },

    /**
     * B ← H B H for the trailing block B = A[k+1 …][k+1 …] (upper triangle) and H = I − β v vᵀ
     * with v in row k: p = β B v, w = p − (β pᵀv / 2) v, B ← B − v wᵀ − w vᵀ. `w` is scratch.
     */
    householderUpdate(a: Float64Array, n: number, k: number, b: number, w: Float64Array): void {
      const rk = k * n;
      // p = β B v from the upper triangle: each stored B[r][c] (c > r) contributes to p[r] and,
      // as B[c][r], to p[c].
      for (let r = k + 1; r < n; r++) w[r] = 0;
      for (let r = k + 1; r < n; r++) {
        const rr = r * n;
        const vr = a[rk + r]!;
        // Two partial sums, so that the additions do not wait on each other.
        let s0 = a[rr + r]! * vr;
        let s1 = 0;
        let c = r + 1;
        for (; c + 1 < n; c += 2) {
          const x0 = a[rr + c]!;
          const x1 = a[rr + c + 1]!;
          s0 += x0 * a[rk + c]!;
          s1 += x1 * a[rk + c + 1]!;
          w[c] = w[c]! + x0 * vr;
          w[c + 1] = w[c + 1]! + x1 * vr;
        }
        if (c < n) {
          const x0 = a[rr + c]!;
          s0 += x0 * a[rk + c]!;
          w[c] = w[c]! + x0 * vr;
        }
        w[r] = w[r]! + s0 + s1;
      }
      let pv = 0;
      for (let r = k + 1; r < n; r++) {
        w[r] = w[r]! * b;
        pv += w[r]! * a[rk + r]!;
      }
      const half = 0.5 * b * pv;
      for (let r = k + 1; r < n; r++) w[r] = w[r]! - half * a[rk + r]!;
      for (let r = k + 1; r < n; r++) {
        const rr = r * n;
        const vr = a[rk + r]!;
        const wr = w[r]!;
        for (let c = r; c < n; c++) a[rr + c] = a[rr + c]! - vr * w[c]! - wr * a[rk + c]!;
      }
    },

    /**
     * Implicit QL with shifts on the symmetric tridiagonal (d, e) (EISPACK's tql2): overwrites
     * `d` with the eigenvalues, unsorted, destroys `e`, and returns z (n × n) whose row i is the
     * unit eigenvector of d[i] (the transpose of EISPACK's V, so rotations combine rows).
     */
    tridiagonalEigen(d: Float64Array, e: Float64Array, n: number): Float64Array {
      // Starting from the identity, row i of z is non-zero only within columns [lo[i], hi[i]);
      // rotating rows only needs the union of their ranges.
      const z = new Float64Array(n * n);
      const lo = new Int32Array(n);
      const hi = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        z[i * n + i] = 1;
        lo[i] = i;
        hi[i] = i + 1;
      }
      const cosines = new Float64Array(n);
      const sines = new Float64Array(n);
      const eps = 2 ** -52;
      let shiftSum = 0;
      let tst1 = 0;
      const maxIterations = 60 * Math.max(n, 1);
      let iterations = 0;
      for (let l = 0; l < n; l++) {
        tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
        let m = l;
        while (m < n) {
          if (Math.abs(e[m]!) <= eps * tst1 || Math.abs(e[m]!) < EIGEN_TINY) break;
          m++;
        }
        if (m > l) {
          do {
            if (++iterations > maxIterations || !Number.isFinite(tst1)) {
              throw new Error("symmetric eigendecomposition did not converge");
            }
            // Shift from the leading 2 × 2 block.
            let g = d[l]!;
            let p = (d[l + 1]! - g) / (2 * e[l]!);
            let r = Math.hypot(p, 1);
            if (p < 0) r = -r;
            d[l] = e[l]! / (p + r);
            d[l + 1] = e[l]! * (p + r);
            const dl1 = d[l + 1]!;
            let h = g - d[l]!;
            for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
            shiftSum += h;
            // The QL sweep: rotation t (t = 0, 1, …) acts on rows m − 1 − t and m − t. Its
            // (cosine, sine) pair is computed first, then all are applied to z.
            p = d[m]!;
            let c = 1, c2 = 1, c3 = 1;
            const el1 = e[l + 1]!;
            let s = 0, s2 = 0;
            let rotations = 0;
            for (let i = m - 1; i >= l; i--) {
              c3 = c2;
              c2 = c;
              s2 = s;
              g = c * e[i]!;
              h = c * p;
              r = Math.hypot(p, e[i]!);
              e[i + 1] = s * r;
              s = e[i]! / r;
              c = p / r;
              p = c * d[i]! - s * g;
              d[i + 1] = h + s * (c * g + s * d[i]!);
              cosines[rotations] = c;
              sines[rotations] = s;
              rotations++;
            }
            let t = 0;
            for (; t + 4 <= rotations; t += 4) kernels.rotate4(z, n, m - t, cosines, sines, t, lo, hi);
            for (; t < rotations; t++) kernels.rotate1(z, n, m - 1 - t, cosines[t]!, sines[t]!, lo, hi);
            p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
            e[l] = s * p;
            d[l] = c * p;
          } while (Math.abs(e[l]!) > eps * tst1);
        }
        d[l] = d[l]! + shiftSum;
        e[l] = 0;
      }
      return z;
    },

    /**
     * Applies four consecutive QL rotations t … t + 3 of a sweep to rows top … top − 4 of z in
     * one pass: rotation t combines rows top − 1 and top, t + 1 rows top − 2 and top − 1, and so
     * on. The new row i + 1 is final after rotation i, and the new row i is what rotation i − 1
     * combines next (the carry). Same arithmetic, element by element, as four separate passes.
     */
    rotate4(
      z: Float64Array, n: number, top: number,
      cosines: Float64Array, sines: Float64Array, t: number,
      lo: Int32Array, hi: Int32Array,
    ): void {
      let from = lo[top]!;
      let to = hi[top]!;
      for (let i = top - 4; i < top; i++) {
        from = Math.min(from, lo[i]!);
        to = Math.max(to, hi[i]!);
      }
      for (let i = top - 4; i <= top; i++) {
        lo[i] = from;
        hi[i] = to;
      }
      const r0 = top * n;
      const r1 = r0 - n;
      const r2 = r1 - n;
      const r3 = r2 - n;
      const r4 = r3 - n;
      const ca = cosines[t]!, sa = sines[t]!;
      const cb = cosines[t + 1]!, sb = sines[t + 1]!;
      const cc = cosines[t + 2]!, sc = sines[t + 2]!;
      const cd = cosines[t + 3]!, sd = sines[t + 3]!;
      for (let q = from; q < to; q++) {
        let carry = z[r0 + q]!;
        let zi = z[r1 + q]!;
        z[r0 + q] = sa * zi + ca * carry;
        carry = ca * zi - sa * carry;
        zi = z[r2 + q]!;
        z[r1 + q] = sb * zi + cb * carry;
        carry = cb * zi - sb * carry;
        zi = z[r3 + q]!;
        z[r2 + q] = sc * zi + cc * carry;
        carry = cc * zi - sc * carry;
        zi = z[r4 + q]!;
        z[r3 + q] = sd * zi + cd * carry;
        carry = cd * zi - sd * carry;
        z[r4 + q] = carry;
      }
    },

    /** One QL rotation of rows i and i + 1 of z: (z_i, z_{i+1}) ← (c z_i − s z_{i+1}, s z_i + c z_{i+1}). */
    rotate1(z: Float64Array, n: number, i: number, c: number, s: number, lo: Int32Array, hi: Int32Array): void {
      const from = Math.min(lo[i]!, lo[i + 1]!);
      const to = Math.max(hi[i]!, hi[i + 1]!);
      lo[i] = from;
      lo[i + 1] = from;
      hi[i] = to;
      hi[i + 1] = to;
      const ri = i * n;
      const rj = ri + n;
      for (let q = from; q < to; q++) {
        const zi = z[ri + q]!;
        const zj = z[rj + q]!;
        z[rj + q] = s * zi + c * zj;
        z[ri + q] = c * zi - s * zj;
      }
    },

    /**
     * y ← (I − β v vᵀ) y for each of the `count` rows y of `rows` (each of length n), with v in
     * row k of `a` (positions k + 1 …); four rows at a time, so that four independent dot
     * products keep the floating-point units busy.
     */
    reflectRows(rows: Float64Array, count: number, a: Float64Array, n: number, k: number, b: number): void {
      const rk = k * n;
      const count4 = count - (count % 4);
      for (let j = 0; j < count4; j += 4) {
        const r0 = j * n;
        const r1 = r0 + n;
        const r2 = r1 + n;
        const r3 = r2 + n;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let c = k + 1; c < n; c++) {
          const v = a[rk + c]!;
          s0 += rows[r0 + c]! * v;
          s1 += rows[r1 + c]! * v;
          s2 += rows[r2 + c]! * v;
          s3 += rows[r3 + c]! * v;
        }
        s0 *= b; s1 *= b; s2 *= b; s3 *= b;
        for (let c = k + 1; c < n; c++) {
          const v = a[rk + c]!;
          rows[r0 + c] = rows[r0 + c]! - s0 * v;
          rows[r1 + c] = rows[r1 + c]! - s1 * v;
          rows[r2 + c] = rows[r2 + c]! - s2 * v;
          rows[r3 + c] = rows[r3 + c]! - s3 * v;
        }
      }
      for (let j = count4; j < count; j++) {
        const rj = j * n;
        let s = 0;
        for (let c = k + 1; c < n; c++) s += rows[rj + c]! * a[rk + c]!;
        s *= b;
        for (let c = k + 1; c < n; c++) rows[rj + c] = rows[rj + c]! - s * a[rk + c]!;
      }
    },
  };
  return kernels;
}
